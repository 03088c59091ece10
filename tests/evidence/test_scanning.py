"""Scanning through a real clamd (Debian's clamav-daemon, started by the test with a signature
database of its own): an infected upload is a 422 and nothing is kept; a clean one is kept; a
scanner that is down is a 503 and nothing is kept (fail closed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from oversight.main import create_app
from tests.cases import Cast
from tests.conftest import make_settings
from tests.contract import ContractCheck
from tests.evidence.files import EICAR, TEXT, photo, upload
from tests.evidence.servers import clamd
from tests.helpers import CONCERNS, Api, assert_problem, submit
from tests.site.test_forms import concern_form, token_in


@pytest.fixture(scope="module")
def clamd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with clamd(tmp_path_factory.mktemp("clamd")) as url:
        yield url


async def scanning_api(database_url: str, store: Path, clamd_url: str) -> AsyncIterator[Api]:
    app = create_app(
        make_settings(database_url, attachments_store=f"file://{store}", clamd_url=clamd_url)
    )
    transport = httpx.ASGITransport(app=ContractCheck(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()


@pytest.fixture
async def scanned(database_url: str, tmp_path: Path, clamd_url: str) -> AsyncIterator[Api]:
    async for api in scanning_api(database_url, tmp_path / "store", clamd_url):
        yield api


def stored(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "store").rglob("*") if p.is_file()]


async def test_an_infected_upload_is_refused_and_nothing_kept(
    scanned: Api, cast: Cast, tmp_path: Path
) -> None:
    concern = await submit(scanned, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/attachments"
    infected = await upload(scanned, url, cast.resident, EICAR, "eicar.txt")
    problem = assert_problem(infected, 422)
    assert problem["code"] == "malware_found"
    assert "Oversight-Test-EICAR" in problem["detail"]
    # Hidden in the middle of a larger file, past the first chunk, still found.
    padded = b"a" * 300_000 + EICAR + b"b" * 300_000
    assert_problem(await upload(scanned, url, cast.resident, padded, "log.txt"), 422)
    assert stored(tmp_path) == []
    assert await scanned.audit_events(action="attachment.added") == []
    clean = await upload(scanned, url, cast.resident, TEXT)
    assert clean.status_code == 201, clean.text
    image = await upload(scanned, url, cast.resident, photo(), "a.jpg", "image/jpeg")
    assert image.status_code == 201, image.text


async def test_a_scanner_that_is_down_refuses_every_upload(
    database_url: str, cast: Cast, tmp_path: Path
) -> None:
    async for down in scanning_api(
        database_url, tmp_path / "store", f"unix://{tmp_path / 'no-clamd.sock'}"
    ):
        concern = await submit(down, cast.resident)
        response = await upload(
            down, f"{CONCERNS}/{concern['id']}/attachments", cast.resident, TEXT
        )
        problem = assert_problem(response, 503)
        assert "scanner" in problem["detail"]
        assert response.headers["Retry-After"]
        assert stored(tmp_path) == []
        assert await down.audit_events(action="attachment.added") == []
        # The site's concern form: the form again, the reason beside the file, nothing filed.
        down.client.cookies.set("lang", "es")
        page = await down.client.post(
            "/concerns/new",
            data={
                **concern_form(),
                "csrf_token": token_in((await down.client.get("/concerns/new")).text),
            },
            files={"file": ("nota.txt", TEXT, "text/plain")},
        )
        assert page.status_code == 503 and "No podemos revisar el archivo" in page.text
        assert len(await down.audit_events(action="concern.submitted")) == 1  # the API's, above


async def test_an_infected_file_on_the_concern_form_files_nothing(
    scanned: Api, tmp_path: Path
) -> None:
    page = await scanned.client.get("/concerns/new")
    refused = await scanned.client.post(
        "/concerns/new",
        data={**concern_form(), "csrf_token": token_in(page.text)},
        files={"file": ("eicar.txt", EICAR, "text/plain")},
    )
    assert refused.status_code == 422
    assert 'id="file-error"' in refused.text and "harmful" in refused.text
    assert 'value="400 Elm St"' in refused.text
    assert await scanned.audit_events(action="concern.submitted") == []
    assert stored(tmp_path) == []
