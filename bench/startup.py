"""Start-up cost of the ``oversight`` command, as whole processes, against ``python -c pass``
in the same run (issue 14: ``oversight --help`` under 0.3 s).

    .venv/bin/python -m bench.startup [--runs 10]

Each command runs ``--runs`` times, the commands taking turns; reported: the median wall time
of each and its ratio to ``python -c pass``. ``oversight report`` reads a demo SQLite database
made first (``seed-demo --concerns 200``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "OVERSIGHT_DATABASE_URL": f"sqlite:///{folder}/demo.db",
            "OVERSIGHT_ENV": "dev",
        }
        oversight = [sys.executable, "-m", "oversight"]
        subprocess.run([*oversight, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run(
            [*oversight, "seed-demo", "--concerns", "200"], env=env, check=True, capture_output=True
        )
        out = str(Path(folder) / "report.json")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "oversight --help": [*oversight, "--help"],
            "oversight report": [*oversight, "report", "--format", "json", "--out", out],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    base = statistics.median(times["python -c pass"])
    print(
        json.dumps(
            {
                name: {
                    "median_s": round(statistics.median(runs), 3),
                    "over_python": round(statistics.median(runs) / base, 1),
                }
                for name, runs in times.items()
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
