"""The audit log: recorded with every change, readable by staff, verifiable by anyone."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from oversight.accounts import directory
from oversight.accounts.directory_schemas import DepartmentCreate
from oversight.accounts.models import Department
from oversight.core import chain
from oversight.core.config import Settings
from oversight.core.models import AuditEvent
from oversight.core.roles import Role
from tests.helpers import Api, assert_problem, run_cli

EVENTS = "/api/v1/audit/events"
HEAD = "/api/v1/public/audit/head"


def run_verify(settings: Settings) -> subprocess.CompletedProcess[str]:
    return run_cli(settings, "audit", "verify")


def without_triggers(engine: Engine, statement: str) -> None:
    """Tamper as a database superuser would: switch the guard off, change rows, switch it on."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            triggers = (
                connection.execute(
                    text(
                        "SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'"
                    )
                )
                .scalars()
                .all()
            )
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
            connection.execute(text(statement))
            for sql in triggers:
                connection.execute(text(sql))


async def make_events(api: Api, count: int) -> None:
    for _ in range(count):
        await api.department()


async def test_changes_are_recorded_and_listed_for_staff(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    commissioner = await api.person(Role.COMMISSIONER)
    created = await api.client.post(
        "/api/v1/departments", json={"code": "TRAFFIC", "name": "Traffic"}, headers=admin.headers
    )
    department_id = created.json()["id"]
    for reader in (admin, commissioner):
        response = await api.client.get(
            EVENTS, params={"entity_type": "department"}, headers=reader.headers
        )
        assert response.status_code == 200
        (event,) = response.json()["items"]
        assert event["action"] == "department.created"
        assert event["entity_id"] == department_id
        assert event["actor_id"] == str(admin.id)
        assert event["actor_role"] == "admin"
        assert event["data"] == {"code": "TRAFFIC", "name": "Traffic"}
        assert event["at"].endswith("Z") and len(event["at"]) == 27


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER])
async def test_residents_and_officers_may_not_read_the_log(api: Api, role: Role) -> None:
    caller = await api.person(role)
    assert_problem(await api.client.get(EVENTS, headers=caller.headers), 403)
    assert_problem(await api.client.get(EVENTS), 401)


async def test_filters_and_keyset_pages(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    await make_events(api, 5)
    everything = await api.audit_events()
    seqs = [event["seq"] for event in everything]
    assert seqs == list(range(1, len(seqs) + 1))

    pages, cursor, collected = 0, None, []
    while True:
        params: dict[str, str | int] = {
            "action": "department.created",
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await api.client.get(EVENTS, params=params, headers=admin.headers)).json()
        collected += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(collected) == 5
    assert all(event["action"] == "department.created" for event in collected)

    by_actor = await api.client.get(
        EVENTS, params={"actor_id": str(admin.id)}, headers=admin.headers
    )
    assert by_actor.json()["items"] == []  # the helper made them without an actor
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    later = await api.client.get(EVENTS, params={"since": future}, headers=admin.headers)
    assert later.json()["items"] == []
    until_future = await api.client.get(
        EVENTS, params={"until": future, "limit": 200}, headers=admin.headers
    )
    assert len(until_future.json()["items"]) == len(everything)
    naive = await api.client.get(
        EVENTS, params={"since": "2026-01-01T00:00:00"}, headers=admin.headers
    )
    assert_problem(naive, 422)


async def test_served_events_recompute_to_the_public_head(api: Api) -> None:
    empty = (await api.client.get(HEAD)).json()
    assert empty == {"seq": 0, "hash": "0" * 64, "at": None}
    await make_events(api, 3)
    events = await api.audit_events()
    head = (await api.client.get(HEAD)).json()
    result = chain.verify_rows(events)
    assert result.intact
    assert (result.head_seq, result.head_hash) == (head["seq"], head["hash"])


async def test_a_change_and_its_event_commit_together(api: Api) -> None:
    with pytest.raises(RuntimeError):
        async with api.database.unit_of_work() as session:
            await directory.create_department(
                session, None, DepartmentCreate(code="GONE", name="x")
            )
            raise RuntimeError("the request failed after the change")
    async with api.database.unit_of_work() as session:
        assert await session.scalar(select(Department).where(Department.code == "GONE")) is None
        assert await session.scalar(select(AuditEvent)) is None


async def test_the_database_refuses_update_and_delete(api: Api, engine: Engine) -> None:
    await make_events(api, 2)
    for statement in (
        "UPDATE audit_events SET reason = 'rewritten' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM audit_events")) == 2
        assert connection.scalar(text("SELECT reason FROM audit_events WHERE seq = 1")) is None
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_events"))


async def test_verify_passes_on_an_intact_chain(api: Api, settings: Settings) -> None:
    await make_events(api, 4)
    result = run_verify(settings)
    assert result.returncode == 0, result.stderr
    assert "4 events" in result.stdout


@pytest.mark.parametrize(
    ("tampering", "broken"),
    [
        ('UPDATE audit_events SET data = \'{"code": "EDITED", "name": "x"}\' WHERE seq = 3', 3),
        ("UPDATE audit_events SET reason = 'added later' WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 3", 3),
        # Reordering: swap the contents' positions of events 2 and 4.
        (
            "UPDATE audit_events SET seq = CASE seq WHEN 2 THEN 40 WHEN 4 THEN 2 END WHERE seq IN (2, 4);",
            2,
        ),
    ],
    ids=["edited data", "edited reason", "deleted row", "reordered"],
)
async def test_verify_names_the_first_broken_seq(
    api: Api, settings: Settings, engine: Engine, tampering: str, broken: int
) -> None:
    await make_events(api, 5)
    without_triggers(engine, tampering)
    result = run_verify(settings)
    assert result.returncode == 1
    assert f"seq {broken}" in result.stderr, result.stderr
    assert result.stdout == ""


async def test_concurrent_writers_keep_one_straight_chain(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    before = len(await api.audit_events())

    async def create(i: int) -> int:
        response = await api.client.post(
            "/api/v1/departments",
            json={"code": f"C{i}", "name": f"Dept {i}"},
            headers=admin.headers,
        )
        return response.status_code

    statuses = await asyncio.gather(*(create(i) for i in range(60)))
    assert statuses == [201] * 60
    events = await api.audit_events()
    # + 60 departments, + 1 for the admin that audit_events() signs in as.
    assert len(events) == before + 61
    assert chain.verify_rows(events).intact
