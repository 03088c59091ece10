"""The ceiling for bench/evidence.py: a bare Starlette app streaming a request's bytes into the
same directory store the app uses, and back out of it through obstore, and nothing else (no
parsing, no hashing, no typing, no database, no audit).

    python -m bench.raw_store --port 8101 --store /path/to/store

- ``POST /raw/upload``: the body streamed to a staging file, then renamed into the store.
- ``GET /raw/objects/{key}``: the object streamed from the store (obstore's LocalStore).
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import obstore
import uvicorn
from obstore.store import LocalStore
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


def create_app(root: Path) -> Starlette:
    store = LocalStore(prefix=root)
    staging = root / "raw-incoming"
    staging.mkdir(parents=True, exist_ok=True)

    async def upload(request: Request) -> Response:
        name = uuid.uuid4().hex
        path = staging / name
        size = 0
        with path.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
                size += len(chunk)
        target = root / "raw" / name
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
        return Response(f'{{"key": "raw/{name}", "size": {size}}}', 201)

    async def download(request: Request) -> Response:
        key = request.path_params["key"]
        result = await obstore.get_async(store, key)

        async def body() -> AsyncIterator[bytes]:
            async for chunk in result.stream(min_chunk_size=256 * 1024):
                yield bytes(chunk)

        return StreamingResponse(body(), media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route("/raw/upload", upload, methods=["POST"]),
            Route("/raw/objects/{key:path}", download),
            Route("/healthz", lambda _: Response("ok")),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.store), host="127.0.0.1", port=args.port, access_log=False)


if __name__ == "__main__":
    main()
