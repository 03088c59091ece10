"""The restore drill: ``oversight backup`` and ``oversight restore --verify``.

A backup is a folder: the database (PostgreSQL: a ``pg_dump`` custom-format dump; SQLite: a
copy made with SQLite's online backup), the log's latest signed checkpoint as it was signed
(``checkpoint``), and ``manifest.json`` with every file's SHA-256. A restore checks the files
against the manifest and the checkpoint's signature against the log's key before it writes
anything, restores into an empty database only, and with ``--verify`` proves the copy: its
migrations at this version's head, its hash chain intact, and the Merkle root of its events
equal to the signed checkpoint's (and to every checkpoint the copy itself holds). Each refusal
names the first mismatch (``Refused``: one line, exit 1).

The root is recomputed from the events, never read from the copy's stored tree: the signed
checkpoint is the one thing in a backup its holder cannot forge without the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.engine import make_url

from oversight.audit import checkpoint as notes
from oversight.audit import merkle, signing
from oversight.audit.models import Checkpoint
from oversight.core import chain
from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.engines import create_sync_engine
from oversight.core.migrations_info import head_revision
from oversight.core.models import AuditEvent

MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint"
DATABASE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT = 1


class Refused(Exception):
    """A backup or restore that cannot go on; the message is the one line the CLI prints."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as ``pg_dump`` and ``pg_restore`` take it (no SQLAlchemy driver name), and the
    environment that carries its password (never on a command line others can list)."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Refused(f"{url} names no SQLite file")
    return Path(database)


