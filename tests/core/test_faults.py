"""Faults on PostgreSQL: an exhausted pool and a stuck lock answer 503 quickly, with a problem
document and Retry-After, change nothing, and the service carries on once they clear. (The
database restarted under load is `bench/faults.py`.)"""

from __future__ import annotations

import time

import psycopg

from oversight.core.audit import CHAIN_LOCK_KEY
from oversight.core.config import Settings
from tests.helpers import CONCERNS, Api, assert_problem, concern_body


async def test_an_exhausted_pool_answers_503_quickly(tight: Api) -> None:
    reader = tight.database.reader
    assert reader is not None  # PostgreSQL: reads have a pool of their own
    direct = await tight.database.direct.pool()  # and so does the bare driver (intake)
    keyed = {"Idempotency-Key": "held"}  # an intake with a key runs in a unit of work
    for hold, method, path, headers in (
        (reader.connect, "GET", "/api/v1/public/categories", {}),
        (tight.database.engine.connect, "POST", CONCERNS, keyed),
        (direct.acquire, "POST", CONCERNS, {}),
    ):
        async with hold():  # that pool's only connection, held
            started = time.monotonic()
            body_sent = concern_body() if method == "POST" else None
            response = await tight.client.request(method, path, json=body_sent, headers=headers)
            waited = time.monotonic() - started
            body = assert_problem(response, 503)
            assert response.headers["retry-after"]
            assert "Traceback" not in body["detail"]
        assert waited < 3  # the pool timeout (0.5 s), not a hang
    assert (await tight.client.get("/api/v1/public/categories")).status_code == 200


async def test_a_stuck_lock_fails_the_write_fast_and_keeps_nothing(
    tight: Api, settings: Settings
) -> None:
    with psycopg.connect(settings.database_url, autocommit=True) as blocker:
        # Another session holds the audit chain's lock: every write waits on it at commit.
        blocker.execute("SELECT pg_advisory_lock(%s)", (CHAIN_LOCK_KEY,))
        started = time.monotonic()
        response = await tight.client.post(CONCERNS, json=concern_body())
        waited = time.monotonic() - started
        assert_problem(response, 503)
        assert waited < 5  # the statement timeout (1 s), not a hang
        # Reads do not need the lock.
        assert (await tight.client.get("/api/v1/public/categories")).status_code == 200
        blocker.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK_KEY,))
        count = blocker.execute("SELECT count(*) FROM concerns").fetchone()
    assert count == (0,)  # the failed write left no concern behind
    created = await tight.client.post(CONCERNS, json=concern_body())
    assert created.status_code == 201, created.text
