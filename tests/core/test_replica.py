"""Public reads from a real streaming replica (API.md "Trust at scale").

The replica is a second PostgreSQL cluster made from the test server's with ``pg_basebackup -R``
and started on another port for this module; the server under test is a real ``oversight
serve`` process. Its replay is paused to make it lag, and it is stopped to make it fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from oversight.core.config import Settings
from oversight.main import create_app
from tests.cases import Cast, new_meeting
from tests.conftest import PG_URL, make_settings
from tests.helpers import Api, free_port, serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PG_URL is None, reason="a streaming replica is PostgreSQL's"),
]

MAX_LAG = 5.0
PUBLIC_READS = (
    "/api/v1/public/meetings",
    "/api/v1/public/reports/summary",
    "/api/v1/public/audit/checkpoints",
    "/open311/v2/services.json",
    "/",
    "/meetings",
)


class Standby:
    """A streaming replica of the test server, run as its operating-system user."""

    def __init__(self, primary: str) -> None:
        self.primary = make_url(primary)
        self.port = free_port()
        admin = create_engine(self.primary.set(drivername="postgresql+psycopg"))
        with admin.connect() as connection:
            version = connection.scalar(text("SHOW server_version_num"))
            self.hba_file = str(connection.scalar(text("SHOW hba_file")))
            # A standby needs at least the primary's values of these.
            self.limits = {
                name: str(connection.scalar(text(f"SHOW {name}")))
                for name in ("max_connections", "max_worker_processes", "max_wal_senders")
            }
        admin.dispose()
        self.bin = Path(f"/usr/lib/postgresql/{int(str(version)) // 10000}/bin")
        if not self.bin.exists():
            found = shutil.which("pg_basebackup")
            assert found, "pg_basebackup is not installed (apt-get install postgresql)"
            self.bin = Path(found).parent
        self.root = os.geteuid() == 0
        self.data = Path(tempfile.mkdtemp(prefix="oversight-replica-"))

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if self.root else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=300)

    def make(self) -> None:
        if self.root:
            shutil.chown(self.data, "postgres", "postgres")
        self.data.chmod(0o700)
        copy = self._basebackup()
        if copy.returncode != 0 and "pg_hba.conf" in copy.stderr:
            self._allow_replication()
            copy = self._basebackup()
        assert copy.returncode == 0, copy.stderr
        # Debian keeps a cluster's configuration outside its data directory: give the copy its
        # own (pg_basebackup -R wrote primary_conninfo and standby.signal).
        files = {
            "postgresql.conf": f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.data}'\nhot_standby = on\nfsync = off\n"
            + "".join(f"{name} = {value}\n" for name, value in self.limits.items()),
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, content in files.items():
            path = self.data / name
            path.write_text(content)
            if self.root:
                shutil.chown(path, "postgres", "postgres")
        self.start()

    def _basebackup(self) -> subprocess.CompletedProcess[str]:
        url = self.primary
        return self.run(
            str(self.bin / "pg_basebackup"),
            *("-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)),
            *("-U", url.username or "postgres", "-D", str(self.data)),
            *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )

    def _allow_replication(self) -> None:
        """The test server's pg_hba.conf lets loopback connections replicate (Debian's default
        lets them connect to every database, but not replicate)."""
        line = "host replication all 127.0.0.1/32 trust\n"
        try:
            with open(self.hba_file, "a") as hba:
                hba.write(line)
        except OSError as exc:
            pytest.fail(f"cannot let loopback replicate: add {line!r} to {self.hba_file} ({exc})")
        admin = create_engine(self.primary.set(drivername="postgresql+psycopg"))
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()

    def start(self) -> None:
        log = str(self.data / "server.log")
        started = self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "start")
        assert started.returncode == 0, started.stdout + started.stderr

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str) -> str:
        replica = self.primary.set(port=self.port, host="127.0.0.1", database=database)
        return replica.render_as_string(hide_password=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="module")
def standby() -> Iterator[Standby]:
    assert PG_URL is not None
    replica = Standby(PG_URL)
    try:
        replica.make()
        yield replica
    finally:
        replica.remove()


@pytest.fixture
def replica_engine(standby: Standby, settings: Settings) -> Iterator[Engine]:
    """The replica's copy of the test's database, once it has replayed its creation."""
    name = make_url(settings.database_url).database or ""
    engine = create_engine(
        make_url(standby.url(name)).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,  # a test stops and starts the replica
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            break
        except Exception:
            assert time.monotonic() < deadline, "the replica never showed the test's database"
            time.sleep(0.2)
    yield engine
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_resume()"))
    engine.dispose()


def served_with_replica(standby: Standby, settings: Settings) -> Any:
    name = make_url(settings.database_url).database or ""
    return serve(
        settings,
        {
            "OVERSIGHT_REPLICA_URL": standby.url(name),
            "OVERSIGHT_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
        },
    )


async def replica_state(client: httpx.AsyncClient) -> dict[str, Any]:
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    state: dict[str, Any] = ready.json()["replica"]
    return state


async def wait_for(client: httpx.AsyncClient, ok: bool, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (state := await replica_state(client))["ok"] is not ok:
        assert time.monotonic() < deadline, f"the replica never became ok={ok}: {state}"
        await asyncio.sleep(0.2)
    return state


def transactions(replica: Engine, settings: Settings) -> int:
    """The transactions the replica has run in the test's database."""
    name = make_url(settings.database_url).database
    with replica.connect() as connection:
        found = connection.scalar(
            text("SELECT xact_commit FROM pg_stat_database WHERE datname = :name"),
            {"name": name},
        )
    return int(found or 0)


