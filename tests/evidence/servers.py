"""Real servers for the evidence tests, started here: Debian's clamd with a signature database
of one line (the EICAR test file; nothing downloaded), and moto's standalone S3 API server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.evidence.files import EICAR
from tests.helpers import free_port

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def wait_for(connect: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connect()  # type: ignore[operator]
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start in {seconds} s")


@contextmanager
def clamd(directory: Path) -> Iterator[str]:
    """A clamd on a unix socket in ``directory``; its ``unix://`` URL."""
    if not Path(CLAMD).exists():
        pytest.skip("no clamd (apt-get install clamav-daemon; .ci/run installs it)")
    database = directory / "signatures"
    database.mkdir()
    # One body-based signature (.ndb): any file containing the EICAR string.
    (database / "eicar.ndb").write_text(f"Oversight-Test-EICAR:0:*:{EICAR.hex()}\n")
    socket_path = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        f"Foreground yes\nLocalSocket {socket_path}\nDatabaseDirectory {database}\n"
        f"StreamMaxLength 300M\nLogFile {directory / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [CLAMD, f"--config-file={config}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def connect() -> None:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(socket_path))
            sock.sendall(b"zPING\0")
            if sock.recv(16) != b"PONG\0":
                raise OSError("not ready")

    try:
        wait_for(connect, "clamd")
        yield f"unix://{socket_path}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 API server on loopback; its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), 1).close(), "moto")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
