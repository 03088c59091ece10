"""``oversight officers import``: a department's roster file, read whole, checked line by line,
imported all or nothing. Like every command, it imports what it needs when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oversight.core.cli import fail, in_transaction, read_upload

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

officers_app = typer.Typer(help="The roster of sworn officers.")


@officers_app.command("import")
def officers_import(
    file: Annotated[
        Path,
        typer.Option(
            help="department,badge,first_name,last_name,rank,unit,status,hired_on,separated_on"
        ),
    ],
) -> None:
    """Upsert officers by department and badge; an officer the file leaves out is left as is.
    Any bad row (each named by its line) and nothing is imported."""
    from oversight.core.clock import utcnow
    from oversight.core.csvfile import BadFile
    from oversight.officers import roster
    from oversight.officers.rules import roster_rows

    text, digest = read_upload(file)
    try:
        rows = roster_rows(text, utcnow().date())
    except BadFile as exc:
        raise fail(f"{file}: {exc}; nothing imported") from exc

    async def work(session: AsyncSession) -> dict[str, Any]:
        return await roster.import_roster(session, None, rows, digest, loc=("file",))

    done = in_transaction(work)
    typer.echo(
        f"{done['created']} created, {done['updated']} updated, {done['unchanged']} unchanged; "
        f"sha256 {digest}"
    )
