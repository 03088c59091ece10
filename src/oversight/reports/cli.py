"""``oversight report`` and ``oversight audit verify``: the transparency summary written to a
file (from the database or a running deployment), and the audit chain recomputed."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oversight.core.cli import fail, in_transaction, load_settings, one_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.progress import Progress
    from sqlalchemy.ext.asyncio import AsyncSession

    from oversight.core.config import Settings
    from oversight.reports.schemas import PublicSummary


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


def report(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    start: Annotated[
        str | None, typer.Option("--from", help="First month, YYYY-MM (a date is widened).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last month, YYYY-MM; not past the current.")
    ] = None,
    output_format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.JSON,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="Read a running deployment instead.")
    ] = None,
) -> None:
    """The transparency summary over whole months (default: the last twelve complete months,
    the month in progress left out; at most 36), from the database or, with --api-url, from a
    running deployment."""
    from datetime import UTC, datetime

    from oversight.core.periods import Period, PeriodError
    from oversight.reports.schemas import PublicSummary

    try:
        period = Period.resolve(start, end, datetime.now(UTC).date())
    except PeriodError as exc:
        raise fail(f"--{exc.field}: {exc.message}") from None
    if api_url is not None:
        figures = _summary_over_http(api_url, {"from": str(period.first), "to": str(period.last)})
    else:
        from oversight.core.engines import Reads
        from oversight.reports import summary

        settings = load_settings()

        async def work(session: AsyncSession) -> PublicSummary:
            computed = await summary.compute(session, period, settings.suppression_threshold)
            return PublicSummary.model_validate(computed)

        figures = in_transaction(work, Reads.SNAPSHOT)
    if output_format is ReportFormat.CSV:
        from oversight.reports import formats

        text = formats.summary_csv(figures.model_dump(mode="json", by_alias=True))
    elif output_format is ReportFormat.HTML:
        from oversight.reports import html

        text = html.render(figures)
    else:
        text = figures.model_dump_json(by_alias=True, indent=2) + "\n"
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from exc
    typer.echo(f"report written to {out}")


def _summary_over_http(api_url: str, params: dict[str, str]) -> PublicSummary:
    """A running deployment's summary, checked like any input before it goes into a report."""
    import httpx
    from pydantic import ValidationError

    from oversight.reports.schemas import PublicSummary

    try:
        response = httpx.get(
            f"{api_url.rstrip('/')}/api/v1/public/reports/summary", params=params, timeout=60
        )
    except httpx.HTTPError as exc:
        raise fail(f"could not reach {api_url}: {exc}") from exc
    if response.status_code != 200:
        raise fail(f"{api_url} answered {response.status_code}: {response.text[:200]}")
    try:
        return PublicSummary.model_validate_json(response.content)
    except ValidationError as exc:
        raise fail(f"{api_url} did not send a transparency summary: {one_line(exc)}") from exc


def _stream_events(settings: Settings, progress: Progress) -> Iterator[dict[str, Any]]:
    from sqlalchemy import select

    from oversight.core.engines import create_sync_engine
    from oversight.core.models import AuditEvent

    engine = create_sync_engine(settings)
    try:
        with engine.connect() as connection:
            total = connection.scalar(
                select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)
            )
            task = progress.add_task("Verifying the audit chain", total=total or 0)
            rows = connection.execution_options(stream_results=True, yield_per=2000).execute(
                select(AuditEvent.__table__).order_by(AuditEvent.seq)
            )
            for row in rows.mappings():
                progress.advance(task)
                yield dict(row)
    finally:
        engine.dispose()


def verify() -> None:
    """Recompute the hash chain. Exit 0 when intact; otherwise name the first broken seq."""
    from rich.console import Console
    from rich.progress import Progress

    from oversight.core import chain

    settings = load_settings()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        result = chain.verify_rows(_stream_events(settings, progress))
    if not result.intact:
        raise fail(f"audit chain broken at seq {result.broken_seq}: {result.problem}")
    typer.echo(
        f"audit chain intact: {result.checked} events, head seq {result.head_seq} "
        f"hash {result.head_hash}"
    )
