"""The baseline for bench/concerns_throughput.py: the same INSERT and the same triage-page
SELECT as the app, through psycopg's async pool, with no layer but FastAPI.

    python -m bench.raw_app --port 8100   (OVERSIGHT_DATABASE_URL must be PostgreSQL)
"""

from __future__ import annotations

import argparse
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

INSERT = """
INSERT INTO concerns (id, tracking_code, kind, category, summary, description, occurred_at,
    address, neighborhood, latitude, longitude, status, priority_rank, anonymous, contact_email,
    triage_due_at, due_sort, version, created_at, updated_at)
VALUES (%(id)s, %(tracking_code)s, %(kind)s, %(category)s, %(summary)s, %(description)s,
    %(occurred_at)s, %(address)s, %(neighborhood)s, %(latitude)s, %(longitude)s, 'submitted', 1,
    true, NULL, %(due)s, %(due)s, 1, %(now)s, %(now)s)
"""
PAGE = """
SELECT * FROM concerns ORDER BY created_at DESC, id DESC LIMIT 51
"""


def create_app(dsn: str) -> FastAPI:
    pool = AsyncConnectionPool(dsn, min_size=10, max_size=20, open=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/raw/concerns", status_code=201)
    async def insert(request: Request) -> dict[str, Any]:
        body = await request.json()
        now = datetime.now(UTC)
        row = {
            "id": uuid.uuid4(),
            "tracking_code": "OC-" + secrets.token_hex(6).upper(),
            "kind": body["kind"],
            "category": body["category"],
            "summary": body["summary"],
            "description": body["description"],
            "occurred_at": body.get("occurred_at"),
            "address": body["location"]["address"],
            "neighborhood": body["location"]["neighborhood"],
            "latitude": body["location"]["latitude"],
            "longitude": body["location"]["longitude"],
            "due": now + timedelta(days=7),
            "now": now,
        }
        async with pool.connection() as connection:
            await connection.execute(INSERT, row)
        return {"id": str(row["id"]), "tracking_code": row["tracking_code"]}

    @app.get("/raw/concerns")
    async def page() -> dict[str, Any]:
        async with pool.connection() as connection, connection.cursor(row_factory=dict_row) as cur:
            await cur.execute(PAGE)
            rows = await cur.fetchall()
        return {"items": rows[:50], "next_cursor": None}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    url = os.environ["OVERSIGHT_DATABASE_URL"]
    uvicorn.run(create_app(url), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
