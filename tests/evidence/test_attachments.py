"""Evidence through HTTP on both databases, kept in a directory: uploads typed by their bytes,
hashed and audited; downloads with digest, ETag and ranges, each recorded; who reads what;
images' copies without metadata; public documents; withdrawal; and every refusal leaving
nothing behind (no row, no event, no object, no staging file)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast, new_meeting, reach
from tests.conftest import make_settings
from tests.contract import ContractCheck
from tests.evidence.files import (
    AUTHOR,
    EICAR,
    PDF,
    TEXT,
    bomb_png,
    gps_of,
    kept_files,
    photo,
    upload,
    with_store,
    zip_bomb,
)
from tests.helpers import CONCERNS, Api, assert_problem, moved, run_cli, submit


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def settings(database_url: str, store_dir: Path) -> Settings:
    return with_store(database_url, store_dir, 2_000_000)


async def nothing_kept(api: Api, store_dir: Path) -> None:
    assert kept_files(store_dir) == []
    assert await api.audit_events(action="attachment.added") == []


def url_for(concern: dict[str, Any]) -> str:
    return f"{CONCERNS}/{concern['id']}/attachments"


async def test_an_upload_is_hashed_kept_audited_and_downloaded_with_its_digest(
    api: Api, cast: Cast, store_dir: Path
) -> None:
    concern = await submit(api, cast.resident)
    response = await upload(api, url_for(concern), cast.resident, TEXT, description="What I saw")
    assert response.status_code == 201, response.text
    added = response.json()
    digest = hashlib.sha256(TEXT).hexdigest()
    assert (added["sha256"], added["size"], added["media_type"]) == (
        digest,
        len(TEXT),
        "text/plain",
    )
    assert added["filename"] == "statement.txt"
    assert added["visibility"] == "internal"
    assert added["uploaded_by"] == {"role": "resident", "id": str(cast.resident.id)}
    assert response.headers["Location"] == f"/api/v1/attachments/{added['id']}"
    assert (store_dir / "sha256" / digest[:2] / digest).read_bytes() == TEXT
    (event,) = await api.audit_events(action="attachment.added")
    assert event["data"]["sha256"] == digest
    assert (event["data"]["size"], event["data"]["media_type"]) == (len(TEXT), "text/plain")

    content = await api.client.get(added["content_url"], headers=cast.commissioner.headers)
    assert content.status_code == 200, content.text
    assert content.content == TEXT
    assert (
        content.headers["Repr-Digest"]
        == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    )
    assert content.headers["ETag"] == f'"{digest}"'
    assert content.headers["Content-Disposition"].startswith('attachment; filename="statement.txt"')
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Security-Policy"].startswith("sandbox")
    (download,) = await api.audit_events(action="attachment.downloaded")
    assert (download["entity_id"], download["actor_id"]) == (added["id"], str(cast.commissioner.id))


async def test_ranges_and_validators(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    added = (await upload(api, url_for(concern), cast.resident, TEXT)).json()
    url, headers = added["content_url"], cast.commissioner.headers
    part = await api.client.get(url, headers={**headers, "Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.content == TEXT[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(TEXT)}"
    tail = await api.client.get(url, headers={**headers, "Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, TEXT[-5:])
    middle = await api.client.get(url, headers={**headers, "Range": "bytes=10-"})
    assert (middle.status_code, middle.content) == (206, TEXT[10:])
    past = await api.client.get(url, headers={**headers, "Range": f"bytes={len(TEXT)}-"})
    assert_problem(past, 416)
    assert past.headers["Content-Range"] == f"bytes */{len(TEXT)}"
    unchanged = await api.client.get(
        url, headers={**headers, "If-None-Match": f'"{added["sha256"]}"'}
    )
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    # Every download is in the chain of custody, the partial ones with their range.
    ranges = [e["data"]["range"] for e in await api.audit_events(action="attachment.downloaded")]
    assert sorted(r or "" for r in ranges) == sorted(
        ["bytes=0-9", "bytes=-5", "bytes=10-", f"bytes={len(TEXT)}-", ""]
    )


async def test_an_image_is_kept_as_sent_and_others_read_a_copy_without_metadata(
    api: Api, cast: Cast
) -> None:
    concern = await submit(api, cast.resident)
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=str(cast.department))
    original_bytes = photo()
    assert gps_of(original_bytes)  # the test's photo has GPS data to lose
    response = await upload(
        api, url_for(concern), cast.resident, original_bytes, "IMG_0001.jpeg", "image/jpeg"
    )
    assert response.status_code == 201, response.text
    original = response.json()
    assert original["derived_from"] is None

    everything = await api.client.get(url_for(concern), headers=cast.commissioner.headers)
    copy = next(a for a in everything.json() if a["derived_from"] == original["id"])
    assert copy["media_type"] == "image/jpeg"
    assert copy["sha256"] != original["sha256"]

    kept = await api.client.get(original["content_url"], headers=cast.commissioner.headers)
    assert kept.content == original_bytes  # the evidence, untouched
    # The officer sees nothing until a commissioner shares it with the department; then the copy.
    officer = cast.officer
    assert (await api.client.get(url_for(concern), headers=officer.headers)).json() == []
    current = await api.client.get(
        f"/api/v1/attachments/{original['id']}", headers=cast.commissioner.headers
    )
    shared = await api.client.patch(
        f"/api/v1/attachments/{original['id']}",
        json={"visibility": "department"},
        headers={**cast.commissioner.headers, "If-Match": current.headers["ETag"]},
    )
    assert shared.status_code == 200, shared.text
    (seen,) = (await api.client.get(url_for(concern), headers=officer.headers)).json()
    assert seen["id"] == copy["id"]
    assert seen["uploaded_by"] == {"role": "resident", "id": None}
    stripped = await api.client.get(seen["content_url"], headers=officer.headers)
    assert stripped.status_code == 200
    assert gps_of(stripped.content) == {}
    assert b"Exif" not in stripped.content and b"Resident's phone" not in stripped.content
    assert b"xmpmeta" in original_bytes and b"xmpmeta" not in stripped.content
    assert hashlib.sha256(stripped.content).hexdigest() == copy["sha256"]
    hidden = await api.client.get(original["content_url"], headers=officer.headers)
    assert_problem(hidden, 404)
    # The uploader reads their own original, not the copy besides.
    (own,) = (await api.client.get(url_for(concern), headers=cast.resident.headers)).json()
    assert own["id"] == original["id"]


@pytest.mark.parametrize(
    ("data", "name", "declared", "detail"),
    [
        (b"MZ\x90\x00" + b"\0" * 200, "tool.exe", "application/octet-stream", "not accepted"),
        (zip_bomb(), "evidence.zip", "application/zip", "not accepted"),
        (photo(), "report.pdf", "application/pdf", "sent as application/pdf"),
        (photo(), "report.pdf", "application/octet-stream", "name says application/pdf"),
        (PDF, "packet.pdf", "image/png", "sent as image/png"),
        (TEXT, "statement.sh", "text/plain", ".sh are not accepted"),
    ],
)
async def test_a_file_not_on_the_list_or_at_odds_with_its_name_is_a_415(
    api: Api, cast: Cast, store_dir: Path, data: bytes, name: str, declared: str, detail: str
) -> None:
    concern = await submit(api, cast.resident)
    response = await upload(api, url_for(concern), cast.resident, data, name, declared)
    problem = assert_problem(response, 415)
    assert problem["code"] == "unsupported_media"
    assert detail in problem["detail"]
    await nothing_kept(api, store_dir)


async def test_bad_uploads_leave_nothing_behind(api: Api, cast: Cast, store_dir: Path) -> None:
    concern = await submit(api, cast.resident)
    url = url_for(concern)
    too_large = await upload(api, url, cast.resident, b"a" * 2_000_001)
    assert "at most 2000000 bytes" in assert_problem(too_large, 413)["detail"]
    bomb = await upload(api, url, cast.resident, bomb_png(), "map.png", "image/png")
    assert "pixels" in assert_problem(bomb, 422)["detail"]
    nul = await upload(api, url, cast.resident, TEXT, description="a\x00b")
    assert_problem(nul, 422)
    empty = await upload(api, url, cast.resident, b"")
    assert_problem(empty, 422)
    binary_text = await upload(api, url, cast.resident, b"line\x00\x01\x02")
    assert_problem(binary_text, 415)
    unknown_field = await api.client.post(
        url,
        files={"file": ("a.txt", TEXT, "text/plain")},
        data={"visibility": "public"},
        headers=cast.resident.headers,
    )
    assert_problem(unknown_field, 422)
    not_multipart = await api.client.post(
        url, content=TEXT, headers={**cast.resident.headers, "Content-Type": "text/plain"}
    )
    assert_problem(not_multipart, 415)
    boundary = "XyZ"
    cut_off = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\npartial stateme"
    ).encode()
    truncated = await api.client.post(
        url,
        content=cut_off,
        headers={
            **cast.resident.headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert "cut off" in assert_problem(truncated, 422)["detail"]
    await nothing_kept(api, store_dir)


async def test_a_path_in_the_name_is_dropped(api: Api, cast: Cast, store_dir: Path) -> None:
    concern = await submit(api, cast.resident)
    for name, kept in [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\notes.txt", "notes.txt"),
        ("evil\x1b[31m\u202e.txt", "evil[31m.txt"),
        ("...", "attachment.txt"),
    ]:
        response = await upload(api, url_for(concern), cast.resident, TEXT, name)
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == kept
    assert all(store_dir in p.parents for p in kept_files(store_dir))


async def test_who_may_add_evidence(api: Api, cast: Cast, store_dir: Path) -> None:
    concern = await submit(api, cast.resident)
    url = url_for(concern)
    admin = await api.person(Role.ADMIN)
    assert_problem(await upload(api, url, admin, TEXT), 403)
    stranger = await api.person(Role.RESIDENT)
    assert_problem(await upload(api, url, stranger, TEXT), 404)
    assert_problem(await upload(api, url, cast.officer, TEXT), 404)  # not referred to them
    assert_problem(await upload(api, url, None, TEXT), 401)
    await nothing_kept(api, store_dir)
    assert (await upload(api, url, cast.commissioner, TEXT)).status_code == 201
    closed = await reach(api, cast, "closed")
    refused = await upload(api, url_for(closed), cast.resident, TEXT)
    assert "closed" in assert_problem(refused, 409)["detail"]


async def test_an_anonymous_submitter_adds_evidence_by_tracking_code(api: Api, cast: Cast) -> None:
    concern = await submit(api)
    code = concern["tracking_code"]
    response = await upload(api, f"/api/v1/public/concerns/{code}/attachments", None, TEXT)
    assert response.status_code == 201, response.text
    assert response.json()["uploaded_by"] == {"role": None, "id": None}
    assert response.headers["Cache-Control"] == "private, no-store"
    listed = await api.client.get(url_for(concern), headers=cast.commissioner.headers)
    assert [a["id"] for a in listed.json()] == [response.json()["id"]]
    wrong = await upload(api, "/api/v1/public/concerns/OC-0000-0000-0000/attachments", None, TEXT)
    assert_problem(wrong, 404)


async def test_officers_read_what_their_department_uploaded(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=str(cast.department))
    colleague = await api.person(Role.OFFICER, department_id=cast.department)
    response = await upload(
        api, url_for(concern), cast.officer, PDF, "report.pdf", "application/pdf"
    )
    assert response.status_code == 201, response.text
    internal = await upload(api, url_for(concern), cast.commissioner, TEXT, "memo.txt")
    assert internal.status_code == 201
    (seen,) = (await api.client.get(url_for(concern), headers=colleague.headers)).json()
    assert seen["derived_from"] == response.json()["id"]  # the copy without metadata
    copy = await api.client.get(seen["content_url"], headers=colleague.headers)
    assert copy.content.startswith(b"%PDF") and AUTHOR.encode() not in copy.content
    assert AUTHOR.encode() in PDF
    (own,) = (await api.client.get(url_for(concern), headers=cast.officer.headers)).json()
    assert own["id"] == response.json()["id"]  # the uploader reads their original
    assert (await api.client.get(url_for(concern), headers=cast.resident.headers)).json() == []


async def test_public_documents_on_meetings_are_immutable_and_withdrawn_with_a_reason(
    api: Api, cast: Cast
) -> None:
    meeting = await new_meeting(api, cast)
    url = f"/api/v1/meetings/{meeting['id']}/attachments"
    assert_problem(await upload(api, url, cast.resident, PDF, "packet.pdf", "application/pdf"), 403)
    response = await upload(api, url, cast.commissioner, PDF, "packet.pdf", "application/pdf")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["visibility"] == "public"
    # Published as its copy without the document information (the author's name).
    (listed,) = (await api.client.get(url)).json()  # anyone, signed in or not
    assert listed["derived_from"] == document["id"]
    public = await api.client.get(f"/api/v1/public/attachments/{listed['id']}")
    assert public.status_code == 200, public.text
    assert public.content.startswith(b"%PDF") and AUTHOR.encode() not in public.content
    assert public.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert public.headers["ETag"] == f'"{listed["sha256"]}"'
    assert_problem(await api.client.get(f"/api/v1/public/attachments/{document['id']}"), 404)
    assert await api.audit_events(action="attachment.downloaded") == []  # nobody signed in
    view = (await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).json()
    assert [d["url"] for d in view["documents"]] == [f"/api/v1/public/attachments/{listed['id']}"]

    concern = await submit(api, cast.resident)
    evidence = (await upload(api, url_for(concern), cast.resident, TEXT)).json()
    for hidden in (evidence["id"],):
        assert_problem(await api.client.get(f"/api/v1/public/attachments/{hidden}"), 404)
    tagged = await api.client.get(
        f"/api/v1/attachments/{evidence['id']}", headers=cast.commissioner.headers
    )
    never_public = await api.client.patch(
        f"/api/v1/attachments/{evidence['id']}",
        json={"visibility": "public"},
        headers={**cast.commissioner.headers, "If-Match": tagged.headers["ETag"]},
    )
    assert "never public" in assert_problem(never_public, 422)["detail"]

    withdrawn = await api.client.post(
        f"/api/v1/attachments/{document['id']}/withdrawal",
        json={"reason": "Posted to the wrong meeting."},
        headers=cast.commissioner.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawn_reason"]) == (
        "withdrawn",
        "Posted to the wrong meeting.",
    )
    assert_problem(await api.client.get(f"/api/v1/public/attachments/{listed['id']}"), 404)
    assert (await api.client.get(url)).json() == []
    again = await api.client.post(
        f"/api/v1/attachments/{document['id']}/withdrawal",
        json={"reason": "again"},
        headers=cast.commissioner.headers,
    )
    assert_problem(again, 409)
    (event,) = await api.audit_events(action="attachment.withdrawn")
    assert event["reason"] == "Posted to the wrong meeting."
    # The bytes stay: commissioners still read them.
    kept = await api.client.get(document["content_url"], headers=cast.commissioner.headers)
    assert kept.content == PDF


async def test_the_cli_names_every_missing_or_altered_object(
    api: Api, cast: Cast, settings: Settings, store_dir: Path
) -> None:
    concern = await submit(api, cast.resident)
    first = (await upload(api, url_for(concern), cast.resident, TEXT)).json()
    second = (
        await upload(api, url_for(concern), cast.resident, PDF, "a.pdf", "application/pdf")
    ).json()
    fine = run_cli(settings, "attachments", "verify")
    assert (fine.returncode, fine.stdout.strip()) == (0, "3 objects verified"), fine.stderr
    altered = store_dir / "sha256" / first["sha256"][:2] / first["sha256"]
    altered.write_bytes(TEXT + b"!")
    (store_dir / "sha256" / second["sha256"][:2] / second["sha256"]).unlink()
    broken = run_cli(settings, "attachments", "verify")
    assert broken.returncode == 1, broken.stderr
    assert sorted(broken.stdout.strip().split("\n")) == sorted(
        [
            f"altered  {first['sha256']} (its bytes hash to {hashlib.sha256(TEXT + b'!').hexdigest()})",
            f"missing  {second['sha256']}",
        ]
    )
    assert "2 of 3 objects missing or altered" in broken.stderr


async def test_a_full_or_missing_store_records_nothing(
    database_url: str, cast: Cast, tmp_path: Path
) -> None:
    """The store's directory is a file: nothing can be kept there (as with a full disk)."""
    blocker = tmp_path / "not-a-directory"
    blocker.mkdir()
    settings = make_settings(
        database_url,
        attachments_store=f"file://{blocker}",
        attachments_staging=str(tmp_path / "staging"),
    )
    app = create_app(settings)
    (blocker / "sha256").write_bytes(b"in the way")
    transport = httpx.ASGITransport(app=ContractCheck(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        other = Api(client, app.state.database)
        concern = await submit(other, cast.resident)
        response = await upload(other, url_for(concern), cast.resident, TEXT)
        assert_problem(response, 503)
        assert await other.audit_events(action="attachment.added") == []
        assert list((tmp_path / "staging").iterdir()) == []
    await app.state.database.dispose()


async def test_without_a_scanner_nothing_is_scanned(api: Api, cast: Cast) -> None:
    """The EICAR file is plain text: kept when no scanner is configured (test_scanning.py)."""
    concern = await submit(api, cast.resident)
    response = await upload(api, url_for(concern), cast.resident, EICAR, "eicar.txt")
    assert response.status_code == 201, response.text


async def test_a_pdf_that_cannot_be_copied_is_kept_but_never_published(
    api: Api, cast: Cast
) -> None:
    meeting = await new_meeting(api, cast)
    url = f"/api/v1/meetings/{meeting['id']}/attachments"
    broken = b"%PDF-1.7\n" + b"\x07not a document" * 10
    response = await upload(api, url, cast.commissioner, broken, "scan.pdf", "application/pdf")
    assert response.status_code == 201, response.text
    assert (await api.client.get(url)).json() == []
    staff = (await api.client.get(url, headers=cast.commissioner.headers)).json()
    assert [a["id"] for a in staff] == [response.json()["id"]]
