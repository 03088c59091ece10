"""The restore drill through the CLI, on the suite's database (SQLite or PostgreSQL): a backup
restores into an empty database and proves itself against the signed checkpoint; a backup
altered by one byte, a checkpoint signed by another key, a history rewritten and substituted
with a fixed-up manifest, and a database that is not empty are refused with one line (before
anything is restored, but for the proof, which needs the copy)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from oversight.audit import checkpoint
from oversight.core import chain
from oversight.core.config import Settings
from oversight.core.engines import create_sync_engine
from oversight.core.models import AuditEvent
from tests.audit.test_audit import make_events
from tests.audit.test_log import signed, tamper
from tests.conftest import make_settings
from tests.helpers import Api, run_cli


def events_of(url: str) -> tuple[int, str | None]:
    """How many events a database holds, and its head's hash; (0, None) without the table."""
    engine = create_sync_engine(make_settings(url))
    try:
        with engine.connect() as connection:
            if not engine.dialect.has_table(connection, "audit_events"):
                return 0, None
            count = connection.scalar(select(func.count()).select_from(AuditEvent))
            head = connection.scalar(select(func.max(AuditEvent.hash)))  # a digest of the set
            return int(count or 0), head
    finally:
        engine.dispose()


def manifest_of(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return found


def database_file(folder: Path) -> Path:
    [name] = [str(n) for n in manifest_of(folder)["files"] if n.startswith("database.")]
    return folder / name


def fix_manifest(folder: Path) -> None:
    """What someone altering a backup would do next: the manifest's hashes made to match."""
    manifest = manifest_of(folder)
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def fix_manifest_without(folder: Path, name: str) -> None:
    manifest = manifest_of(folder)
    del manifest["files"][name]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    fix_manifest(folder)


def rechain(engine: Engine, seq: int, reason: str) -> None:
    """Rewrite event ``seq``'s reason and every later hash, so that the chain verifies."""
    with engine.connect() as connection:
        rows = [
            dict(row)
            for row in connection.execute(
                select(AuditEvent.__table__).where(AuditEvent.seq >= seq - 1).order_by("seq")
            ).mappings()
        ]
    prev = rows[0]["hash"]
    statements = []
    for row in rows[1:]:
        if row["seq"] == seq:
            row["reason"] = reason
        row["prev_hash"] = prev
        prev = chain.chain_hash(prev, row)
        statements.append(
            f"UPDATE audit_events SET reason = {_quoted(row['reason'])}, "
            f"prev_hash = '{row['prev_hash']}', hash = '{prev}' WHERE seq = {row['seq']}"
        )
    tamper(engine, *statements)


def _quoted(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


async def test_a_backup_restores_into_an_empty_database_and_proves_itself(
    api: Api, settings: Settings, fresh_database_url: str, tmp_path: Path
) -> None:
    await make_events(api, 5)
    signed(settings)
    await make_events(api, 2)  # after the checkpoint: covered by the chain alone
    folder = tmp_path / "backup"
    made = run_cli(settings, "backup", "--out", str(folder))
    assert made.returncode == 0, made.stderr
    manifest = manifest_of(folder)
    size = manifest["checkpoint"]["tree_size"]
    assert set(manifest["files"]) == {database_file(folder).name, "checkpoint"}
    assert f"the checkpoint of {size} events" in made.stdout
    again = run_cli(settings, "backup", "--out", str(folder))
    assert again.returncode == 1 and "is not an empty folder" in again.stderr

    restored = run_cli(
        settings, "restore", "--from", str(folder), "--into", fresh_database_url, "--verify"
    )
    assert restored.returncode == 0, restored.stderr
    count, head = events_of(settings.database_url)
    assert count > size
    assert f"verified: chain intact over {count} events" in restored.stdout
    assert f"the root of the first {size} is the signed checkpoint's" in restored.stdout
    assert events_of(fresh_database_url) == (count, head)

    # The copy is the service's database: it answers for itself.
    listed = run_cli(make_settings(fresh_database_url), "audit", "verify")
    assert listed.returncode == 0 and f"{count} events" in listed.stdout

    # Not into a database that has data: refused, and it keeps what it had.
    twice = run_cli(settings, "restore", "--from", str(folder), "--into", fresh_database_url)
    assert twice.returncode == 1 and twice.stderr.count("\n") == 1
    assert "is not empty" in twice.stderr
    assert events_of(fresh_database_url) == (count, head)


async def test_an_altered_backup_is_refused_and_nothing_restored(
    api: Api, settings: Settings, engine: Engine, fresh_database_url: str, tmp_path: Path
) -> None:
    await make_events(api, 6)
    signed(settings)
    folder = tmp_path / "backup"
    assert run_cli(settings, "backup", "--out", str(folder)).returncode == 0
    dump = database_file(folder)

    def restore(*extra: str, restored: bool = False) -> Any:
        done = run_cli(
            settings, "restore", "--from", str(folder), "--into", fresh_database_url, *extra
        )
        assert done.returncode == 1, done.stdout
        assert done.stderr.count("\n") == 1, done.stderr
        if not restored:  # refused before anything was written
            assert events_of(fresh_database_url) == (0, None)
        return done

    # One byte altered: the manifest's hash says so.
    original = dump.read_bytes()
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    dump.write_bytes(bytes(altered))
    refused = restore("--verify")
    assert f"{dump} is not the file backed up" in refused.stderr
    dump.write_bytes(original)

    # A checkpoint signed by another key, the manifest fixed up to match it.
    kept = (folder / "checkpoint").read_text()
    other = checkpoint.generate_key("testserver/audit")[0]
    body = kept[: kept.index("\n\n") + 1]
    (folder / "checkpoint").write_text(checkpoint.sign(body, other))
    fix_manifest(folder)
    forged = restore("--verify")
    assert "the backup's checkpoint is not signed by the log's key" in forged.stderr
    (folder / "checkpoint").write_text(kept)
    fix_manifest(folder)
    # A manifest that names another file (to hash whatever it points at): refused.
    manifest = manifest_of(folder)
    manifest["files"]["../../etc/hostname"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert "lists files a backup does not have" in restore().stderr
    fix_manifest_without(folder, "../../etc/hostname")
    # A bad URL to restore into: one line.
    bad_url = run_cli(settings, "restore", "--from", str(folder), "--into", "nonsense://x")
    assert bad_url.returncode == 1 and bad_url.stderr.count("\n") == 1, bad_url.stderr
    # A key the operator pins that is not the log's: refused as well.
    pinned = restore("--key", checkpoint.verifier_key(other))
    assert "not signed by the log's key" in pinned.stderr

    # The database swapped for one whose history was rewritten and re-chained (so that the
    # chain verifies), the manifest fixed up: the signed root is what catches it.
    rechain(engine, 2, "nothing happened")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT reason FROM audit_events WHERE seq = 2")) == (
            "nothing happened"
        )
    assert run_cli(settings, "audit", "verify").returncode == 0  # the chain alone cannot tell
    rewritten = tmp_path / "rewritten"
    assert run_cli(settings, "backup", "--out", str(rewritten)).returncode == 0
    dump.write_bytes(database_file(rewritten).read_bytes())
    fix_manifest(folder)
    caught = restore("--verify", restored=True)  # the proof comes after the copy
    size = manifest_of(folder)["checkpoint"]["tree_size"]
    assert "the copy is left in" in caught.stderr
    assert f"the root of the copy's first {size} events is" in caught.stderr
    assert "the backup's signed checkpoint" in caught.stderr


async def test_a_backup_without_a_signed_checkpoint_proves_nothing(
    api: Api, settings: Settings, fresh_database_url: str, tmp_path: Path
) -> None:
    """As if someone had taken the checkpoint out of a backup (and out of its manifest) after
    rewriting its events: the proof refuses rather than pass on the chain alone."""
    await make_events(api, 3)
    folder = tmp_path / "backup"
    made = run_cli(settings, "backup", "--out", str(folder))
    assert made.returncode == 0 and "no checkpoint" in made.stdout, made.stderr
    assert "checkpoint" not in manifest_of(folder)["files"]
    restored = run_cli(
        settings, "restore", "--from", str(folder), "--into", fresh_database_url, "--verify"
    )
    assert restored.returncode == 1 and restored.stderr.count("\n") == 1, restored.stderr
    assert "the backup has no signed checkpoint" in restored.stderr
