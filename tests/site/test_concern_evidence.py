"""A photo on the concern form: sent as a browser sends it (multipart), streamed and checked
like every upload, kept with the concern, its location removed for everyone but the
commission; a refused form or file keeps nothing and says so beside the file's field, in the
page's language."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from oversight.core.config import Settings
from tests.cases import Cast
from tests.evidence.files import gps_of, kept_files, photo, with_store, zip_bomb
from tests.helpers import CONCERNS, Api
from tests.site.test_forms import concern_form, token_in

FILE_FIELD = 'id="file-error"'


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def settings(database_url: str, store_dir: Path) -> Settings:
    return with_store(database_url, store_dir, 300_000)


async def send(
    api: Api, fields: dict[str, str], file: tuple[str, bytes, str] | None, *, token: bool = True
) -> httpx.Response:
    """The form as a browser posts it: multipart, the file part last (empty when none)."""
    page = await api.client.get("/concerns/new")
    data = {**fields, **({"csrf_token": token_in(page.text)} if token else {})}
    chosen = file or ("", b"", "application/octet-stream")
    return await api.client.post("/concerns/new", data=data, files={"file": chosen})


async def test_a_photo_sent_with_the_concern_is_kept_without_its_location_for_others(
    api: Api, cast: Cast, store_dir: Path
) -> None:
    form = await api.client.get("/concerns/new")
    assert 'enctype="multipart/form-data"' in form.text and 'type="file"' in form.text
    original = photo()
    receipt = await send(api, concern_form(), ("IMG_2041.jpeg", original, "image/jpeg"))
    assert receipt.status_code == 200, receipt.text
    assert "IMG_2041.jpeg" in receipt.text
    code = re.search(r"<strong>(OC-[A-Z0-9-]+)</strong>", receipt.text)
    assert code is not None

    [filed] = await api.audit_events(action="concern.submitted")
    listed = await api.client.get(
        f"{CONCERNS}/{filed['entity_id']}/attachments", headers=cast.commissioner.headers
    )
    [kept, copy] = sorted(listed.json(), key=lambda a: a["derived_from"] is not None)
    assert kept["filename"] == "IMG_2041.jpeg" and kept["uploaded_by"] == {"role": None, "id": None}
    assert copy["derived_from"] == kept["id"]
    body = await api.client.get(kept["content_url"], headers=cast.commissioner.headers)
    assert body.content == original  # the evidence as sent
    stripped = await api.client.get(copy["content_url"], headers=cast.commissioner.headers)
    assert gps_of(original) and gps_of(stripped.content) == {}
    added = await api.audit_events(action="attachment.added")
    assert len(added) == 2 and {e["data"]["sha256"] for e in added} == {
        kept["sha256"],
        copy["sha256"],
    }
    assert not any(p.parent.name == "staging" for p in kept_files(store_dir))


async def test_without_a_file_the_form_files_the_concern_alone(api: Api, store_dir: Path) -> None:
    receipt = await send(api, concern_form(), None)
    assert receipt.status_code == 200, receipt.text
    assert len(await api.audit_events(action="concern.submitted")) == 1
    assert await api.audit_events(action="attachment.added") == []
    assert kept_files(store_dir) == []


async def test_a_refused_form_or_file_keeps_nothing_and_says_so_by_the_file(
    api: Api, store_dir: Path
) -> None:
    api.client.cookies.set("lang", "es")
    # The form is wrong, the file is fine: nothing kept; choose the file again.
    wrong = await send(api, concern_form(summary=""), ("a.jpeg", photo(), "image/jpeg"))
    assert wrong.status_code == 422
    assert FILE_FIELD in wrong.text and "Vuelva a elegir su archivo" in wrong.text
    assert 'value="400 Elm St"' in wrong.text  # what was typed is kept

    # A file of a kind not accepted (a zip), and one too large: in Spanish, the form kept.
    refused = await send(api, concern_form(), ("fotos.zip", zip_bomb(), "application/zip"))
    assert refused.status_code == 415
    assert FILE_FIELD in refused.text and "No se acepta este tipo de archivo" in refused.text
    assert 'value="Monument Corridor"' in refused.text
    large = await send(api, concern_form(), ("big.jpeg", photo() + bytes(400_000), "image/jpeg"))
    assert large.status_code == 413
    assert "como máximo 300 kB" in large.text

    # No token: refused before anything is filed.
    forged = await send(api, concern_form(), ("a.jpeg", photo(), "image/jpeg"), token=False)
    assert forged.status_code == 403

    assert await api.audit_events(action="concern.submitted") == []
    assert await api.audit_events(action="attachment.added") == []
    assert kept_files(store_dir) == []
