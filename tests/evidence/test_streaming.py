"""Uploads through a real `oversight serve` process: a client that hangs up halfway leaves
nothing behind (no staging file, no object, no row, no event); HEIC photos get a JPEG copy
without metadata."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import httpx

from oversight.core.config import Settings
from tests.cases import Cast
from tests.conftest import make_settings
from tests.evidence.files import gps_of, heic_photo, upload
from tests.helpers import CONCERNS, Api, serve, submit


async def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


async def test_a_client_that_hangs_up_halfway_leaves_nothing(
    api: Api, cast: Cast, database_url: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    settings: Settings = make_settings(database_url, attachments_store=f"file://{store}")
    concern = await submit(api, cast.resident)
    path = f"{CONCERNS}/{concern['id']}/attachments"
    boundary = "cutoff"
    head = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + b"\x00\x00\x00\x18ftypisom"
        + b"\x01" * 300_000
    )
    with serve(settings) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: {cast.resident.headers['Authorization']}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    "Content-Length: 5000000\r\n\r\n"
                ).encode()
                + head
            )
            staged = await eventually(lambda: bool(list(store.glob("incoming/*.part"))))
            assert staged, "the upload never reached staging"
        assert await eventually(lambda: not [p for p in store.rglob("*") if p.is_file()])
        async with httpx.AsyncClient(base_url=base) as client:
            listed = await client.get(path, headers=cast.commissioner.headers)
            assert listed.json() == []
            # The server is fine: the next upload goes through.
            fine = await client.post(
                path,
                files={"file": ("a.txt", b"after the cut\n", "text/plain")},
                headers=cast.resident.headers,
            )
            assert fine.status_code == 201, fine.text
    assert await api.audit_events(action="attachment.added") != []


async def test_a_heic_photo_gets_a_jpeg_copy_without_metadata(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/attachments"
    sent = heic_photo()
    assert gps_of(sent)
    response = await upload(api, url, cast.resident, sent, "IMG_0042.HEIC", "image/heic")
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "image/heic"
    listed = (await api.client.get(url, headers=cast.commissioner.headers)).json()
    (copy,) = [a for a in listed if a["derived_from"] == response.json()["id"]]
    assert (copy["media_type"], copy["filename"]) == ("image/jpeg", "IMG_0042.jpg")
    stripped = await api.client.get(copy["content_url"], headers=cast.commissioner.headers)
    assert stripped.content[:3] == b"\xff\xd8\xff"
    assert gps_of(stripped.content) == {}
