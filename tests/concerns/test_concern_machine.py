"""Every row of the concern state machine, through HTTP, with its refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from oversight.concerns.machine import CONCERN_MOVES
from oversight.core.roles import Role
from tests.cases import PATHS, Cast, fill, reach
from tests.helpers import CONCERNS, Api, assert_problem, move, moved

# (source, target, who, body): one per row of the machine's table (concerns/machine.py) and per
# source status.
ROWS = [
    ("submitted", "triaged", "commissioner", {}),
    ("submitted", "dismissed", "commissioner", {"reason": "duplicate"}),
    ("triaged", "dismissed", "commissioner", {"reason": "duplicate"}),
    ("submitted", "withdrawn", "resident", {}),
    ("triaged", "withdrawn", "resident", {}),
    ("referred", "withdrawn", "resident", {}),
    ("referred", "withdrawn", "commissioner", {}),
    ("triaged", "referred", "commissioner", {"department_id": "D"}),
    ("responded", "referred", "commissioner", {"department_id": "D"}),
    ("under_review", "referred", "commissioner", {"department_id": "D"}),
    ("referred", "under_review", "commissioner", {"reason": "no response by the deadline"}),
    ("triaged", "under_review", "commissioner", {}),
    ("responded", "under_review", "commissioner", {}),
    ("under_review", "resolved", "commissioner", {"disposition": "policy_failure"}),
    ("scheduled", "resolved", "commissioner", {"disposition": "mediated"}),
    ("under_review", "scheduled", "commissioner", {"meeting_id": "M"}),
    ("scheduled", "under_review", "commissioner", {"reason": "item deferred"}),
    ("resolved", "closed", "commissioner", {}),
    ("dismissed", "under_review", "commissioner", {"reason": "new evidence"}),
    ("resolved", "under_review", "commissioner", {"reason": "new evidence"}),
    ("closed", "under_review", "commissioner", {"reason": "new evidence"}),
]


def test_rows_cover_the_table() -> None:
    covered = {(source, target) for source, target, _, _ in ROWS}
    expected = {(source, m.target) for m in CONCERN_MOVES for source in m.source if m.via is None}
    assert covered == expected


@pytest.mark.parametrize(("source", "target", "who", "body"), ROWS)
async def test_each_move(
    api: Api, cast: Cast, source: str, target: str, who: str, body: dict[str, Any]
) -> None:
    concern = await reach(api, cast, source)
    body = await fill(api, cast, body)
    person = getattr(cast, who)
    result = await moved(api, person, concern, target, **body, public_note="Update for you")
    assert result["status"] == target
    assert result["version"] > concern["version"]
    events = await api.audit_events(entity_id=concern["id"], action="concern.transition")
    last = events[-1]
    assert (last["from_status"], last["to_status"]) == (source, target)
    assert last["actor_id"] == str(person.id)
    assert last["reason"] == body.get("reason")
    assert last["data"]["public_note"] == "Update for you"


@pytest.mark.parametrize(("source", "target", "who", "body"), ROWS)
async def test_each_move_refused_to_other_roles(
    api: Api, cast: Cast, source: str, target: str, who: str, body: dict[str, Any]
) -> None:
    concern = await reach(api, cast, source)
    body = await fill(api, cast, body)
    roles = next(m.roles for m in CONCERN_MOVES if source in m.source and m.target == target)
    others = [await api.person(Role.ADMIN)]
    if Role.RESIDENT not in roles:
        others.append(cast.resident)
    if Role.COMMISSIONER not in roles:
        others.append(cast.commissioner)
    if concern["department_id"] == str(cast.department):
        others.append(cast.officer)
    for other in others:
        response = await move(api, other, concern, target, **body)
        assert_problem(response, 403)
    after = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert after.json()["status"] == source
    assert after.json()["version"] == concern["version"]


@pytest.mark.parametrize("status", sorted(PATHS))
async def test_moves_not_in_the_table_are_409_with_the_allowed_ones(
    api: Api, cast: Cast, status: str
) -> None:
    concern = await reach(api, cast, status)
    allowed_here = sorted({m.target for m in CONCERN_MOVES if status in m.source})
    for target in ("submitted", "closed", "triaged"):
        if target in allowed_here:
            continue
        response = await move(api, cast.commissioner, concern, target, reason="x")
        body = assert_problem(response, 409)
        assert body["allowed"] == allowed_here


async def test_allowed_transitions_depend_on_the_caller(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "referred")
    as_commissioner = await api.client.get(
        f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers
    )
    as_resident = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.resident.headers)
    as_officer = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.officer.headers)
    assert as_commissioner.json()["allowed_transitions"] == ["under_review", "withdrawn"]
    assert as_resident.json()["allowed_transitions"] == ["withdrawn"]
    assert as_officer.json()["allowed_transitions"] == []


@pytest.mark.parametrize(
    ("source", "target", "body", "field"),
    [
        ("submitted", "dismissed", {}, "reason"),
        ("triaged", "referred", {}, "department_id"),
        ("triaged", "referred", {"department_id": str(uuid.UUID(int=1))}, "department_id"),
        (
            "triaged",
            "referred",
            {"department_id": "D", "response_due_at": "2020-01-01T00:00:00Z"},
            "response_due_at",
        ),
        ("referred", "under_review", {}, "reason"),
        ("under_review", "resolved", {}, "disposition"),
        ("under_review", "resolved", {"disposition": "verdict"}, "disposition"),
        ("under_review", "scheduled", {}, "meeting_id"),
        ("resolved", "under_review", {}, "reason"),
        ("submitted", "triaged", {"disposition": "sustained"}, "disposition"),
        ("triaged", "under_review", {"department_id": "D"}, "department_id"),
        (
            "under_review",
            "resolved",
            {"disposition": "mediated", "meeting_id": str(uuid.UUID(int=2))},
            "meeting_id",
        ),
        ("submitted", "triaged", {"reason": ""}, "reason"),
        ("submitted", "triaged", {"status": "closed"}, "status"),
    ],
)
async def test_what_a_move_needs_is_checked(
    api: Api, cast: Cast, source: str, target: str, body: dict[str, Any], field: str
) -> None:
    concern = await reach(api, cast, source)
    body = await fill(api, cast, body)
    problem = assert_problem(await move(api, cast.commissioner, concern, target, **body), 422)
    assert any(field in [str(p) for p in e["loc"]] for e in problem["errors"]), problem
    after = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert after.json()["status"] == source


async def test_officer_cannot_transition_to_responded_directly(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "referred")
    response = await move(api, cast.officer, concern, "responded")
    assert_problem(response, 422)


async def test_withdrawn_is_final(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "withdrawn")
    for target in ("submitted", "triaged", "under_review", "referred", "closed"):
        body = assert_problem(await move(api, cast.commissioner, concern, target, reason="x"), 409)
        assert body["allowed"] == []


async def test_check_order_404_then_428_412_then_409_then_403(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "submitted")
    url = f"{CONCERNS}/{concern['id']}/transitions"
    other = await api.person(Role.RESIDENT)
    # Not visible: 404 even with a wrong version and an impossible move.
    hidden = await api.client.post(
        url, json={"to": "closed"}, headers={**other.headers, "If-Match": '"9"'}
    )
    assert_problem(hidden, 404)
    # No If-Match: 428; stale: 412, before the move is even looked at.
    assert_problem(
        await api.client.post(url, json={"to": "closed"}, headers=cast.commissioner.headers), 428
    )
    stale = await api.client.post(
        url, json={"to": "closed"}, headers={**cast.commissioner.headers, "If-Match": '"9"'}
    )
    assert_problem(stale, 412)
    # Not a move from here (409) comes before the role check (403).
    wrong = await api.client.post(
        url, json={"to": "closed"}, headers={**cast.resident.headers, "If-Match": '"1"'}
    )
    assert_problem(wrong, 409)
    not_yours = await api.client.post(
        url, json={"to": "triaged"}, headers={**cast.resident.headers, "If-Match": '"1"'}
    )
    assert_problem(not_yours, 403)


async def test_referral_sets_the_response_clock(api: Api, cast: Cast, settings: Any) -> None:
    concern = await reach(api, cast, "triaged")
    referred = await moved(
        api, cast.commissioner, concern, "referred", department_id=str(cast.department)
    )
    assert referred["department_id"] == str(cast.department)
    from datetime import datetime

    due = datetime.fromisoformat(referred["response_due_at"])
    updated = datetime.fromisoformat(referred["updated_at"])
    assert abs((due - updated).total_seconds() - 30 * 86400) < 5
    custom = await reach(api, cast, "triaged")
    chosen = "2099-01-01T00:00:00Z"
    again = await moved(
        api,
        cast.commissioner,
        custom,
        "referred",
        department_id=str(cast.department),
        response_due_at=chosen,
    )
    assert again["response_due_at"].startswith("2099-01-01T00:00:00")


async def test_reopen_clears_the_outcome(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "closed")
    assert concern["disposition"] == "acknowledged"
    assert concern["closed_at"] is not None
    reopened = await moved(api, cast.commissioner, concern, "under_review", reason="new evidence")
    assert reopened["disposition"] is None
    assert reopened["closed_at"] is None
