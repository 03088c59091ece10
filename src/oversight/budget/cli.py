"""``oversight budget import`` and ``oversight operations import``: a finance office's CSV and
the monthly calls for service, read whole, checked line by line, imported all or nothing.
Like every command, each imports what it needs when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oversight.core.cli import fail, in_transaction, read_upload

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

budget_app = typer.Typer(help="The police budget.")
operations_app = typer.Typer(help="Operational figures (calls for service).")


@budget_app.command("import")
def budget_import(
    year: Annotated[int, typer.Option(min=1900, max=2200)],
    file: Annotated[
        Path, typer.Option(help="program,category,adopted,revised,actual[,department]")
    ],
    city_total: Annotated[str, typer.Option(help="The city's general fund, e.g. 412,000,000.00")],
    label: Annotated[str | None, typer.Option(help="Default: FY<year>.")] = None,
    starts_on: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; default: July 1 before.")
    ] = None,
    ends_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: June 30.")] = None,
) -> None:
    """Replace a fiscal year's police lines with a finance office's CSV (amounts may be written
    $1,234.56): all or nothing; every bad row is named by its line number."""
    from datetime import date

    from pydantic import TypeAdapter, ValidationError

    from oversight.budget import service as budget
    from oversight.budget.rules import BadAmount, budget_lines, cents
    from oversight.budget.schemas import YearLabel
    from oversight.core.csvfile import BadFile

    try:
        name = TypeAdapter(YearLabel).validate_python(label or f"FY{year}")
    except ValidationError as exc:
        raise fail(f"--label: {exc.errors()[0]['msg']}") from exc
    text, digest = read_upload(file)
    try:
        lines = budget_lines(text)
        total = cents(city_total)
        first = date.fromisoformat(starts_on) if starts_on else date(year - 1, 7, 1)
        last = date.fromisoformat(ends_on) if ends_on else date(year, 6, 30)
    except BadFile as exc:
        raise fail(f"{file}: {exc}; nothing imported") from exc
    except BadAmount as exc:
        raise fail(f"--city-total: {exc}") from exc
    except ValueError as exc:
        raise fail(f"a date: {exc}") from exc
    meta = budget.YearIn(year, name, first, last, total)

    async def work(session: AsyncSession) -> dict[str, Any]:
        return await budget.import_year(session, None, meta, lines, digest, loc=("file",))

    view = in_transaction(work)
    typer.echo(
        f"FY{year}: {len(lines)} lines, police {view['police_total']} of "
        f"{view['city_total']} ({view['police_share_pct']}%), sha256 {digest}"
    )


@operations_app.command("import")
def operations_import(
    file: Annotated[
        Path, typer.Option(help="month,neighborhood,priority,calls,median_response_minutes")
    ],
) -> None:
    """Monthly calls for service and median response minutes: the months the file covers are
    replaced, all or nothing. Counts and minutes are digits 0-9; a median may have any number of
    decimals (7.25, 7.2583) and is stored rounded half-even to a tenth of a minute (7.2, 7.3)."""
    from oversight.budget import service as budget
    from oversight.budget.rules import operations
    from oversight.core.csvfile import BadFile

    text, digest = read_upload(file)
    try:
        rows = operations(text)
    except BadFile as exc:
        raise fail(f"{file}: {exc}; nothing imported") from exc

    async def work(session: AsyncSession) -> dict[str, Any]:
        return await budget.import_operations(session, None, rows, digest)

    done = in_transaction(work)
    typer.echo(f"{done['rows']} rows for {len(done['months'])} months, sha256 {digest}")
