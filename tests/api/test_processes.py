"""Two real API processes on one PostgreSQL: the audit chain stays one straight line."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from oversight import audit
from oversight.config import Settings
from oversight.domain.roles import Role
from tests.helpers import Api

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": settings.database_url,
        "OVERSIGHT_ENV": "test",
        "OVERSIGHT_SECRET_KEY": settings.signing_key,
        "OVERSIGHT_RATE_LIMITS_ENABLED": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "oversight", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


async def test_two_processes_one_chain(api: Api, settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes share one PostgreSQL; SQLite is the single-process default")
    admin = await api.person(Role.ADMIN)
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(settings)) for _ in range(2)]
        async with httpx.AsyncClient(timeout=30) as client:

            async def create(i: int) -> int:
                response = await client.post(
                    f"{bases[i % 2]}/api/v1/departments",
                    json={"code": f"P{i}", "name": f"Dept {i}"},
                    headers=admin.headers,
                )
                return response.status_code

            statuses = await asyncio.gather(*(create(i) for i in range(120)))
    assert statuses == [201] * 120
    events = await api.audit_events(action="department.created")
    assert len(events) == 120
    everything = await api.audit_events()
    assert audit.verify_rows(everything).intact
