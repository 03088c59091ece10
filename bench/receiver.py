"""A webhook receiver for bench/outbox.py and bench/outbox_faults.py: answers 204 and counts
(so that the worker, not the receiver, is measured). ``GET /count`` says how many requests it
received; ``GET /ids`` the distinct ``webhook-id`` values, one per line (what a receiver that
drops repeats keeps).

    python -m bench.receiver --port N
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

received = 0
ids: set[bytes] = set()


async def app(scope: Any, receive: Any, send: Any) -> None:
    global received
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["path"] in ("/count", "/ids"):
        body = str(received).encode() if scope["path"] == "/count" else b"\n".join(ids)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    received += 1
    ids.update(value for name, value in scope["headers"] if name == b"webhook-id")
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
