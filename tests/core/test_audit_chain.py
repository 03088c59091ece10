"""The chain's definition, checked without a database against values computed by hand."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from oversight.core.chain import (
    GENESIS_HASH,
    canonical_event,
    canonical_pieces,
    chain_hash,
    json_document,
    verify_rows,
)


def event(seq: int, prev_hash: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": seq,
        "id": uuid.UUID(int=seq),
        "at": datetime(2026, 11, 26, 2, 20, 22, 123, tzinfo=UTC),
        "actor_id": None,
        "actor_role": None,
        "action": "concern.transition",
        "entity_type": "concern",
        "entity_id": uuid.UUID("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
        "from_status": "submitted",
        "to_status": "triaged",
        "reason": None,
        "data": {"b": 1.0, "a": "é"},
        "prev_hash": prev_hash,
    }
    row.update(overrides)
    row["hash"] = chain_hash(prev_hash, row)
    return row


def test_canonical_form_is_jcs() -> None:
    expected = (
        '{"action":"concern.transition","actor_id":null,"actor_role":null,'
        '"at":"2026-11-26T02:20:22.000123Z","data":{"a":"é","b":1},'
        '"entity_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","entity_type":"concern",'
        '"from_status":"submitted","id":"00000000-0000-0000-0000-000000000001",'
        f'"prev_hash":"{GENESIS_HASH}","reason":null,"seq":1,"to_status":"triaged"}}'
    )
    assert canonical_event(event(1, GENESIS_HASH)) == expected.encode()


def test_hash_is_sha256_of_prev_hash_and_canonical_json() -> None:
    row = event(1, GENESIS_HASH)
    digest = hashlib.sha256(GENESIS_HASH.encode() + canonical_event(row)).hexdigest()
    assert row["hash"] == digest


def chain(length: int) -> list[dict[str, Any]]:
    rows, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        row = event(seq, prev)
        rows.append(row)
        prev = row["hash"]
    return rows


def test_intact_chain_verifies() -> None:
    rows = chain(5)
    result = verify_rows(rows)
    assert result.intact and result.checked == 5 and result.head_hash == rows[-1]["hash"]


def test_each_kind_of_tampering_is_found() -> None:
    edited = chain(5)
    edited[2]["reason"] = "added later"
    assert verify_rows(edited).broken_seq == 3

    deleted = chain(5)
    del deleted[1]
    assert verify_rows(deleted).broken_seq == 2

    swapped = chain(5)
    swapped[1], swapped[3] = {**swapped[3], "seq": 2}, {**swapped[1], "seq": 4}
    assert verify_rows(swapped).broken_seq == 2

    rehashed = chain(5)
    rehashed[4] = event(5, rehashed[3]["hash"], reason="forged")  # a consistent forged tail
    assert verify_rows(rehashed).intact  # which is why the public head must be recorded
    assert rehashed[4]["hash"] != chain(5)[4]["hash"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@given(
    reason=st.none() | st.text(),
    to_status=st.none() | st.text(max_size=20),
    data=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    seq=st.integers(1, 2**53 - 1),
)
def test_the_pieces_postgresql_hashes_assemble_to_the_canonical_form(
    reason: str | None, to_status: str | None, data: dict[str, Any], seq: int
) -> None:
    """audit_append (PostgreSQL) hashes head + '"' + prev_hash + '"' + middle + seq + tail:
    that must be byte for byte what canonical_event gives."""
    row = event(seq, "ab" * 32, reason=reason, to_status=to_status, data=data)
    head, middle, tail = canonical_pieces(json_document(row))
    assembled = f'{head}"{row["prev_hash"]}"{middle}{seq}{tail}'
    assert assembled.encode() == canonical_event(row)
