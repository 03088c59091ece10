"""The access line of ``oversight serve``: one per request, the route's template (never the
concrete path or the query), the status and the request id; batched, yet all written by the
time the process ends; none with ``--no-access-log``."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from oversight.core.config import Settings
from tests.helpers import serve

pytestmark = pytest.mark.slow

CODE = "OC-7KQ2-M4XT-9HB3"


def _requests(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        assert client.get("/healthz", headers={"X-Request-ID": "probe-1"}).status_code == 200
        hidden = client.get(f"/api/v1/public/concerns/{CODE}", params={"token": "s3cret"})
        assert hidden.status_code == 404
        # No route matches these: the redirect of a trailing slash, and an unknown path.
        slash = client.get(f"/api/v1/public/concerns/{CODE}/")
        assert slash.status_code == 307
        assert client.get(f"/api/v1/nowhere/{CODE}").status_code == 404
        for _ in range(20):
            assert client.get("/healthz").status_code == 200


def test_the_access_line(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "stdout"
    with out.open("wb") as stdout, serve(settings, stdout=stdout) as base:
        _requests(base)
        time.sleep(1.5)  # a batch is written at most 0.5 s after its first line
        while_running = out.read_text()
        with httpx.Client(base_url=base) as client:  # then five more, and stop at once
            assert all(client.get("/healthz").status_code == 200 for _ in range(5))
    lines = out.read_text().splitlines()
    assert re.search(
        r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} 127\.0\.0\.1 "GET /healthz" 200 '
        r"[\d.]+ ms probe-1$",
        while_running,
        re.MULTILINE,
    ), while_running
    public = [line for line in lines if "/public/concerns/" in line]
    assert len(public) == 1 and '"GET /api/v1/public/concerns/{tracking_code}" 404' in public[0]
    assert CODE not in out.read_text() and "s3cret" not in out.read_text()
    assert len([line for line in lines if '"GET (no route)" 307' in line]) == 1, lines
    assert len([line for line in lines if '"GET (no route)" 404' in line]) == 1, lines
    # Every request's line, the last ones included (still in their batch: flushed at the
    # shutdown). The probe's GET /readyz is not counted.
    assert len([line for line in lines if '"GET /healthz" 200' in line]) == 26


def test_no_access_line(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "stdout"
    with (
        out.open("wb") as stdout,
        serve(settings, options=("--no-access-log",), stdout=stdout) as base,
    ):
        _requests(base)
    assert "/healthz" not in out.read_text()
