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
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
PASSWORD = "bench password 12345"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


#: The process id of each running server, by base URL.
PIDS: dict[str, int] = {}


@contextmanager
def postgres_database(base_url: str | None = None) -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    url = make_url(base_url or os.environ.get("OVERSIGHT_BENCH_DATABASE_URL", DEFAULT_PG))
    # No pool: a connection per statement survives a server restart (bench/faults.py).
    admin = create_engine(
        url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
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


#: Webhook receivers in the benches listen on loopback, which production refuses.
ALLOW_LOOPBACK_WEBHOOKS = {"OVERSIGHT_WEBHOOK_ALLOW_PRIVATE": "true"}


def start_worker(
    database_url: str, *options: str, quiet: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """An ``oversight worker`` process against ``database_url``, sending to loopback; ``env``
    adds to the bench's settings."""
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(
        [sys.executable, "-m", "oversight", "worker", *options],
        env={**environment(database_url), **ALLOW_LOOPBACK_WEBHOOKS, **(env or {})},
        cwd=ROOT,
        stdout=output,
        stderr=output,
    )


def rss_kb(pid: int) -> int:
    """A process's resident memory (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    database_url: str,
    module: str = "oversight",
    args: tuple[str, ...] = ("serve", "--host", "127.0.0.1"),
    ready: str = "/readyz",
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """A real uvicorn process on loopback (``python -m module *args --port N``); yields its
    base URL once ``ready`` answers 200. ``env`` adds to the bench's settings."""
    port = free_port()
    command = [sys.executable, "-m", module, *args, "--port", str(port)]
    process = subprocess.Popen(
        command,
        env={**environment(database_url), **(env or {})},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    PIDS[base] = process.pid
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}{ready}", timeout=1).status_code == 200:
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
        PIDS.pop(base, None)


def create_user(database_url: str, role: str) -> str:
    """A new account of ``role`` (through the CLI, as an operator would); returns its e-mail."""
    email = f"bench-{role}-{uuid.uuid4().hex[:6]}@example.org"
    cli(
        database_url,
        "users",
        "create",
        "--email",
        email,
        "--role",
        role,
        "--display-name",
        "Bench",
        "--password-stdin",
        stdin=PASSWORD,
    )
    return email


def sign_in(base: str, email: str) -> dict[str, str]:
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


BULK_INSERT = """
INSERT INTO concerns (id, tracking_code, kind, category, summary, description, neighborhood,
    status, priority_rank, anonymous, triage_due_at, due_sort, version, created_at, updated_at)
SELECT gen_random_uuid(),
       'OC-' || lpad(to_hex(g), 14, '0'),
       (ARRAY['complaint','commendation','policy_concern','inquiry'])[1 + g %% 4],
       (ARRAY['use_of_force','discourtesy','bias','stop_search_arrest','failure_to_act',
              'misconduct','policy_procedure','response_time','commendation','other'])[1 + g %% 10],
       'Bench concern ' || g,
       'Generated for the benchmark, number ' || g,
       (ARRAY['Monument Corridor','Sun Terrace','Downtown','Ygnacio Valley','North Concord',
              'Clayton Valley','Dana Estates','Four Corners'])[1 + g %% 8],
       s.status,
       g %% 4,
       true,
       t.created_at + interval '7 days',
       CASE s.status WHEN 'submitted' THEN t.created_at + interval '7 days'
                     WHEN 'referred' THEN t.created_at + interval '37 days'
                     ELSE '9999-12-31'::timestamptz END,
       1, t.created_at, t.created_at
FROM generate_series(%(first)s::int, %(last)s::int) AS g,
     LATERAL (SELECT now() - (g %% 365) * interval '1 day' - (g %% 86400) * interval '1 second'
              AS created_at) AS t,
     LATERAL (SELECT (ARRAY['submitted','triaged','dismissed','withdrawn','referred','responded',
                            'under_review','scheduled','resolved','closed'])[1 + (g * 7) %% 10]
              AS status) AS s
"""


def bulk_concerns(database_url: str, first: int, last: int, chunk: int = 100_000) -> None:
    """Insert concerns numbered first..last straight in SQL (only for load, never for tests)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        for start in range(first, last + 1, chunk):
            end = min(start + chunk - 1, last)
            connection.execute(BULK_INSERT, {"first": start, "last": end})
        connection.execute("VACUUM ANALYZE concerns")
        connection.execute("VACUUM ANALYZE concern_counts")  # a million trigger upserts
