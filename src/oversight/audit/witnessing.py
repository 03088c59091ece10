"""An outsider's check of the log, over HTTP only: the latest checkpoint is signed by the
pinned key and extends the last one this witness saw (RFC 9162 consistency proof), else it is
refused; the state file keeps the last checkpoint seen (its signed note)."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

import httpx

from oversight.audit import checkpoint, merkle, signing

API = "/api/v1/public/audit"


class Refused(Exception):
    """What the witness refuses, in one line."""


def _opened(note: str, key: str, where: str) -> checkpoint.Checkpoint:
    """The checkpoint in ``note``, signed by ``key`` for the log the key names."""
    try:
        body, _ = checkpoint.open(note, [key])
        found = checkpoint.Checkpoint.parse(body)
    except checkpoint.MalformedKey as exc:
        raise Refused(f"the key is not a verifier key: {exc}") from exc
    except (checkpoint.NoteError, checkpoint.MalformedCheckpoint) as exc:
        raise Refused(f"{where} is not a checkpoint signed by this key: {exc}") from exc
    if found.origin != signing.origin_of(key):
        raise Refused(f"{where} is a checkpoint of another log: {found.origin}")
    return found


def _get(client: httpx.Client, path: str, **params: int) -> httpx.Response:
    try:
        answer = client.get(API + path, params=params)
    except httpx.HTTPError as exc:
        raise Refused(f"the log did not answer: {exc}") from exc
    if answer.status_code != 200:
        raise Refused(f"the log answered {answer.status_code} to GET {API}{path}")
    return answer


def _proof(client: httpx.Client, old: int, new: int) -> list[bytes]:
    answer = _get(client, "/proofs/consistency", **{"from": old, "to": new})
    try:
        return [base64.b64decode(h, validate=True) for h in answer.json()["proof"]]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise Refused(f"the log's consistency proof is malformed: {exc}") from exc


def _remember(state: Path, note: str) -> None:
    temporary = state.with_name(state.name + ".new")
    try:
        temporary.write_text(note)
        os.replace(temporary, state)
    except OSError as exc:
        raise Refused(f"the state file {state} cannot be written: {exc}") from exc


def witness(url: str, key: str, state: Path) -> str:
    """Check the latest checkpoint at ``url`` against ``key`` and the one in ``state``; keep
    it; what was checked, in one line."""
    last = None
    if state.exists():
        try:
            last = _opened(state.read_text(), key, f"the state file {state}")
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused(f"the state file {state} cannot be read: {exc}") from exc
    with httpx.Client(base_url=url.rstrip("/"), timeout=30) as client:
        note = _get(client, "/checkpoint").text
        latest = _opened(note, key, "the log's checkpoint")
        if last is not None:
            if latest.size < last.size:
                raise Refused(f"the log shrank from {last.size} to {latest.size} events")
            if latest.size == last.size and latest.root != last.root:
                raise Refused(f"the log has two different roots for {latest.size} events")
            if latest.size > last.size and not merkle.verify_consistency(
                last.size,
                latest.size,
                _proof(client, last.size, latest.size),
                last.root,
                latest.root,
            ):
                raise Refused(
                    f"the log of {latest.size} events does not extend the one of {last.size} "
                    "this witness saw: its history was rewritten"
                )
    _remember(state, note)
    since = f", consistent with {last.size}" if last is not None else " (first seen)"
    return f"checkpoint of {latest.size} events verified{since}"