def _tool(program: str, url: str, *arguments: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the database at ``url``; its first error line,
    when it fails."""
    target, environment = _libpq(url)
    command = [program, *arguments, f"--dbname={target}"]
    try:
        # The programs are named here; the URL and the paths are the operator's own arguments.
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=3600, env=environment
        )
    except FileNotFoundError as exc:
        raise Refused(f"{program} is not installed (PostgreSQL's client programs)") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise Refused(f"{program} failed: {lines[0] if lines else done.returncode}")


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return None if found is None else str(found)


# Backing up.


def backup(settings: Settings, out: Path) -> str:
    """Write a backup of the settings' database into ``out`` (absent or empty); a line saying
    what it holds."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Refused(f"{out} is not an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    dialect = make_url(settings.database_url).get_backend_name()
    engine = create_sync_engine(settings)
    try:
        with engine.connect() as connection:
            latest = connection.execute(
                select(Checkpoint.tree_size, Checkpoint.root_hash, Checkpoint.note)
                .order_by(Checkpoint.tree_size.desc())
                .limit(1)
            ).first()
            revision = _revision(connection)
    finally:
        engine.dispose()
    # The checkpoint is read first: the dump, taken after, holds at least the events it signs.
    target = out / DATABASE[dialect]
    if dialect == "postgresql":
        _tool("pg_dump", settings.database_url, "--format=custom", "--no-owner", f"--file={target}")
    else:
        with (
            closing(sqlite3.connect(_sqlite_path(settings.database_url))) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    files = [target]
    if latest is not None:
        (out / CHECKPOINT).write_text(latest.note)
        files.append(out / CHECKPOINT)
    manifest = {
        "format": FORMAT,
        "made_at": utcnow().isoformat(),
        "dialect": dialect,
        "revision": revision,
        "checkpoint": None
        if latest is None
        else {"tree_size": latest.tree_size, "root_hash": notes.b64(latest.root_hash)},
        "files": {path.name: _sha256(path) for path in files},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    signed = "no checkpoint" if latest is None else f"the checkpoint of {latest.tree_size} events"
    return f"backed up to {out}: {target.name}, {signed}"


# Restoring.


@dataclass(frozen=True)
class Backup:
    folder: Path
    dialect: str
    database: Path
    signed: notes.Checkpoint | None


def read_backup(folder: Path, verifiers: list[str]) -> Backup:
    """The backup in ``folder``, once every file matches the manifest and the checkpoint is
    signed by one of ``verifiers``."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files: Mapping[str, str] = manifest["files"]
        dialect = manifest["dialect"]
        database = folder / DATABASE[dialect]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Refused(f"{folder / MANIFEST} is missing or not a backup's manifest") from exc
    if manifest.get("format") != FORMAT:
        raise Refused(f"{folder / MANIFEST} is of format {manifest.get('format')}, not {FORMAT}")
    if not set(files) <= {database.name, CHECKPOINT}:
        raise Refused(f"{folder / MANIFEST} lists files a backup does not have")
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise Refused(f"{path} is missing")
        found = _sha256(path)
        if found != expected:
            raise Refused(f"{path} is not the file backed up: its SHA-256 is {found}, "
                          f"the manifest says {expected}")  # fmt: skip
    if database.name not in files:
        raise Refused(f"the manifest does not list {database.name}")
    if CHECKPOINT not in files:
        return Backup(folder, dialect, database, None)
    signed = _opened((folder / CHECKPOINT).read_text(), verifiers, "the backup's checkpoint")
    return Backup(folder, dialect, database, signed)


def _opened(note: str, verifiers: list[str], what: str) -> notes.Checkpoint:
    if not verifiers:
        raise Refused(f"no key to check {what} with: pass --key")
    try:
        body, _ = notes.open(note, verifiers)
        return notes.Checkpoint.parse(body)
    except (notes.NoteError, notes.MalformedCheckpoint) as exc:
        raise Refused(f"{what} is not signed by the log's key: {exc}") from exc


def _empty(connection: Connection) -> bool:
    return not inspect(connection).get_table_names()


def restore(settings: Settings, folder: Path, into: str, *, keys: list[str], verify: bool) -> str:
    """Restore the backup in ``folder`` into the empty database at ``into``; with ``verify``,
    prove the copy (``verified``) with the log's verifier ``keys`` (default: this service's
    own). A line saying what was done."""
    verifiers = keys or _own_verifier(settings)
    found = read_backup(folder, verifiers)
    target = settings.model_copy(update={"database_url": into})
    where = make_url(into).render_as_string()  # never its password
    if make_url(into).get_backend_name() != found.dialect:
        raise Refused(f"the backup is of a {found.dialect} database; {where} is not one")
    engine = create_sync_engine(target)
    try:
        with engine.connect() as connection:
            if not _empty(connection):
                raise Refused(f"{where} is not empty: restore only into an empty database")
    finally:
        engine.dispose()
    if found.dialect == "postgresql":
        _tool("pg_restore", into, "--no-owner", "--exit-on-error", "--single-transaction",
              str(found.database))  # fmt: skip
    else:
        shutil.copyfile(found.database, _sqlite_path(into))
    if not verify:
        return f"restored {found.database.name} into {where}"
    try:
        proof = verified(target, found.signed, verifiers)
    except Refused as exc:
        raise Refused(f"{exc} (the copy is left in {where} to inspect)") from exc
    return f"restored {found.database.name} into {where}; {proof}"


def _own_verifier(settings: Settings) -> list[str]:
    """This service's verifier key, when it has its signing key here (never made anew)."""
    if settings.audit_signing_key is None and not Path(settings.audit_key_file).exists():
        return []
    return [signing.verifier_key(settings)]


def verified(settings: Settings, signed: notes.Checkpoint | None, verifiers: list[str]) -> str:
    """Prove the database at ``settings``: its migrations at head, its chain intact, and the
    root of its first N events equal to every checkpoint's of N: the backup's signed one, and
    each the copy holds, whose signature is checked too (a copy's table is as easy to edit as
    its events)."""
    engine = create_sync_engine(settings)
    try:
        with engine.connect() as connection:
            revision = _revision(connection)
            if revision != head_revision():
                raise Refused(
                    f"the copy's migrations are at {revision}, not at this version's head "
                    f"{head_revision()}"
                )
            roots: dict[int, tuple[bytes, str]] = {}
            for note in connection.scalars(select(Checkpoint.note)):
                held = _opened(note, verifiers, "a checkpoint in the copy")
                roots[held.size] = (held.root, f"the copy's checkpoint of {held.size} events")
            if signed is not None:
                roots[signed.size] = (
                    signed.root,
                    f"the backup's signed checkpoint of {signed.size} events",
                )
            tree = merkle.Accumulator()
            mismatch: list[str] = []

            def leaves(rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
                for row in rows:
                    tree.append(merkle.leaf_hash(chain.canonical_event(row)))
                    expected = roots.get(tree.size)
                    if expected is not None and tree.root() != expected[0] and not mismatch:
                        mismatch.append(
                            f"the root of the copy's first {tree.size} events is "
                            f"{notes.b64(tree.root())}; {expected[1]} says {notes.b64(expected[0])}"
                        )
                    yield row

            rows = connection.execution_options(stream_results=True, yield_per=2000).execute(
                select(AuditEvent.__table__).order_by(AuditEvent.seq)
            )
            result = chain.verify_rows(leaves(dict(row) for row in rows.mappings()))
    finally:
        engine.dispose()
    if not result.intact:
        raise Refused(f"audit chain broken at seq {result.broken_seq}: {result.problem}")
    if mismatch:
        raise Refused(mismatch[0])
    missing = [size for size in roots if size > result.checked]
    if missing:
        raise Refused(f"the copy has {result.checked} events; {roots[max(missing)][1]} signs more")
    if signed is None:
        if result.checked:
            raise Refused(
                "the backup has no signed checkpoint, so nothing proves its events (sign one "
                "with `oversight audit checkpoint` before backing up)"
            )
        return "verified: an empty log"
    return (
        f"verified: chain intact over {result.checked} events, and the root of the first "
        f"{signed.size} is the signed checkpoint's"
    )
