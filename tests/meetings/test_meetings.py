"""Meetings: their machine, postponements, agendas, and the concerns scheduled on them."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications.models import Message
from tests.cases import Cast, new_meeting, reach
from tests.helpers import CONCERNS, Api, Person, assert_problem, moved

MEETINGS = "/api/v1/meetings"


async def move_meeting(
    api: Api, person: Person, meeting: dict[str, Any], to: str, **body: Any
) -> Any:
    """POST a transition with the meeting's current ETag (read as a commissioner would)."""
    reader = person if person.role is Role.COMMISSIONER else await api.person(Role.COMMISSIONER)
    current = await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=reader.headers)
    return await api.client.post(
        f"{MEETINGS}/{meeting['id']}/transitions",
        json={"to": to, **body},
        headers={**person.headers, "If-Match": current.headers.get("etag", '"0"')},
    )


async def test_create_read_list(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast, location="City Hall, Room 2")
    assert meeting["status"] == "scheduled"
    assert meeting["agenda"] == []
    assert meeting["allowed_transitions"] == ["cancelled", "in_session"]
    admin = await api.person(Role.ADMIN)
    read = await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=admin.headers)
    assert read.json()["location"] == "City Hall, Room 2"
    assert read.headers["etag"] == '"1"'
    listed = await api.client.get(MEETINGS, headers=cast.commissioner.headers)
    assert [m["id"] for m in listed.json()["items"]] == [meeting["id"]]
    for person in (cast.resident, cast.officer):
        assert_problem(await api.client.get(MEETINGS, headers=person.headers), 403)
        assert_problem(
            await api.client.post(
                MEETINGS,
                json={"title": "x", "scheduled_at": "2030-01-01T00:00:00Z"},
                headers=person.headers,
            ),
            403,
        )
    assert_problem(
        await api.client.post(
            MEETINGS,
            json={"title": "x", "scheduled_at": "2030-01-01T00:00:00Z"},
            headers=admin.headers,
        ),
        403,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"title": "", "scheduled_at": "2030-01-01T00:00:00Z"},
        {"title": "x", "scheduled_at": "2030-01-01T00:00:00"},
        {"title": "x", "scheduled_at": "2030-01-01T00:00:00Z", "status": "adjourned"},
    ],
)
async def test_bad_meetings_are_422(api: Api, cast: Cast, body: dict[str, Any]) -> None:
    assert_problem(
        await api.client.post(MEETINGS, json=body, headers=cast.commissioner.headers), 422
    )
    assert (await api.client.get(MEETINGS, headers=cast.commissioner.headers)).json()["items"] == []


async def test_the_meeting_machine(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    assert_problem(await move_meeting(api, cast.commissioner, meeting, "adjourned"), 409)
    assert_problem(await move_meeting(api, cast.resident, meeting, "in_session"), 403)
    opened = await move_meeting(api, cast.commissioner, meeting, "in_session")
    assert opened.status_code == 200
    assert opened.json()["allowed_transitions"] == ["adjourned"]
    assert_problem(
        await move_meeting(api, cast.commissioner, meeting, "cancelled", reason="x"), 409
    )
    adjourned = await move_meeting(api, cast.commissioner, meeting, "adjourned")
    assert adjourned.json()["status"] == "adjourned"
    assert adjourned.json()["allowed_transitions"] == []
    url = f"{MEETINGS}/{meeting['id']}/transitions"
    assert_problem(
        await api.client.post(url, json={"to": "in_session"}, headers=cast.commissioner.headers),
        428,
    )
    assert_problem(
        await api.client.post(
            url, json={"to": "in_session"}, headers={**cast.commissioner.headers, "If-Match": '"1"'}
        ),
        412,
    )
    events = await api.audit_events(entity_id=meeting["id"], action="meeting.transition")
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("scheduled", "in_session"),
        ("in_session", "adjourned"),
    ]


