"""Drive load with wrk, a compiled load generator (``apt-get install wrk``), and read its report.

A Python client on the same two cores would spend much of the CPU itself and flatten every
ratio towards 1; wrk sends a request in microseconds. Each run is bounded in time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rate: float
    non_2xx: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    #: wrk's report as printed, with what a script's ``done()`` wrote.
    report: str


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse(report: str) -> WrkResult:
    """The figures of ``wrk --latency``'s report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+),", report)
    if done is None:
        raise RuntimeError(f"wrk gave no summary:\n{report}")
    seconds = _ms(done.group(2) + done.group(3)) / 1000
    # A latency of a second or more is printed "1.57s " (padded to the width of "ms").
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)[ ]*$", report, flags=re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    return WrkResult(
        requests=int(done.group(1)),
        seconds=seconds,
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),  # type: ignore[union-attr]
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        p50_ms=_ms(latency["50"]),
        p90_ms=_ms(latency["90"]),
        p99_ms=_ms(latency["99"]),
        report=report,
    )


def run(
    url: str,
    *,
    seconds: float = 5,
    connections: int = 16,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    script: str | None = None,
    script_args: tuple[str, ...] = (),
) -> WrkResult:
    """``wrk`` against ``url`` for ``seconds``; ``script`` is Lua source (written to a file)."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if script is not None:
            path = Path(folder) / "script.lua"
            path.write_text(script)
            command += ["-s", str(path)]
        command.append(url)
        if script_args:
            command += ["--", *script_args]
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    return parse(done.stdout)