def meeting_ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_the_public_reads_the_replica_and_a_signed_in_caller_the_primary(
    api: Api, cast: Cast, standby: Standby, settings: Settings, replica_engine: Engine
) -> None:
    meetings = "/api/v1/public/meetings"
    with served_with_replica(standby, settings) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            state = await wait_for(client, ok=True)
            assert 0 <= state["lag_seconds"] <= MAX_LAG
            before = await client.get(meetings)
            assert before.status_code == 200

            with replica_engine.connect() as connection:  # the replica stops replaying
                connection.execute(text("SELECT pg_wal_replay_pause()"))
            meeting = await new_meeting(api, cast)

            # Within the allowed lag the replica answers: the public sees the record as it has
            # it, and the answer's tag names the replica's state, not the primary's.
            anonymous = await client.get(meetings)
            assert meeting["id"] not in meeting_ids(anonymous)
            assert anonymous.headers["etag"] == before.headers["etag"]
            again = await client.get(meetings, headers={"If-None-Match": before.headers["etag"]})
            assert again.status_code == 304
            # A signed-in caller reads from the primary.
            signed_in = await client.get(meetings, headers=cast.resident.headers)
            assert meeting["id"] in meeting_ids(signed_in)
            assert signed_in.headers["etag"] != before.headers["etag"]
            # The summary's figures are cached by the database that computed them: the primary's
            # (for a signed-in caller) never reach the public while the replica answers.
            summary = "/api/v1/public/reports/summary"
            primary_figures = await client.get(summary, headers=cast.resident.headers)
            public_figures = await client.get(summary)
            seq = [r.json()["audit_head"]["seq"] for r in (primary_figures, public_figures)]
            assert seq[1] < seq[0]
            assert public_figures.headers["etag"] != primary_figures.headers["etag"]

            # Past the allowed lag it is skipped: the primary answers the public too.
            state = await wait_for(client, ok=False, seconds=MAX_LAG + 10)
            assert state["lag_seconds"] > MAX_LAG
            assert "lags" in state["reason"]
            late = await client.get(meetings)
            assert meeting["id"] in meeting_ids(late)
            assert late.headers["etag"] == signed_in.headers["etag"]

            with replica_engine.connect() as connection:
                connection.execute(text("SELECT pg_wal_replay_resume()"))
            state = await wait_for(client, ok=True)
            assert state["lag_seconds"] <= MAX_LAG
            assert meeting["id"] in meeting_ids(await client.get(meetings))


async def test_an_outage_falls_back_to_the_primary_with_no_5xx_under_load(
    api: Api, cast: Cast, standby: Standby, settings: Settings, replica_engine: Engine
) -> None:
    await new_meeting(api, cast)
    statuses: list[int] = []
    with served_with_replica(standby, settings) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await wait_for(client, ok=True)

            async def reader(stop: asyncio.Event, offset: int) -> None:
                turn = offset
                while not stop.is_set():
                    path = PUBLIC_READS[turn % len(PUBLIC_READS)]
                    statuses.append((await client.get(path)).status_code)
                    turn += 1

            async def load(seconds: float) -> None:
                stop = asyncio.Event()
                readers = [asyncio.create_task(reader(stop, n)) for n in range(8)]
                await asyncio.sleep(seconds)
                stop.set()
                await asyncio.gather(*readers)

            served_before = transactions(replica_engine, settings)
            running = asyncio.create_task(load(12))
            await asyncio.sleep(3)
            # The replica answered the load until now.
            assert transactions(replica_engine, settings) - served_before > 50
            await asyncio.to_thread(standby.stop)  # mid-load, with queries in flight
            await asyncio.sleep(0.5)
            down = await replica_state(client)
            await asyncio.sleep(3)
            await asyncio.to_thread(standby.start)
            await running
            assert down["ok"] is False and down["lag_seconds"] is None
            assert "unreachable" in down["reason"]
            up = await wait_for(client, ok=True)
            assert up["lag_seconds"] <= MAX_LAG

    assert len(statuses) > 100
    assert {status for status in statuses if status >= 500} == set()
    assert set(statuses) == {200}


async def test_a_request_the_replica_fails_is_answered_by_the_primary(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """The replica went down after its last check: nothing listens where it was. The request
    sent to it fails there and is answered from the primary, and the replica is skipped."""
    meeting = await new_meeting(api, cast)
    nowhere = make_url(settings.database_url).set(port=free_port())
    app = create_app(
        make_settings(
            settings.database_url, replica_url=nowhere.render_as_string(hide_password=False)
        )
    )
    replica = app.state.database.replica
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # Failing in the caching layer (the API), in a route (site pages), in Open311.
        for path in ("/api/v1/public/meetings", "/", "/meetings", "/open311/v2/requests.json"):
            now = time.monotonic()  # as its last check found it, just now
            replica.ok, replica._confirmed, replica._started = True, now, now
            answer = await client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert replica.ok is False and replica.reason == "failed a request"
            if path == "/api/v1/public/meetings":
                assert meeting["id"] in meeting_ids(answer)
        ready = (await client.get("/readyz")).json()["replica"]
        assert ready == {"ok": False, "lag_seconds": None, "reason": ready["reason"]}
        assert ready["reason"].startswith("unreachable")
    await app.state.database.dispose()
