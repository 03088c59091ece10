"""The S3 store against a real S3 API server (moto's, started by the test; the client is
obstore's, unmocked): uploads kept by their hash under the prefix, downloads with ranges,
`oversight attachments verify`, and an unreachable bucket answered with 503 and nothing
recorded."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator

import httpx
import obstore
import pytest

from oversight.core.config import Settings
from oversight.evidence.store import open_store
from oversight.main import create_app
from tests.cases import Cast
from tests.conftest import make_settings
from tests.contract import ContractCheck
from tests.evidence.files import PDF, TEXT, photo, upload
from tests.evidence.servers import s3_server
from tests.helpers import CONCERNS, Api, assert_problem, free_port, run_cli, submit

BUCKET = "oversight-evidence"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as url:
        assert httpx.put(f"{url}/{BUCKET}").status_code == 200
        yield url


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def s3_settings(database_url: str, endpoint: str) -> Settings:
    return make_settings(
        database_url,
        attachments_store=f"s3://{BUCKET}/case-files",
        s3_endpoint_url=endpoint,
    )


async def s3_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=ContractCheck(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()


async def test_attachments_live_in_the_bucket_by_their_hash(
    database_url: str, endpoint: str, cast: Cast
) -> None:
    settings = s3_settings(database_url, endpoint)
    async for api in s3_api(settings):
        concern = await submit(api, cast.resident)
        url = f"{CONCERNS}/{concern['id']}/attachments"
        added = (await upload(api, url, cast.resident, PDF, "report.pdf", "application/pdf")).json()
        digest = hashlib.sha256(PDF).hexdigest()
        assert added["sha256"] == digest
        # In the bucket, under the prefix, keyed by the hash.
        key = f"case-files/sha256/{digest[:2]}/{digest}"
        async with httpx.AsyncClient() as s3:
            listing = (await s3.get(f"{endpoint}/{BUCKET}?list-type=2")).text
            anonymous = await s3.get(f"{endpoint}/{BUCKET}/{key}")
        assert f"<Key>{key}</Key>" in listing, listing
        whole = await api.client.get(added["content_url"], headers=cast.commissioner.headers)
        assert whole.content == PDF
        part = await api.client.get(
            added["content_url"], headers={**cast.commissioner.headers, "Range": "bytes=5-14"}
        )
        assert (part.status_code, part.content) == (206, PDF[5:15])
        image = await upload(api, url, cast.resident, photo(), "a.jpg", "image/jpeg")
        assert image.status_code == 201, image.text
        same = await upload(api, url, cast.resident, PDF, "again.pdf", "application/pdf")
        assert same.status_code == 201  # the same bytes: one object, two records
    verified = run_cli(settings, "attachments", "verify")
    assert (verified.returncode, verified.stdout.strip()) == (0, "4 objects verified"), (
        verified.stderr
    )
    assert anonymous.status_code == 403  # never public
    obstore.delete(open_store(settings).objects, key.removeprefix("case-files/"))
    broken = run_cli(settings, "attachments", "verify")
    assert broken.returncode == 1
    assert broken.stdout.strip() == f"missing  {digest}"


async def test_an_unreachable_bucket_records_nothing(database_url: str, cast: Cast) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    async for api in s3_api(s3_settings(database_url, nowhere)):
        concern = await submit(api, cast.resident)
        response = await upload(api, f"{CONCERNS}/{concern['id']}/attachments", cast.resident, TEXT)
        assert "store" in assert_problem(response, 503)["detail"]
        assert await api.audit_events(action="attachment.added") == []
