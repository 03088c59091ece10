"""Streamed downloads go out in chunks of about CHUNK_BYTES, not a send per line."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from oversight.core.http.responses import CHUNK_BYTES, in_chunks


async def numbered(count: int) -> AsyncGenerator[str]:
    for n in range(count):
        yield f"{n},a line of an export\n"


async def test_lines_are_sent_in_chunks_with_nothing_lost() -> None:
    lines = [line async for line in numbered(20_000)]
    chunks = [chunk async for chunk in in_chunks(numbered(20_000))]
    assert b"".join(chunks).decode() == "".join(lines)
    assert all(len(chunk) >= CHUNK_BYTES for chunk in chunks[:-1])
    assert all(len(chunk) < CHUNK_BYTES + 100 for chunk in chunks)
    assert len(chunks) == -(-len("".join(lines)) // CHUNK_BYTES)


async def test_an_empty_export_sends_nothing() -> None:
    assert [chunk async for chunk in in_chunks(numbered(0))] == []
