"""``oversight attachments verify``: every object the record names, re-hashed from the store.
Like every command, it imports what it needs when it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from oversight.core.cli import fail, in_transaction, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

attachments_app = typer.Typer(help="Attachments: their bytes in the store.")


@attachments_app.command("verify")
def attachments_verify() -> None:
    """Re-hash every stored object the record names: each missing or altered one is named on
    a line of its own (exit 1); else how many were verified."""
    from sqlalchemy import select

    from oversight.core.engines import Reads
    from oversight.evidence.models import Attachment
    from oversight.evidence.store import open_store

    store = open_store(load_settings())

    async def work(session: AsyncSession) -> tuple[int, list[str]]:
        hashes = list(await session.scalars(select(Attachment.sha256).distinct()))
        return len(hashes), [
            line for sha256 in sorted(hashes) if (line := await store.check(sha256))
        ]

    checked, found = in_transaction(work, Reads.STATEMENTS)
    for line in found:
        typer.echo(line)
    if found:
        raise fail(f"{len(found)} of {checked} objects missing or altered")
    typer.echo(f"{checked} objects verified")
