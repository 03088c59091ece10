"""The audit log's signing key: ``AUDIT_SIGNING_KEY``, else the key file ``oversight audit
keygen`` wrote (in dev, made there on first use, so that ``make run`` signs checkpoints with
nothing to set up)."""

from __future__ import annotations

import os
from pathlib import Path

from oversight.audit import checkpoint
from oversight.core.config import Settings


class NoSigningKey(RuntimeError):
    """No key is set and none may be made here: checkpoints cannot be signed."""


def write_key(path: Path, name: str) -> tuple[str, str]:
    """A new key for the log ``name`` in ``path`` (readable by its owner only): (signer key,
    verifier key). An existing file is never replaced."""
    signer, verifier = checkpoint.generate_key(name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(signer + "\n")
    return signer, verifier


def signer_key(settings: Settings) -> str:
    """The key checkpoints are signed with."""
    if settings.audit_signing_key is not None:
        return settings.audit_signing_key.get_secret_value().strip()
    path = Path(settings.audit_key_file)
    if path.exists():
        return path.read_text().strip()
    if settings.env != "dev":
        raise NoSigningKey(
            "No audit signing key: set OVERSIGHT_AUDIT_SIGNING_KEY, or run "
            f"`oversight audit keygen` to write {path}."
        )
    try:
        return write_key(path, settings.log_origin)[0]
    except FileExistsError:  # another process made it meanwhile
        return path.read_text().strip()


def verifier_key(settings: Settings) -> str:
    """The verifier key outsiders pin: ``<name>+<key id>+<base64(0x01 || key)>``."""
    return checkpoint.verifier_key(signer_key(settings))


def origin_of(verifier: str) -> str:
    """The log's name, as its key names it: every checkpoint's first line."""
    return verifier.split("+", 1)[0]
