"""``oversight early-intervention evaluate``: every active rule over every officer, now (the
worker evaluates the officers whose record changed; this also catches windows that moved on).
Like every command, it imports what it needs when it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from oversight.core.cli import in_transaction

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

intervention_app = typer.Typer(help="Early intervention: rules and flags.")


@intervention_app.command("evaluate")
def evaluate() -> None:
    """Evaluate every active rule for every officer: flags raised, updated, raised again."""
    import time

    from oversight.intervention.evaluation import evaluate as run

    async def work(session: AsyncSession) -> dict[str, int]:
        return (await run(session)).summary()

    started = time.perf_counter()
    done = in_transaction(work)
    typer.echo(
        f"{done['rules']} rules: {done['raised']} raised, {done['updated']} updated, "
        f"{done['raised_again']} raised again ({time.perf_counter() - started:.1f} s)"
    )