async def test_cancelling_needs_a_reason(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    assert_problem(await move_meeting(api, cast.commissioner, meeting, "cancelled"), 422)
    cancelled = await move_meeting(
        api, cast.commissioner, meeting, "cancelled", reason="No quorum expected"
    )
    assert cancelled.json()["status"] == "cancelled"


async def test_postponement_is_audited(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    url = f"{MEETINGS}/{meeting['id']}"
    moved_to = await api.client.patch(
        url,
        json={"scheduled_at": "2030-02-01T18:00:00Z"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    assert moved_to.status_code == 200
    assert moved_to.json()["scheduled_at"].startswith("2030-02-01T18:00:00")
    events = await api.audit_events(entity_id=meeting["id"], action="meeting.postponed")
    assert events[0]["data"] == {
        "before": {"scheduled_at": "2030-01-15T18:00:00.000000Z"},
        "after": {"scheduled_at": "2030-02-01T18:00:00.000000Z"},
    }
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    late = await api.client.patch(
        url,
        json={"scheduled_at": "2030-03-01T18:00:00Z"},
        headers={**cast.commissioner.headers, "If-Match": '"3"'},
    )
    assert_problem(late, 409)
    assert_problem(
        await api.client.patch(
            url, json={"title": None}, headers={**cast.commissioner.headers, "If-Match": '"3"'}
        ),
        422,
    )


async def test_agenda_items_in_order(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    url = f"{MEETINGS}/{meeting['id']}/agenda-items"
    h = cast.commissioner.headers
    first = (
        await api.client.post(url, json={"title": "Call to order", "kind": "general"}, headers=h)
    ).json()
    last = (
        await api.client.post(
            url, json={"title": "Public comment", "kind": "public_comment"}, headers=h
        )
    ).json()
    middle = (
        await api.client.post(
            url, json={"title": "Chief's report", "kind": "general", "position": 2}, headers=h
        )
    ).json()
    agenda = (await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=h)).json()["agenda"]
    assert [(i["title"], i["position"]) for i in agenda] == [
        ("Call to order", 1),
        ("Chief's report", 2),
        ("Public comment", 3),
    ]
    await api.client.patch(f"{url}/{last['id']}", json={"position": 1}, headers=h)
    agenda = (await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=h)).json()["agenda"]
    assert [i["id"] for i in agenda] == [last["id"], first["id"], middle["id"]]
    assert (await api.client.delete(f"{url}/{first['id']}", headers=h)).status_code == 204
    agenda = (await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=h)).json()["agenda"]
    assert [(i["id"], i["position"]) for i in agenda] == [(last["id"], 1), (middle["id"], 2)]
    assert_problem(
        await api.client.post(url, json={"title": "x", "kind": "concern"}, headers=h), 422
    )
    assert_problem(
        await api.client.post(
            url, json={"title": "x", "kind": "general"}, headers=cast.resident.headers
        ),
        403,
    )
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    assert_problem(
        await api.client.post(url, json={"title": "Late item", "kind": "general"}, headers=h), 409
    )
    assert_problem(await api.client.delete(f"{url}/{middle['id']}", headers=h), 409)
    assert_problem(
        await api.client.patch(f"{url}/{middle['id']}", json={"position": 1}, headers=h), 409
    )


async def test_scheduling_a_concern_puts_it_on_the_agenda(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    concern = await reach(
        api,
        cast,
        "under_review",
        kind="complaint",
        category="use_of_force",
        summary="My neighbour's private words",
    )
    scheduled = await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    assert scheduled["status"] == "scheduled"
    agenda = (
        await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    ).json()["agenda"]
    (item,) = agenda
    assert item["kind"] == "concern"
    assert item["concern_id"] == concern["id"]
    assert item["title"] == "Concern review: complaint (use of force)"  # never the resident's words
    assert_problem(
        await api.client.delete(
            f"{MEETINGS}/{meeting['id']}/agenda-items/{item['id']}",
            headers=cast.commissioner.headers,
        ),
        409,
    )

    deferred = await moved(api, cast.commissioner, concern, "under_review", reason="item deferred")
    assert deferred["status"] == "under_review"
    agenda = (
        await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    ).json()["agenda"]
    assert agenda == []


async def test_only_a_scheduled_meeting_takes_concerns(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    concern = await reach(api, cast, "under_review")
    response = await api.client.post(
        f"{CONCERNS}/{concern['id']}/transitions",
        json={"to": "scheduled", "meeting_id": meeting["id"]},
        headers={**cast.commissioner.headers, "If-Match": f'"{concern["version"]}"'},
    )
    assert_problem(response, 422)
    after = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert after.json()["status"] == "under_review"


async def test_cancelling_returns_scheduled_concerns_to_review(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    concerns = [await reach(api, cast, "under_review") for _ in range(2)]
    for concern in concerns:
        await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    response = await move_meeting(api, cast.commissioner, meeting, "cancelled", reason="Storm")
    assert response.status_code == 200
    for concern in concerns:
        after = (
            await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
        ).json()
        assert after["status"] == "under_review"
        events = await api.audit_events(entity_id=concern["id"], action="concern.transition")
        assert (events[-1]["from_status"], events[-1]["to_status"], events[-1]["reason"]) == (
            "scheduled",
            "under_review",
            "meeting cancelled",
        )


async def test_cancelling_moves_each_concern_by_the_concern_machine(api: Api, cast: Cast) -> None:
    """The cancellation makes the concern machine's own move for each scheduled concern
    (issue 25, item 13), with everything a move does: its audit event (naming the meeting, with
    the cancellation's public reason as its public note) and the submitter's e-mail in the
    outbox, as a deferral with a public note would."""
    meeting = await new_meeting(api, cast)
    concerns = [await reach(api, cast, "under_review") for _ in range(2)]
    for concern in concerns:
        await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    response = await move_meeting(api, cast.commissioner, meeting, "cancelled", reason="Storm")
    assert response.status_code == 200, response.text
    note = "The meeting it was scheduled for was cancelled: Storm"
    for concern in concerns:
        [event] = (await api.audit_events(entity_id=concern["id"], action="concern.transition"))[
            -1:
        ]
        assert (event["actor_id"], event["reason"]) == (
            str(cast.commissioner.id),
            "meeting cancelled",
        )
        assert event["data"] == {"meeting_id": meeting["id"], "public_note": note}
        # The resident's own view shows the note, as for any move that carries one.
        seen = await api.client.get(
            f"{CONCERNS}/{concern['id']}/events", headers=cast.resident.headers
        )
        assert note in [entry.get("public_note") for entry in seen.json()]
    async with api.database.unit_of_work() as session:
        queued = await session.scalars(
            select(Message).where(Message.recipient == cast.resident.email)
        )
        sent = sorted((m.kind, m.context["code"], m.context["note"]) for m in queued)
    assert sent == sorted(("status", c["tracking_code"], note) for c in concerns)


async def test_a_refused_cancellation_locks_nothing(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """Only a caller who may cancel the meeting locks its agenda's concerns (issue 25, item 3):
    a resident's cancellation is refused (403) at once while another session holds a scheduled
    concern, where it used to wait for that lock first."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's (SQLite serializes writers)")
    meeting = await new_meeting(api, cast)
    concern = await reach(api, cast, "under_review")
    await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    async with await psycopg.AsyncConnection.connect(settings.database_url) as other:
        await other.execute("SELECT id FROM concerns WHERE id = %s FOR UPDATE", (concern["id"],))
        refused = await asyncio.wait_for(
            move_meeting(api, cast.resident, meeting, "cancelled", reason="Mine"), timeout=5
        )
        assert_problem(refused, 403)
        await other.rollback()


async def test_cancelling_locks_the_agenda_before_the_meeting(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """Scheduling and deferring lock the concern, then the meeting; a cancellation must take
    them in the same order or the two can deadlock. Another session holds a scheduled concern:
    the cancellation must wait for it *before* it locks the meeting."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's (SQLite serializes writers)")
    meeting = await new_meeting(api, cast)
    concern = await reach(api, cast, "under_review")
    await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    async with await psycopg.AsyncConnection.connect(settings.database_url) as other:
        await other.execute("SELECT id FROM concerns WHERE id = %s FOR UPDATE", (concern["id"],))
        cancelling = asyncio.create_task(
            move_meeting(api, cast.commissioner, meeting, "cancelled", reason="Storm")
        )
        await asyncio.sleep(0.5)  # the cancellation is now waiting for the concern
        assert not cancelling.done()
        # The meeting is still free: a scheduling or a deferral holding the concern could
        # take it and finish, instead of deadlocking with the cancellation.
        await other.execute(
            "SELECT id FROM meetings WHERE id = %s FOR UPDATE NOWAIT", (meeting["id"],)
        )
        await other.rollback()
    response = await cancelling
    assert response.status_code == 200, response.text
    after = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert after.json()["status"] == "under_review"


async def test_concerns_stay_scheduled_after_adjournment(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    concern = await reach(api, cast, "under_review")
    await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    await move_meeting(api, cast.commissioner, meeting, "adjourned")
    after = (
        await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    ).json()
    assert after["status"] == "scheduled"
    resolved = await moved(api, cast.commissioner, concern, "resolved", disposition="acknowledged")
    assert resolved["status"] == "resolved"


async def test_attendance_only_in_session(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    other = await api.person(Role.COMMISSIONER)
    url = f"{MEETINGS}/{meeting['id']}/attendance"
    body = [
        {"commissioner_id": str(cast.commissioner.id), "present": True},
        {"commissioner_id": str(other.id), "present": False},
    ]
    assert_problem(await api.client.put(url, json=body, headers=cast.commissioner.headers), 409)
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    taken = await api.client.put(url, json=body, headers=cast.commissioner.headers)
    assert taken.status_code == 200, taken.text
    assert {(a["commissioner_id"], a["present"]) for a in taken.json()["attendance"]} == {
        (str(cast.commissioner.id), True),
        (str(other.id), False),
    }
    # Staff attendance names each commissioner, as the public view does.
    assert [a["name"] for a in taken.json()["attendance"]] == ["Test commissioner"] * 2
    late = await api.client.put(
        url,
        json=[{"commissioner_id": str(other.id), "present": True}],
        headers=cast.commissioner.headers,
    )
    assert {a["present"] for a in late.json()["attendance"]} == {True}
    for bad in (
        [{"commissioner_id": str(cast.resident.id), "present": True}],
        [{"commissioner_id": str(other.id), "present": True}] * 2,
        [{"commissioner_id": str(other.id)}],
    ):
        assert_problem(await api.client.put(url, json=bad, headers=cast.commissioner.headers), 422)
    assert_problem(await api.client.put(url, json=body, headers=cast.resident.headers), 403)
    events = await api.audit_events(entity_id=meeting["id"], action="meeting.attendance")
    assert [e["data"]["present"] for e in events] == [
        {str(cast.commissioner.id): True, str(other.id): False},
        {str(other.id): True},
    ]


async def test_minutes_after_adjournment_then_approved(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    url = f"{MEETINGS}/{meeting['id']}/minutes"
    h = cast.commissioner.headers
    assert_problem(await api.client.put(url, json={"body": "Too early"}, headers=h), 409)
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    await move_meeting(api, cast.commissioner, meeting, "adjourned")
    assert_problem(await api.client.post(f"{url}/approve", headers=h), 409)
    draft = await api.client.put(
        url, json={"body": "The chair called the meeting to order."}, headers=h
    )
    assert draft.json()["minutes"] == {
        "body": "The chair called the meeting to order.",
        "status": "draft",
        "approved_at": None,
    }
    approved = await api.client.post(f"{url}/approve", headers=h)
    assert approved.json()["minutes"]["status"] == "approved"
    assert approved.json()["minutes"]["approved_at"] is not None
    assert_problem(await api.client.put(url, json={"body": "Rewritten"}, headers=h), 409)
    assert_problem(await api.client.post(f"{url}/approve", headers=h), 409)
    assert_problem(await api.client.put(url, json={"body": ""}, headers=h), 422)


async def test_public_views_hide_concerns_and_draft_minutes(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast, location="City Hall")
    concern = await reach(
        api, cast, "under_review", summary="Words of the resident", category="bias"
    )
    await moved(api, cast.commissioner, concern, "scheduled", meeting_id=meeting["id"])
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    await api.client.put(
        f"{MEETINGS}/{meeting['id']}/attendance",
        json=[{"commissioner_id": str(cast.commissioner.id), "present": True}],
        headers=cast.commissioner.headers,
    )
    await move_meeting(api, cast.commissioner, meeting, "adjourned")
    await api.client.put(
        f"{MEETINGS}/{meeting['id']}/minutes",
        json={"body": "Draft text"},
        headers=cast.commissioner.headers,
    )

    public = (await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).json()
    text = str(public)
    assert "Words of the resident" not in text
    assert concern["id"] not in text
    assert concern["tracking_code"] not in text
    staff = await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    assert public["agenda"] == [
        {
            "id": staff.json()["agenda"][0]["id"],  # the item's own id, to comment on it
            "position": 1,
            "title": "Concern review: inquiry (bias)",
            "kind": "concern",
            "category": "bias",
            "resolution_id": None,
            "comments_count": 0,
            "speakers_count": 0,
            "documents": [],
            "decision": None,
        }
    ]
    assert public["speakers_count"] == 0
    # By name: no commissioner's account id in public.
    assert public["attendance"] == [{"name": "Test commissioner", "present": True}]
    assert public["minutes"] is None  # a draft is not public
    await api.client.post(
        f"{MEETINGS}/{meeting['id']}/minutes/approve", headers=cast.commissioner.headers
    )
    public = (await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).json()
    assert public["minutes"]["body"] == "Draft text"
    listed = (await api.client.get("/api/v1/public/meetings")).json()
    assert [m["id"] for m in listed["items"]] == [meeting["id"]]
    assert_problem(await api.client.get(f"/api/v1/public/meetings/{concern['id']}"), 404)


async def test_calendar_feed_parses_as_icalendar(api: Api, cast: Cast) -> None:
    import icalendar

    kept = await new_meeting(
        api, cast, title="March meeting", scheduled_at="2030-03-05T18:30:00Z", location="City Hall"
    )
    dropped = await new_meeting(
        api, cast, title="April meeting", scheduled_at="2030-04-02T18:30:00Z"
    )
    await move_meeting(api, cast.commissioner, dropped, "cancelled", reason="Holiday")
    response = await api.client.get("/api/v1/public/meetings.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{kept['id']}@oversight", f"{dropped['id']}@oversight"}
    march = events[f"{kept['id']}@oversight"]
    assert str(march["SUMMARY"]) == "March meeting"
    assert str(march["LOCATION"]) == "City Hall"
    assert march.decoded("DTSTART").isoformat() == "2030-03-05T18:30:00+00:00"
    assert str(march["STATUS"]) == "CONFIRMED"
    assert str(events[f"{dropped['id']}@oversight"]["STATUS"]) == "CANCELLED"
