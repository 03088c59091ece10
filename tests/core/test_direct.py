"""``db.Direct``: the caller check and a concern read on the bare driver give exactly what the
same statements give through SQLAlchemy, and their faults answer as SQLAlchemy's would."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
from sqlalchemy import select

from oversight.accounts import auth
from oversight.concerns import view
from oversight.concerns.models import Concern
from oversight.concerns.visibility import sight
from oversight.core.config import Settings
from oversight.core.db import InSession
from oversight.core.roles import Actor, Role
from oversight.core.security import decode_access_token
from tests.helpers import CONCERNS, Api, assert_problem, concern_body


def typed(row: dict[str, Any] | None) -> list[tuple[str, type, Any]] | None:
    """A row's columns with their values' types: equal values of other types differ here."""
    return None if row is None else [(key, type(value), value) for key, value in row.items()]


async def test_direct_rows_are_sqlalchemys_rows(api: Api, settings: Settings) -> None:
    officer = await api.person(Role.OFFICER)
    resident = await api.person()
    body = concern_body(
        allegations=[{"category": "discourtesy", "officer_badge": "4521", "description": "x"}]
    )
    created = await api.client.post(CONCERNS, json=body, headers=resident.headers)
    assert created.status_code == 201, created.text
    concern_id = uuid.UUID(created.json()["id"])
    commissioner = await api.person(Role.COMMISSIONER)
    direct = api.database.direct
    compared = 0
    for person in (resident, officer, commissioner, await api.person()):
        claims = decode_access_token(settings, person.access_token)
        caller = {"user_id": claims.user_id, "session_id": claims.session_id}
        on_its_own = await direct.first(auth._SIGNED_IN, caller)
        assert on_its_own is not None
        actor = Actor(on_its_own["id"], Role(on_its_own["role"]), on_its_own["department_id"], None)
        kind, viewer = sight(actor)
        statement = view._read_statement(direct.dialect, kind)
        read = {"concern_id": concern_id, **viewer}
        async with api.database.unit_of_work() as session:
            in_session = InSession(session)
            assert typed(on_its_own) == typed(await in_session.first(auth._SIGNED_IN, caller))
            through_sqlalchemy = await in_session.first(statement, read)
        assert typed(await direct.first(statement, read)) == typed(through_sqlalchemy)
        compared += through_sqlalchemy is not None
    # The resident and the commissioner see it; the officer (it is not referred to their
    # department) and another resident do not: None from both executors.
    assert compared == 2


async def test_the_caller_check_sees_a_sign_out_at_once(api: Api) -> None:
    person = await api.person()
    assert (await api.client.get("/api/v1/users/me", headers=person.headers)).status_code == 200
    signed_out = await api.client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": person.refresh_token},
        headers=person.headers,
    )
    assert signed_out.status_code == 204, signed_out.text
    assert_problem(await api.client.get("/api/v1/users/me", headers=person.headers), 401)


async def test_an_exhausted_direct_pool_answers_503_quickly(tight: Api) -> None:
    person = await tight.person()
    pool = await tight.database.direct.pool()
    async with pool.acquire():  # its only connection, held
        started = time.monotonic()
        response = await tight.client.get("/api/v1/users/me", headers=person.headers)
        assert time.monotonic() - started < 3  # the pool timeout, not a hang
    assert_problem(response, 503)
    assert response.headers["retry-after"]
    assert (await tight.client.get("/api/v1/users/me", headers=person.headers)).status_code == 200


async def test_a_statement_timeout_in_the_caller_check_is_a_503(
    tight: Api, settings: Settings
) -> None:
    person = await tight.person()
    with psycopg.connect(settings.database_url) as blocker:
        blocker.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        response = await tight.client.get("/api/v1/users/me", headers=person.headers)
        body = assert_problem(response, 503)
        assert "Traceback" not in body["detail"]
        blocker.rollback()
    assert (await tight.client.get("/api/v1/users/me", headers=person.headers)).status_code == 200


async def test_a_lost_connection_is_replaced_without_a_500(tight: Api, settings: Settings) -> None:
    person = await tight.person()
    me = "/api/v1/users/me"
    assert (await tight.client.get(me, headers=person.headers)).status_code == 200
    with psycopg.connect(settings.database_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert ended is not None and ended[0] >= 1
    statuses = [(await tight.client.get(me, headers=person.headers)).status_code for _ in range(3)]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200


async def test_an_intake_writes_the_row_a_unit_of_work_writes(api: Api) -> None:
    """On PostgreSQL a plain intake is one call of ``concern_submit`` (the row as JSON); with
    an Idempotency-Key it is the unit of work's Core INSERT. Same body, same row."""
    resident = await api.person()
    body = concern_body(contact_email="me@example.org", contact_phone="+1 555 0100")
    rows = []
    for extra in ({}, {"Idempotency-Key": "same-row"}):
        created = await api.client.post(CONCERNS, json=body, headers={**resident.headers, **extra})
        assert created.status_code == 201, created.text
        async with api.database.unit_of_work() as session:
            found = await InSession(session).first(
                select(Concern).where(Concern.id == uuid.UUID(created.json()["id"])), {}
            )
        assert found is not None
        rows.append(found)
    differ = {"id", "tracking_code", "created_at", "updated_at", "triage_due_at", "due_sort"}
    alone, in_unit = ({k: v for k, v in row.items() if k not in differ} for row in rows)
    assert typed(alone) == typed(in_unit)
    assert alone["submitted_by"] == resident.id and alone["contact_phone"] == "+1 555 0100"
