"""The hash chain of the audit log: each event's canonical form, its hash, and the verifier.

The chain
---------
Events are numbered ``seq`` = 1, 2, 3, ... without gaps, in commit order. Each event's

    hash = lowercase hex of SHA-256( prev_hash + canonical_json(event) )

where ``prev_hash`` is the previous event's ``hash`` (64 ASCII zeros for ``seq`` 1), the
``+`` is plain concatenation of the 64-character ``prev_hash`` (ASCII) and the canonical JSON
(UTF-8), and ``canonical_json(event)`` is the RFC 8785 (JCS) serialisation of a JSON object with
exactly these members:

    seq          integer
    id           string, lowercase UUID with hyphens
    at           string, RFC 3339 UTC with six fractional digits and "Z",
                 e.g. "2026-11-26T02:20:22.123456Z"
    actor_id     string (lowercase UUID) or null
    actor_role   string or null
    action       string, e.g. "concern.transition"
    entity_type  string, e.g. "concern"
    entity_id    string (lowercase UUID) or null
    from_status  string or null
    to_status    string or null
    reason       string or null
    data         JSON object (possibly empty)
    prev_hash    string, 64 lowercase hex digits

JCS sorts members by their UTF-16 code units, writes no insignificant white space, escapes only
what JSON requires and writes numbers as ECMAScript does (so 1.0 is written 1). Anyone holding a
copy of the rows (``GET /audit/events`` serves them with these exact values) can recompute every
hash with a JCS library and SHA-256; ``oversight audit verify`` does exactly that.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785

from oversight.core.rfc3339 import format_at

GENESIS_HASH = "0" * 64


def _uuid_or_none(value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(value))


def json_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event's members as JSON values (the ones it has of seq and prev_hash)."""
    at = row["at"]
    document = {
        "id": _uuid_or_none(row["id"]),
        "at": format_at(at) if isinstance(at, datetime) else at,
        "actor_id": _uuid_or_none(row["actor_id"]),
        "actor_role": row["actor_role"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": _uuid_or_none(row["entity_id"]),
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "reason": row["reason"],
        "data": row["data"] or {},
    }
    if "seq" in row:
        document["seq"] = int(row["seq"])
    if "prev_hash" in row:
        document["prev_hash"] = row["prev_hash"]
    return document


def canonical_event(row: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes of an event (a mapping with the members listed above)."""
    return rfc8785.dumps(json_document(row))


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_event(row)).hexdigest()


#: The members of the canonical form before ``prev_hash``, in RFC 8785 (sorted) order.
_BEFORE_PREV_HASH = (
    "action",
    "actor_id",
    "actor_role",
    "at",
    "data",
    "entity_id",
    "entity_type",
    "from_status",
    "id",
)


def _member(name: str, value: Any) -> str:
    return f"{rfc8785.dumps(name).decode()}:{rfc8785.dumps(value).decode()}"


def canonical_pieces(document: Mapping[str, Any]) -> tuple[str, str, str]:
    """An event's canonical form (from its ``json_document``) around the two members only the
    database knows at append: ``head + '"' + prev_hash + '"' + middle + str(seq) + tail``.
    (An object's RFC 8785 form is its members' forms, in key order, joined by commas; these
    keys are ASCII.)"""
    head = ",".join(_member(k, document[k]) for k in _BEFORE_PREV_HASH)
    return (
        "{" + head + ',"prev_hash":',
        "," + _member("reason", document["reason"]) + ',"seq":',
        "," + _member("to_status", document["to_status"]) + "}",
    )


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify_rows(rows: Iterable[Mapping[str, Any]]) -> Verification:
    """Walk rows in ``seq`` order and recompute the chain; stop at the first break."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            return Verification(
                checked, seq, prev_hash, expected_seq, f"seq {expected_seq} is missing"
            )
        if row["prev_hash"] != prev_hash:
            return Verification(
                checked, seq, prev_hash, seq, "prev_hash does not match the previous hash"
            )
        if chain_hash(prev_hash, row) != row["hash"]:
            return Verification(
                checked, seq, prev_hash, seq, "hash does not match the event's contents"
            )
        prev_hash, expected_seq, checked = row["hash"], expected_seq + 1, checked + 1
    return Verification(checked, expected_seq - 1, prev_hash)
