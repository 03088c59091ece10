"""A webhook receiver for bench/outbox.py: answers 204 and counts, nothing else (so that the
worker, not the receiver, is measured). ``GET /count`` says how many it received.

    python -m bench.receiver --port N
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

received = 0


async def app(scope: Any, receive: Any, send: Any) -> None:
    global received
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["path"] == "/count":
        body = str(received).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    received += 1
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
