"""Where one worker's CPU goes under load: py-spy samples the server while wrk drives one shape.

    .venv/bin/python -m bench.profile [--shape intake] [--top 40]

Needs ``py-spy`` (``pip install py-spy``; sampling another process may need root or
``ptrace``). Samples 8 s of wrk load and prints the share of samples (idle excluded) each
package and each function is at the top of; the collapsed stacks are left in
``bench/profile-<shape>.txt`` for a flame graph. (An inclusive view would mislead: a coroutine
resumed by the event loop, or code run in SQLAlchemy's greenlet, is sampled without its
callers.)
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
from pathlib import Path

import psycopg

from bench import wrk
from bench.harness import PIDS, bulk_concerns, create_user, postgres_database, server, sign_in
from bench.throughput import post_script

SHAPES = ("intake", "page", "me", "read", "healthz")


def _load(shape: str, app: str, staff: dict[str, str], token: str, concern: str) -> wrk.WrkResult:
    """One wrk run of ``shape`` against ``app``."""
    seconds = 8
    if shape == "intake":
        return wrk.run(f"{app}/api/v1/concerns", seconds=seconds, script=post_script(token))
    path = {
        "page": "/api/v1/concerns?limit=50",
        "me": "/api/v1/users/me",
        "read": f"/api/v1/concerns/{concern}",
        "healthz": "/healthz",
    }[shape]
    return wrk.run(f"{app}{path}", seconds=seconds, headers=staff)


def summarize(collapsed: str, top: int) -> str:
    by_package: collections.Counter[str] = collections.Counter()
    by_function: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        leaf = stack.split(";")[-1]
        total += n
        by_function[leaf] += n
        found = re.search(r"\(([^/:]+)", leaf)
        by_package[found.group(1) if found else leaf] += n
    lines = [f"{total} samples"]
    for title, counter in (("package", by_package), ("function", by_function)):
        lines.append(f"-- by {title}")
        lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="intake", choices=SHAPES)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(__file__).parent.parent / ".venv/bin/py-spy")
    out = Path(__file__).parent / f"profile-{args.shape}.txt"
    with postgres_database() as url:
        bulk_concerns(url, 1, 10_000)
        commissioner, resident = create_user(url, "commissioner"), create_user(url, "resident")
        with psycopg.connect(url) as connection:
            concern = str(connection.execute("SELECT id FROM concerns LIMIT 1").fetchone()[0])  # type: ignore[index]
        with server(url, args=("serve", "--host", "127.0.0.1", "--workers", "1")) as app:
            staff = sign_in(app, commissioner)
            token = sign_in(app, resident)["Authorization"].removeprefix("Bearer ")
            _load(args.shape, app, staff, token, concern)  # warm up
            record = [spy, "record", "-p", str(PIDS[app]), "-f", "raw", "-o", str(out)]
            record += ["-d", "8", "-r", "250", "--nonblocking"]
            with subprocess.Popen(record, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                result = _load(args.shape, app, staff, token, concern)
    print(result)
    print(summarize(out.read_text(), args.top))


if __name__ == "__main__":
    main()
