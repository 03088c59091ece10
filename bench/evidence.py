"""Evidence's costs against a real uvicorn, PostgreSQL and a directory store (issue 28).

    .venv/bin/python -m bench.evidence [--seconds 10] [--rounds 2]

1. Memory: the API process's resident memory (VmRSS, sampled every 20 ms) while one 200 MB
   upload streams in (chunked, from a generator: the client holds no copy either), against its
   own resident memory just before. Goal: within 64 MB.
2. 16 concurrent uploads of 20 MB each (different bytes): every one answered 201 with the
   SHA-256 the client computed, and read back identical.
3. Throughput, in turns in one run (wrk, 4 connections): 20 MB uploads (multipart) and
   downloads (`GET /attachments/{id}/content`, signed in, so each one is audited) against a
   bare Starlette app (`bench/raw_store.py`) streaming the same bytes into and out of the same
   store. Goal: each at least 0.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from bench import wrk
from bench.harness import PIDS, create_user, postgres_database, rss_kb, server, sign_in

MB = 1024 * 1024
Run = Callable[[], wrk.WrkResult]
BOUNDARY = "oversight-bench-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
#: An MP4's first box: what the allow-list takes the rest of the bytes for.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def parts(size: int, seed: int, chunk: int = MB) -> Iterator[bytes]:
    """A multipart body with one ``video.mp4`` of ``size`` bytes, in chunks."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="video.mp4"'
        "\r\nContent-Type: video/mp4\r\n\r\n"
    ).encode()
    rng = random.Random(seed)  # noqa: S311  (bench data)
    yield MP4_HEAD
    left = size - len(MP4_HEAD)
    while left > 0:
        n = min(chunk, left)
        yield rng.randbytes(n)
        left -= n
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def file_hash(size: int, seed: int) -> str:
    digest = hashlib.sha256()
    body = list(parts(size, seed))
    for piece in body[1:-1]:
        digest.update(piece)
    return digest.hexdigest()


def memory(base: str, url: str, headers: dict[str, str]) -> None:
    pid = PIDS[base]
    # Warm up: imports, pools and the first upload's code paths are in the baseline.
    warm = httpx.post(
        url,
        content=b"".join(parts(2 * MB, 1)),
        headers={**headers, "Content-Type": CONTENT_TYPE},
        timeout=60,
    )
    warm.raise_for_status()
    time.sleep(0.5)
    baseline = rss_kb(pid)
    peak, done = baseline, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    try:
        answer = httpx.post(
            url,
            content=parts(200 * MB, 2),
            headers={**headers, "Content-Type": CONTENT_TYPE},
            timeout=300,
        )
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    answer.raise_for_status()
    intact = answer.json()["sha256"] == file_hash(200 * MB, 2)
    print(
        f"200 MB upload: {seconds:.1f} s ({200 / seconds:.0f} MB/s), intact {intact}; API "
        f"resident memory {baseline / 1024:.1f} MB before, peak {peak / 1024:.1f} MB: "
        f"+{(peak - baseline) / 1024:.1f} MB (goal: within 64 MB)"
    )


async def concurrent(url: str, headers: dict[str, str]) -> None:
    size = 20 * MB
    bodies = [b"".join(parts(size, 100 + i)) for i in range(16)]
    expected = [file_hash(size, 100 + i) for i in range(16)]
    async with httpx.AsyncClient(timeout=300) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(
                client.post(url, content=body, headers={**headers, "Content-Type": CONTENT_TYPE})
                for body in bodies
            )
        )
        seconds = time.perf_counter() - started
        created = [a for a in answers if a.status_code == 201]
        hashes_match = [a.json()["sha256"] for a in created] == expected
        base = url.split("/api/")[0]
        intact = 0
        for found in created:
            content = await client.get(base + found.json()["content_url"], headers=headers)
            intact += hashlib.sha256(content.content).hexdigest() == found.json()["sha256"]
    print(
        f"16 concurrent 20 MB uploads: {len(created)}/16 created in {seconds:.1f} s "
        f"({16 * 20 / seconds:.0f} MB/s), hashes as sent {hashes_match}, "
        f"read back intact {intact}/16"
    )


def upload_script(body: Path) -> str:
    return f"""
local f = io.open("{body}", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "{CONTENT_TYPE}"
"""


def throughput(
    app_url: str, raw_url: str, headers: dict[str, str], store: Path, seconds: float, rounds: int
) -> None:
    size = 20 * MB
    with tempfile.TemporaryDirectory() as folder:
        body = Path(folder) / "body"
        body.write_bytes(b"".join(parts(size, 7)))
        script = upload_script(body)
        created = httpx.post(
            app_url,
            content=body.read_bytes(),
            headers={**headers, "Content-Type": CONTENT_TYPE},
            timeout=60,
        ).json()
        digest = created["sha256"]
        base = app_url.split("/api/")[0]
        shapes: dict[str, tuple[Run, Run]] = {
            "upload": (
                lambda: wrk.run(
                    app_url, seconds=seconds, connections=4, headers=headers, script=script
                ),
                lambda: wrk.run(
                    f"{raw_url}/raw/upload", seconds=seconds, connections=4, script=script
                ),
            ),
            "download": (
                lambda: wrk.run(
                    base + created["content_url"], seconds=seconds, connections=4, headers=headers
                ),
                lambda: wrk.run(
                    f"{raw_url}/raw/objects/sha256/{digest[:2]}/{digest}",
                    seconds=seconds,
                    connections=4,
                ),
            ),
        }
        for name, (app, raw) in shapes.items():
            ratios, app_rates, raw_rates = [], [], []
            for _ in range(rounds):
                a, r = app(), raw()
                shutil.rmtree(store / "raw", ignore_errors=True)
                if a.non_2xx or r.non_2xx or a.errors or r.errors:
                    print(
                        f"  {name}: non-2xx {a.non_2xx}/{r.non_2xx}, errors {a.errors}/{r.errors}"
                    )
                app_rates.append(a.rate * 20)
                raw_rates.append(r.rate * 20)
                ratios.append(a.rate / r.rate)
            print(
                f"{name} (20 MB, 4 connections): app {statistics.median(app_rates):.0f} MB/s, "
                f"bare Starlette {statistics.median(raw_rates):.0f} MB/s, ratio "
                f"{statistics.median(ratios):.2f} (rounds {', '.join(f'{x:.2f}' for x in ratios)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, postgres_database() as url:
        store = Path(folder) / "store"
        store.mkdir()
        email = create_user(url, "commissioner")
        env = {"OVERSIGHT_ATTACHMENTS_STORE": f"file://{store}"}
        raw_args = ("--store", str(store))
        with (
            server(url, env=env) as base,
            server(url, module="bench.raw_store", args=raw_args, ready="/healthz") as raw,
        ):
            headers = sign_in(base, email)
            meeting = httpx.post(
                f"{base}/api/v1/meetings",
                json={"title": "Bench meeting", "scheduled_at": "2030-01-15T18:00:00Z"},
                headers=headers,
            )
            meeting.raise_for_status()
            url_of = f"{base}/api/v1/meetings/{meeting.json()['id']}/attachments"
            memory(base, url_of, headers)
            asyncio.run(concurrent(url_of, headers))
            throughput(url_of, raw, headers, store, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
