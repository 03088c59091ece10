"""The ``oversight`` command. Exit 0 on success; otherwise one line on stderr and exit 1.

Each command imports what it needs when it runs: ``oversight --help`` or a report script does
not pay for the whole application (FastAPI, the ORM, the charts) before it knows which command
runs (bench: ``oversight --help`` within 0.3 s).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from oversight.audit import cli as cli_audit
from oversight.budget import cli as cli_budget
from oversight.core.cli import fail, in_transaction, load_settings
from oversight.core.roles import Role
from oversight.evidence.cli import attachments_app
from oversight.intervention.cli import intervention_app
from oversight.officers.cli import officers_app
from oversight.reports import cli as cli_reports

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


app = typer.Typer(help="Oversight: the oversight commission's case-management service.")
users_app = typer.Typer(help="Manage accounts.")
departments_app = typer.Typer(help="Manage police departments.")
audit_app = typer.Typer(help="The audit log.")
app.add_typer(cli_budget.budget_app, name="budget")
app.add_typer(cli_budget.operations_app, name="operations")
app.add_typer(officers_app, name="officers")
app.add_typer(attachments_app, name="attachments")
app.add_typer(intervention_app, name="early-intervention")
app.add_typer(users_app, name="users")
app.add_typer(departments_app, name="departments")
app.add_typer(audit_app, name="audit")
app.command("report")(cli_reports.report)
app.command("backup")(cli_audit.backup)
app.command("restore")(cli_audit.restore)
audit_app.command("verify")(cli_reports.verify)
audit_app.command("keygen")(cli_audit.keygen)
audit_app.command("checkpoint")(cli_audit.make_checkpoint)
audit_app.command("witness")(cli_audit.witness)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    reload: bool = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(help="Proxies whose X-Forwarded-For is trusted (the client IP for limits)."),
    ] = "127.0.0.1",
    access_log: Annotated[
        bool,
        typer.Option(
            help="A line per request on standard output, with its request id (the route's "
            "template, never its ids or query); behind a proxy that logs requests, turn it off."
        ),
    ] = True,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    # The app's own access line (core.http.middleware.AccessLog) instead of uvicorn's: it carries
    # the request id and costs less per request (bench/README.md). The app (in each worker)
    # reads it from the environment, as every setting.
    os.environ["OVERSIGHT_ACCESS_LOG"] = "true" if access_log else "false"
    load_settings()
    uvicorn.run(
        "oversight.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,
        server_header=False,
    )


@app.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the database to the newest migration (or to REVISION)."""
    from alembic import command

    from oversight.core.migrations_info import alembic_config

    command.upgrade(alembic_config(load_settings()), revision)


@app.command()
def openapi() -> None:
    """Print the OpenAPI document the app serves."""
    import json

    from oversight.main import create_app

    document = create_app(load_settings()).openapi()
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()],
    display_name: Annotated[str, typer.Option("--display-name")],
    department: Annotated[str | None, typer.Option(help="Department code (officers).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create a user of any role (the first admin is made this way)."""
    from sqlalchemy import select

    from oversight.accounts import service as users
    from oversight.accounts.models import Department
    from oversight.accounts.schemas import UserCreate

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(session: AsyncSession) -> str:
        department_id = None
        if department is not None:
            department_id = await session.scalar(
                select(Department.id).where(Department.code == department)
            )
            if department_id is None:
                raise fail(f"no department with code {department}")
        data = UserCreate(
            email=email,
            display_name=display_name,
            role=role,
            password=password,
            department_id=department_id,
        )
        user = await users.create(session, None, data)
        return str(user.id)

    typer.echo(in_transaction(work))


@departments_app.command("create")
def create_department(
    code: Annotated[str, typer.Option()], name: Annotated[str, typer.Option()]
) -> None:
    """Create a police department."""
    from oversight.accounts import directory
    from oversight.accounts.directory_schemas import DepartmentCreate

    async def work(session: AsyncSession) -> str:
        department = await directory.create_department(
            session, None, DepartmentCreate(code=code, name=name)
        )
        return str(department.id)

    typer.echo(in_transaction(work))


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="One round, then exit.")] = False,
    batch: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    concurrency: Annotated[int, typer.Option(min=1, max=256)] = 8,
    idle: Annotated[float, typer.Option(min=0.05, help="Seconds between empty rounds.")] = 1.0,
) -> None:
    """Send the outbox's deliveries (webhooks) until stopped (SIGINT, SIGTERM). Run as many as
    you like against one PostgreSQL: each delivery is claimed by one of them at a time."""
    import asyncio
    import signal

    from oversight.core.db import Database
    from oversight.notifications.worker import Worker

    async def run() -> int:
        settings = load_settings()
        database = Database(settings)
        sender = Worker(settings, database, batch=batch, concurrency=concurrency)
        try:
            if once:
                return await sender.run_once()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await sender.run(stop, idle)
            return 0
        finally:
            await sender.close()
            await database.dispose()

    handled = asyncio.run(run())
    if once:
        typer.echo(f"{handled} deliveries handled")


@app.command("seed-demo")
def seed_demo(
    concerns: Annotated[int, typer.Option(min=0, max=1_000_000, help="How many concerns.")] = 400,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing (exit 0) when the database has data.")
    ] = False,
) -> None:
    """Fill an empty database with a demo city and a year of its concerns."""
    import asyncio

    from rich.console import Console
    from rich.progress import Progress

    from oversight import demo
    from oversight.core.db import Database
    from oversight.core.errors import OversightError

    settings = load_settings()

    async def run() -> str:
        database = Database(settings)
        try:
            async with database.unit_of_work() as session:
                empty = await demo.is_empty(session)
            if not empty:
                if if_empty:
                    return "the database already has data; demo data not loaded"
                raise fail("the database is not empty; seed-demo only fills an empty one")
            with Progress(console=Console(stderr=True), transient=True) as progress:
                task = progress.add_task("Creating demo data", total=demo.total(concerns))
                made = await demo.seed(
                    database, settings, concerns, lambda n: progress.advance(task, n)
                )
        finally:
            await database.dispose()
        return (
            f"demo data loaded: {made} records; "
            f"every demo account's password is {demo.DEMO_PASSWORD!r}"
        )

    try:
        typer.echo(asyncio.run(run()))
    except OversightError as exc:
        raise fail(exc.detail or exc.title) from exc


def main() -> None:
    """Run the command; a usage error (an unknown option, a malformed value) is one line on
    standard error and exit 1, like every other failure."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except typer.TyperException as exc:  # Typer's usage errors: bad option, missing value
        typer.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)
