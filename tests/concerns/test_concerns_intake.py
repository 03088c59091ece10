"""Submitting a concern: signed in or anonymous, what comes back, what is refused."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oversight.core import chain
from oversight.core.roles import Role
from tests.helpers import CONCERNS, Api, assert_problem, concern_body, submit

CODE = re.compile(r"^OC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


async def count_concerns(api: Api) -> int:
    commissioner = await api.person(Role.COMMISSIONER)
    page = await api.client.get(CONCERNS, params={"limit": 200}, headers=commissioner.headers)
    return len(page.json()["items"])


async def test_resident_submits_and_reads_it_back(api: Api) -> None:
    resident = await api.person()
    allegation = {"category": "discourtesy", "officer_badge": "4471", "description": "Shouted"}
    response = await api.client.post(
        CONCERNS, json=concern_body(allegations=[allegation]), headers=resident.headers
    )
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    concern = response.json()
    assert CODE.match(concern["tracking_code"])
    assert concern["status"] == "submitted"
    assert concern["submitted_by"] == str(resident.id)
    assert concern["anonymous"] is False
    assert concern["allowed_transitions"] == ["withdrawn"]
    assert concern["allegations"][0]["officer_badge"] == "4471"
    assert concern["allegations"][0]["finding"] is None
    assert concern["location"]["neighborhood"] == "Monument Corridor"
    created = datetime.fromisoformat(concern["created_at"])
    due = datetime.fromisoformat(concern["triage_due_at"])
    assert due - created == timedelta(days=7)
    assert concern["overdue"] is False
    assert "priority" not in concern  # internal triage detail
    assert "assignee_id" not in concern

    read = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=resident.headers)
    assert read.json() == concern

    events = await api.audit_events(entity_id=concern["id"])
    assert [e["action"] for e in events] == ["concern.submitted"]
    assert events[0]["actor_id"] == str(resident.id)


async def test_anonymous_submission_with_contact(api: Api) -> None:
    response = await api.client.post(
        CONCERNS, json=concern_body(contact_email="Someone@Example.org")
    )
    assert response.status_code == 201
    concern = response.json()
    assert concern["anonymous"] is True
    assert concern["submitted_by"] is None
    assert concern["contact_email"] == "someone@example.org"
    assert concern["allowed_transitions"] == []


async def test_officers_do_not_submit_concerns(api: Api) -> None:
    officer = await api.person(Role.OFFICER)
    for body in (concern_body(), concern_body(channel="phone")):
        response = await api.client.post(CONCERNS, json=body, headers=officer.headers)
        assert_problem(response, 403)
    assert await count_concerns(api) == 0


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.ADMIN])
async def test_staff_take_a_concern_for_a_resident(api: Api, role: Role) -> None:
    staff = await api.person(role)
    resident = await api.person(sign_in=False)
    body = concern_body(
        channel="phone", on_behalf_of=str(resident.id), contact_phone="+1 925 555 0100"
    )
    response = await api.client.post(CONCERNS, json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    concern = response.json()
    assert CODE.match(concern["tracking_code"])  # to read out to the caller
    assert concern["submitted_by"] == str(resident.id)
    assert concern["anonymous"] is False
    assert concern["channel"] == "phone"
    assert concern["contact_phone"] == "+1 925 555 0100"
    events = await api.audit_events(entity_id=concern["id"])
    assert [(e["action"], e["actor_id"]) for e in events] == [("concern.submitted", str(staff.id))]
    assert events[0]["data"]["channel"] == "phone"

    # The concern is the resident's as if they had filed it: they find it in their own list.
    await api.sign_in(resident)
    mine = await api.client.get(CONCERNS, headers=resident.headers)
    assert [c["id"] for c in mine.json()["items"]] == [concern["id"]]


async def test_staff_take_an_anonymous_concern_at_the_counter(api: Api) -> None:
    staff = await api.person(Role.COMMISSIONER)
    body = concern_body(channel="walk_in", contact_email="Walker@Example.org")
    response = await api.client.post(CONCERNS, json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    concern = response.json()
    assert (concern["anonymous"], concern["submitted_by"]) == (True, None)
    assert concern["contact_email"] == "walker@example.org"
    assert concern["channel"] == "walk_in"
    status = await api.client.get(f"/api/v1/public/concerns/{concern['tracking_code']}")
    assert status.status_code == 200


async def test_residents_submit_on_the_web(api: Api) -> None:
    resident = await api.person()
    own = await api.client.post(
        CONCERNS, json=concern_body(channel="web"), headers=resident.headers
    )
    assert own.status_code == 201
    assert own.json()["channel"] == "web"
    anonymous = await api.client.post(CONCERNS, json=concern_body())
    assert anonymous.json()["channel"] == "web"


@pytest.mark.parametrize(
    ("overrides", "signed_in", "status", "field"),
    [
        # Residents and anonymous callers do not choose another channel or another submitter.
        ({"channel": "phone"}, True, 403, None),
        ({"channel": "phone"}, False, 403, None),
        ({"on_behalf_of": "00000000-0000-0000-0000-000000000001"}, True, 403, None),
        # Staff name how it came in, one of the staff channels.
        ({}, None, 422, "channel"),
        ({"channel": "web"}, None, 422, "channel"),
        ({"channel": "open311"}, None, 422, "channel"),
        ({"channel": "fax"}, None, 422, "channel"),
        ({"channel": "phone", "contact_phone": "call me"}, None, 422, "contact_phone"),
        # on_behalf_of names an active resident.
        (
            {"channel": "phone", "on_behalf_of": "00000000-0000-0000-0000-000000000001"},
            None,
            422,
            "on_behalf_of",
        ),
        ({"channel": "phone", "on_behalf_of": "staff"}, None, 422, "on_behalf_of"),
    ],
)
async def test_intake_channel_refusals(
    api: Api, overrides: dict[str, Any], signed_in: bool | None, status: int, field: str | None
) -> None:
    if signed_in is None:
        caller = await api.person(Role.COMMISSIONER)
        if overrides.get("on_behalf_of") == "staff":
            overrides = {**overrides, "on_behalf_of": str(caller.id)}  # not a resident
        headers = caller.headers
    else:
        headers = (await api.person()).headers if signed_in else {}
    response = await api.client.post(CONCERNS, json=concern_body(**overrides), headers=headers)
    problem = assert_problem(response, status)
    if field:
        assert problem["errors"][0]["loc"][-1] == field
    assert await count_concerns(api) == 0


def _future(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "not_a_category"}, "category"),
        ({"kind": "rant"}, "kind"),
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"summary": "s" * 201}, "summary"),
        ({"description": ""}, "description"),
        ({"description": "d" * 20_001}, "description"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-10-01T18:30:00"}, "occurred_at"),  # no offset
        ({"location": {"latitude": 91, "longitude": 0}}, "latitude"),
        ({"location": {"latitude": 0, "longitude": -181}}, "longitude"),
        ({"location": {"latitude": "NaN"}}, "latitude"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"status": "resolved"}, "status"),
        ({"submitted_by": "00000000-0000-0000-0000-000000000000"}, "submitted_by"),
        ({"tracking_code": "OC-AAAA-AAAA-AAAA"}, "tracking_code"),
        ({"version": 7}, "version"),
        ({"allegations": [{"category": "nope"}]}, "allegations"),
        ({"kind": "commendation", "allegations": [{"category": "bias"}]}, "allegations"),
        ({"allegations": [{"category": "bias"}] * 51}, "allegations"),
    ],
)
async def test_bad_intake_is_422_and_creates_nothing(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    body = assert_problem(await api.client.post(CONCERNS, json=concern_body(**overrides)), 422)
    assert any(field in [str(p) for p in error["loc"]] for error in body["errors"]), body
    assert await count_concerns(api) == 0


async def test_occurred_at_more_than_a_day_ahead_is_refused(api: Api) -> None:
    assert_problem(
        await api.client.post(CONCERNS, json=concern_body(occurred_at=_future(1.5))), 422
    )
    await submit(api, occurred_at=_future(0.5))  # clock skew of a few hours is tolerated
    assert await count_concerns(api) == 1


async def test_a_10_mb_description_is_413(api: Api) -> None:
    response = await api.client.post(CONCERNS, json=concern_body(description="x" * 10_000_000))
    assert_problem(response, 413)
    assert await count_concerns(api) == 0


async def test_retired_category_is_refused(api: Api, settings: Any) -> None:
    from sqlalchemy import update

    from oversight.accounts.models import Category

    async with api.database.unit_of_work() as session:
        await session.execute(update(Category).where(Category.code == "bias").values(active=False))
    resident = await api.person()
    for headers in ({}, resident.headers, {**resident.headers, "Idempotency-Key": "r"}):
        refused = await api.client.post(
            CONCERNS, json=concern_body(category="bias"), headers=headers
        )
        assert_problem(refused, 422)
    assert await count_concerns(api) == 0
    # Nothing audited either: the append is in the same statement as the INSERT.
    assert {e["action"] for e in await api.audit_events()} == {"user.created"}


async def test_concurrent_intakes_keep_one_straight_chain(api: Api) -> None:
    """On PostgreSQL a plain intake is written on the bare driver, one with allegations or an
    Idempotency-Key in a unit of work: many of both at once make one chain, one event per
    concern, every concern there, and no deadlock between the two (the chain lock is taken
    last by both, after the counts' triggers)."""
    residents = [await api.person() for _ in range(3)]
    before = await api.audit_events()
    allegation = {"category": "discourtesy", "officer_badge": "4521", "description": "x"}

    async def bring(i: int) -> str:
        headers = residents[i % 3].headers if i % 4 else {}
        if i % 5 == 0:
            headers = {**headers, "Idempotency-Key": f"k{i}"}
        body = concern_body(allegations=[allegation]) if i % 7 == 0 else concern_body()
        response = await api.client.post(CONCERNS, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    ids = await asyncio.gather(*(bring(i) for i in range(60)))
    events = await api.audit_events()
    assert chain.verify_rows(events).intact
    submitted = [e for e in events[len(before) :] if e["action"] == "concern.submitted"]
    assert sorted(e["entity_id"] for e in submitted) == sorted(ids)
    assert await count_concerns(api) == 60
