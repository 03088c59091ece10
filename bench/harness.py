"""Shared bench plumbing: a throwaway PostgreSQL database, real uvicorn servers on loopback,
and a bounded closed-loop load generator. Nothing here is imported by the app or the tests."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
PASSWORD = "bench password 12345"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(base_url: str | None = None) -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    url = make_url(base_url or os.environ.get("OVERSIGHT_BENCH_DATABASE_URL", DEFAULT_PG))
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    name = f"oversight_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        cli(database_url, "migrate")
        yield database_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": database_url,
        "OVERSIGHT_ENV": "production",
        "OVERSIGHT_SECRET_KEY": SECRET,
        "OVERSIGHT_RATE_LIMITS_ENABLED": "false",
        "OVERSIGHT_DB_POOL_SIZE": "20",
    }


def cli(database_url: str, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "oversight", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(database_url),
        check=True,
        timeout=600,
    )
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(database_url: str, module: str = "oversight", *args: str) -> Iterator[str]:
    """A real uvicorn process on loopback; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        module,
        *args,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        env=environment(database_url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "died")
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not become ready in 30 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def admin_headers(database_url: str, base: str) -> dict[str, str]:
    email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.org"
    cli(
        database_url,
        "users",
        "create",
        "--email",
        email,
        "--role",
        "admin",
        "--display-name",
        "Bench",
        "--password-stdin",
        stdin=PASSWORD,
    )
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        return (
            statistics.quantiles(self.latencies, n=100)[int(p) - 1] * 1000
            if self.latencies
            else 0.0
        )


async def closed_loop(
    base: str,
    call: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    clients: int,
    seconds: float,
    expect: int,
) -> Load:
    """``clients`` workers each send one request after another for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = await call(client, next(counter))
                latencies.append(time.perf_counter() - start)
                if response.status_code != expect:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - started
    return Load(len(latencies), errors, elapsed, latencies)
