"""Scanning an upload with clamd while it streams: the ``INSTREAM`` command over TCP or a unix
socket (clamd's own protocol: ``zINSTREAM\\0``, then chunks each prefixed by its length as a
4-byte big-endian integer, a zero-length chunk to end, one reply line).

Written by hand (decision 0014): the protocol is these few lines, and the maintained Python
clients are synchronous (a thread per upload) or unmaintained.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from oversight.core.errors import ServiceUnavailable

#: clamd's default StreamMaxLength is 25 MiB: scanning larger uploads needs it raised.
UNREACHABLE = "The malware scanner is unavailable; nothing was kept."
#: Largest chunk sent in one INSTREAM frame.
FRAME = 64 * 1024


class Infected(Exception):
    """clamd found something; the signature's name is the message."""


@dataclass
class Scan:
    """One INSTREAM conversation; ``feed`` each chunk, then ``verdict``."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    timeout: float

    @classmethod
    async def start(cls, url: str, seconds: float) -> Scan:
        parts = urlsplit(url)
        try:
            async with asyncio.timeout(seconds):
                if parts.scheme == "unix":
                    reader, writer = await asyncio.open_unix_connection(parts.path)
                else:
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                writer.write(b"zINSTREAM\0")
                await writer.drain()
        except (OSError, TimeoutError) as exc:
            raise ServiceUnavailable(UNREACHABLE) from exc
        return cls(reader, writer, seconds)

    async def feed(self, chunk: bytes) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                for at in range(0, len(chunk), FRAME):
                    frame = chunk[at : at + FRAME]
                    self.writer.write(struct.pack(">I", len(frame)) + frame)
                    await self.writer.drain()
        except (OSError, TimeoutError) as exc:
            # clamd closes the stream past its StreamMaxLength, or died: fail closed.
            self.close()
            raise ServiceUnavailable(UNREACHABLE) from exc

    async def verdict(self) -> None:
        """Returns when the stream is clean; ``Infected`` when not; 503 when the scan could not
        finish (the scanner's limits, an error, a timeout)."""
        try:
            async with asyncio.timeout(self.timeout):
                self.writer.write(struct.pack(">I", 0))
                await self.writer.drain()
                reply = (await self.reader.readuntil(b"\0")).rstrip(b"\0").decode()
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ServiceUnavailable(UNREACHABLE) from exc
        finally:
            self.close()
        # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded..."
        result = reply.removeprefix("stream:").strip()
        if result == "OK":
            return
        if result.endswith(" FOUND"):
            raise Infected(result.removesuffix(" FOUND").strip())
        raise ServiceUnavailable(f"The malware scanner could not scan the file ({result}).")

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()
