"""``oversight audit keygen``, ``checkpoint`` and ``witness``: the verifiable log's key, a
checkpoint now, and an outsider's check that the log only ever grew (HTTP only, no database);
``oversight backup`` and ``restore``: the restore drill (``audit.backup``).
Like every command, each imports what it needs when it runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from oversight.core.cli import fail, load_settings


def keygen(
    name: Annotated[
        str | None, typer.Option(help="The log's name (default: PUBLIC_URL's host, /audit).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the key (default: AUDIT_KEY_FILE).")
    ] = None,
) -> None:
    """Make the log's Ed25519 signing key and write it (readable by its owner only; an
    existing file is never replaced); print the verifier key to publish."""
    from oversight.audit import checkpoint, signing

    settings = load_settings()
    path = out or Path(settings.audit_key_file)
    try:
        _, verifier = signing.write_key(path, name or settings.log_origin)
    except FileExistsError as exc:
        raise fail(f"{path} exists already: a log keeps its key (see docs/operations.md)") from exc
    except OSError as exc:
        raise fail(f"{path} cannot be written: {exc}") from exc
    except checkpoint.MalformedKey as exc:
        raise fail(str(exc)) from exc
    typer.echo(verifier)


def make_checkpoint() -> None:
    """Bring the log's Merkle tree up to date and sign a checkpoint of it now."""
    import asyncio

    from sqlalchemy.exc import DBAPIError

    from oversight.audit import checkpoint, signing, tree
    from oversight.core.db import Database

    async def run() -> str:
        database = Database(load_settings())
        try:
            made = await tree.checkpoint(database)
            if made is None:
                return "the last checkpoint is current: nothing to sign"
            return f"checkpoint of {made.tree_size} events, root {checkpoint.b64(made.root_hash)}"
        finally:
            await database.dispose()

    try:
        typer.echo(asyncio.run(run()))
    except (signing.NoSigningKey, checkpoint.NoteError, OSError) as exc:
        raise fail(str(exc)) from exc
    except DBAPIError as exc:
        raise fail(f"database error ({exc.orig}); is it up and migrated?") from exc


def witness(
    url: Annotated[str, typer.Option(help="The service's address, e.g. https://example.org.")],
    key: Annotated[str, typer.Option(help="The log's verifier key, pinned by you.")],
    state: Annotated[Path, typer.Option(help="Where the last checkpoint seen is kept.")],
) -> None:
    """Check the log's latest checkpoint: signed by KEY, and an extension of the last one seen
    (a consistency proof); then remember it. Exit 1, with one line, when it is not."""
    from oversight.audit import witnessing

    try:
        typer.echo(witnessing.witness(url, key, state))
    except witnessing.Refused as exc:
        raise fail(str(exc)) from exc


def backup(
    out: Annotated[Path, typer.Option(help="An absent or empty folder to write the backup to.")],
) -> None:
    """Back up the database (pg_dump's custom format, or SQLite's online backup) with the log's
    latest signed checkpoint and a manifest of SHA-256s."""
    from oversight.audit import backup as backups

    settings = load_settings()
    _drill(lambda: backups.backup(settings, out))


def restore(
    source: Annotated[Path, typer.Option("--from", help="The backup's folder.")],
    into: Annotated[
        str,
        typer.Option(
            envvar="OVERSIGHT_RESTORE_INTO",
            help="The URL of an empty database to restore into (or OVERSIGHT_RESTORE_INTO, "
            "to keep its password off the command line).",
        ),
    ],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Then prove the copy: migrations at head, the chain intact, the Merkle root "
            "equal to the signed checkpoints'.",
        ),
    ] = False,
    key: Annotated[
        list[str] | None,
        typer.Option(
            help="The log's verifier key, as published (again for each key it has had); "
            "default: this service's own key's."
        ),
    ] = None,
) -> None:
    """Restore a backup into an empty database, after checking its files against the manifest
    and its checkpoint's signature; exit 1 naming the first mismatch."""
    from oversight.audit import backup as backups

    settings = load_settings()
    _drill(lambda: backups.restore(settings, source, into, keys=key or [], verify=verify))


def _drill(work: Callable[[], str]) -> None:
    """Run a backup or a restore: its line, or one line and exit 1 for every failure."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from oversight.audit import backup as backups

    try:
        typer.echo(work())
    except backups.Refused as exc:
        raise fail(str(exc)) from exc
    except DBAPIError as exc:
        raise fail(f"database error ({str(exc.orig).strip()})") from exc
    except (SQLAlchemyError, OSError, ValueError) as exc:  # a bad URL, a folder, a file
        raise fail(str(exc).strip().splitlines()[0]) from exc
