"""What every ``oversight`` command shares: one line and exit 1 for every failure, the
settings, and one unit of work run as a request would run it. Imports nothing heavy at import
time (``oversight --help`` stays fast)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from pydantic import ValidationError
    from sqlalchemy.ext.asyncio import AsyncSession

    from oversight.core.config import Settings
    from oversight.core.engines import Reads

T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def load_settings() -> Settings:
    """The settings, with the areas' handlers registered: every command that touches the
    database starts here, and ``oversight --help`` does not pay for ``oversight.wiring``."""
    from pydantic import ValidationError

    import oversight.wiring  # noqa: F401
    from oversight.core.config import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        raise fail(one_line(exc)) from exc


def one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = " ".join(str(first["msg"]).split())
    return f"{where}: {message}" if where else message


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]], reads: Reads | None = None) -> T:
    """Run ``work`` in one unit of work, as a request would, and report errors in one line."""
    import asyncio

    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    from oversight.core.db import Database
    from oversight.core.errors import OversightError

    async def run() -> T:
        database = Database(load_settings())
        try:
            async with database.unit_of_work(reads) as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except OversightError as exc:
        raise fail(exc.detail or exc.title) from exc
    except ValidationError as exc:
        raise fail(one_line(exc)) from exc
    except DBAPIError as exc:
        raise fail(
            f"database error ({exc.orig}); is it up and migrated (oversight migrate)?"
        ) from exc


def read_upload(path: Path) -> tuple[str, str]:
    """A CSV file's text and SHA-256; missing, too large or not UTF-8: one line, exit 1."""
    import hashlib

    from oversight.core.csvfile import MAX_FILE_BYTES, BadFile, decode

    if not path.is_file():
        raise fail(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; nothing imported")
    data = path.read_bytes()
    try:
        return decode(data), hashlib.sha256(data).hexdigest()
    except BadFile as exc:
        raise fail(f"{path}: {exc}") from exc
