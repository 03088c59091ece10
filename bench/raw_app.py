"""The ceiling for bench/throughput.py: FastAPI and asyncpg running the same SQL as the app,
with nothing else (no audit, no validation beyond reading the body, no rate limits).

    python -m bench.raw_app --port 8100   (OVERSIGHT_DATABASE_URL must be PostgreSQL;
                                           OVERSIGHT_SECRET_KEY signs the tokens it reads)

- ``POST /raw/concerns``: the app's INSERT of a concern.
- ``GET /raw/concerns``: the app's triage page (a concern's allegations folded in as JSON).
- ``GET /raw/users/me``, ``GET /raw/concerns/{id}``: python-jose's HS256 decode of the bearer
  token (algorithm, audience and issuer pinned, as the app does), then one SELECT by id.
- ``GET /healthz`` on ``--bare``: a FastAPI app with that one route and nothing else.
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

import asyncpg
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from jose import jwt

INSERT = """
INSERT INTO concerns (id, tracking_code, kind, category, summary, description, occurred_at,
    address, neighborhood, latitude, longitude, status, priority_rank, anonymous, contact_email,
    submitted_by, triage_due_at, due_sort, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', 2, false, NULL, $12, $13, $13,
    1, $14, $14)
"""
PAGE = """
SELECT c.*, (SELECT json_agg(json_build_object('id', a.id, 'category', a.category,
                 'officer_badge', a.officer_badge, 'officer_name', a.officer_name,
                 'description', a.description, 'finding', a.finding))
             FROM (SELECT * FROM allegations WHERE concern_id = c.id ORDER BY position) AS a)
       AS allegations
FROM concerns AS c ORDER BY c.created_at DESC, c.id DESC LIMIT 51
"""
USER = """
SELECT id, email, display_name, role, department_id, is_active, created_at
FROM users WHERE id = $1
"""
CONCERN = "SELECT * FROM concerns WHERE id = $1"


def _plain(row: asyncpg.Record) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID | datetime) else v) for k, v in row.items()}


def create_app(dsn: str, secret: str) -> FastAPI:
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pools.append(await asyncpg.create_pool(dsn, min_size=10, max_size=20))
        yield
        await pools[0].close()

    app = FastAPI(lifespan=lifespan)

    def caller(request: Request) -> uuid.UUID:
        header = request.headers.get("authorization", "")
        try:
            claims = jwt.decode(
                header.removeprefix("Bearer "),
                secret,
                algorithms=["HS256"],
                audience="oversight-api",
                issuer="oversight",
            )
        except Exception as exc:
            raise HTTPException(401) from exc
        return uuid.UUID(claims["sub"])

    @app.post("/raw/concerns", status_code=201)
    async def insert(request: Request) -> dict[str, Any]:
        body = await request.json()
        user = caller(request)
        now = datetime.now(UTC)
        concern_id = uuid.uuid4()
        code = "OC-" + secrets.token_hex(6).upper()
        location = body["location"]
        occurred = body.get("occurred_at")
        await pools[0].execute(
            INSERT,
            concern_id,
            code,
            body["kind"],
            body["category"],
            body["summary"],
            body["description"],
            datetime.fromisoformat(occurred) if occurred else None,
            location["address"],
            location["neighborhood"],
            location["latitude"],
            location["longitude"],
            user,
            now + timedelta(days=7),
            now,
        )
        return {"id": str(concern_id), "tracking_code": code}

    @app.get("/raw/concerns")
    async def page(request: Request) -> dict[str, Any]:
        caller(request)
        rows = await pools[0].fetch(PAGE)
        return {"items": [_plain(r) for r in rows[:50]], "next_cursor": None}

    @app.get("/raw/users/me")
    async def me(request: Request) -> dict[str, Any]:
        user = caller(request)
        row = await pools[0].fetchrow(USER, user)
        if row is None:
            raise HTTPException(404)
        return _plain(row)

    @app.get("/raw/concerns/{concern_id}")
    async def read(concern_id: uuid.UUID, request: Request) -> dict[str, Any]:
        caller(request)
        row = await pools[0].fetchrow(CONCERN, concern_id)
        if row is None:
            raise HTTPException(404)
        return _plain(row)

    @app.get("/readyz")
    async def ready() -> Response:
        return Response("ok")

    return app


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return app


def from_environment() -> FastAPI:
    """The ceiling for the database and key in the environment (a factory for uvicorn)."""
    url = os.environ["OVERSIGHT_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
    return create_app(url, os.environ["OVERSIGHT_SECRET_KEY"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--bare", action="store_true", help="Serve only GET /healthz.")
    args = parser.parse_args()
    uvicorn.run(
        "bench.raw_app:bare_app" if args.bare else "bench.raw_app:from_environment",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        server_header=False,
    )


if __name__ == "__main__":
    main()
