"""Residents signed up to speak at a meeting (issue #13): who may, when, once each, in order,
under concurrency; what the commission reads and what the public counts."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.voice import speakers
from oversight.voice.enums import CommentStatus, CommentTarget
from oversight.voice.models import Comment
from tests.cases import Cast, new_meeting
from tests.helpers import Api, Person, assert_problem
from tests.meetings.test_meetings import move_meeting

MEETINGS = "/api/v1/meetings"
TOPIC = "Traffic stops on Elm Street at night"


def speakers_url(meeting: dict[str, Any]) -> str:
    return f"{MEETINGS}/{meeting['id']}/speakers"


async def sign_up(api: Api, person: Person | None, meeting: dict[str, Any], **body: Any) -> Any:
    headers = person.headers if person else {}
    return await api.client.post(
        speakers_url(meeting), json={"topic": TOPIC} | body, headers=headers
    )


async def add_item(api: Api, cast: Cast, meeting: dict[str, Any], title: str) -> dict[str, Any]:
    response = await api.client.post(
        f"{MEETINGS}/{meeting['id']}/agenda-items",
        json={"title": title, "kind": "general"},
        headers=cast.commissioner.headers,
    )
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def listed(api: Api, meeting: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    """Every speaker of the meeting, page by page, as a commissioner reads them."""
    reader = await api.person(Role.COMMISSIONER)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        response = await api.client.get(speakers_url(meeting), params=query, headers=reader.headers)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def drive_speakers(api: Api, cast: Cast) -> dict[str, Any]:
    """A resident signs up to speak to an agenda item, through HTTP (the audit event
    ``meeting.speaker_signed_up``). Returns the sign-up."""
    meeting = await new_meeting(api, cast, title="Meeting with public comment")
    item = await add_item(api, cast, meeting, "Public comment")
    response = await sign_up(api, cast.resident, meeting, agenda_item_id=item["id"])
    assert response.status_code == 201, response.text
    speaker: dict[str, Any] = response.json()
    return speaker


async def test_a_resident_signs_up_and_every_other_role_is_refused(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    admin = await api.person(Role.ADMIN)
    for person in (cast.commissioner, cast.officer, admin):
        assert_problem(await sign_up(api, person, meeting), 403)
    assert_problem(await sign_up(api, None, meeting), 401)
    assert await listed(api, meeting) == []

    response = await sign_up(api, cast.resident, meeting)
    assert response.status_code == 201, response.text
    speaker = response.json()
    assert speaker["position"] == 1
    assert speaker["topic"] == TOPIC
    assert speaker["user_id"] == str(cast.resident.id)
    assert speaker["display_name"] == "Test resident"
    assert speaker["agenda_item_id"] is None
    assert uuid.UUID(speaker["id"])

    # The list is the commission's: commissioners and admins read it, nobody else.
    for person in (cast.commissioner, admin):
        read = await api.client.get(speakers_url(meeting), headers=person.headers)
        assert read.status_code == 200, read.text
        assert read.json() == {"items": [speaker], "next_cursor": None}
    for person in (cast.resident, cast.officer):
        assert_problem(await api.client.get(speakers_url(meeting), headers=person.headers), 403)
    assert (await api.client.get(speakers_url(meeting))).status_code == 401


async def test_one_sign_up_per_resident_per_meeting(api: Api, cast: Cast) -> None:
    meeting, other = await new_meeting(api, cast), await new_meeting(api, cast)
    assert (await sign_up(api, cast.resident, meeting)).status_code == 201
    again = await sign_up(api, cast.resident, meeting, topic="Something else")
    assert_problem(again, 409)
    assert [s["topic"] for s in await listed(api, meeting)] == [TOPIC]
    # Another meeting is another list.
    elsewhere = await sign_up(api, cast.resident, other)
    assert elsewhere.status_code == 201
    assert elsewhere.json()["position"] == 1


async def test_speakers_are_listed_in_the_order_they_signed_up(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    residents = [cast.resident, *[await api.person(Role.RESIDENT) for _ in range(4)]]
    ids = []
    for number, resident in enumerate(residents, start=1):
        response = await sign_up(api, resident, meeting, topic=f"Topic {number}")
        assert response.status_code == 201, response.text
        assert response.json()["position"] == number
        ids.append(response.json()["id"])
    speakers = await listed(api, meeting, limit=2)  # three pages, keyset
    assert [s["id"] for s in speakers] == ids
    assert [s["position"] for s in speakers] == [1, 2, 3, 4, 5]
    assert [s["topic"] for s in speakers] == [f"Topic {n}" for n in range(1, 6)]
    assert [s["user_id"] for s in speakers] == [str(r.id) for r in residents]
    assert_problem(
        await api.client.get(
            speakers_url(meeting), params={"cursor": "nonsense"}, headers=cast.commissioner.headers
        ),
        422,
    )


async def test_concurrent_sign_ups_get_gap_free_positions(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    residents = [await api.person(Role.RESIDENT) for _ in range(8)]
    responses = await asyncio.gather(*(sign_up(api, r, meeting) for r in residents))
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    assert sorted(r.json()["position"] for r in responses) == list(range(1, 9))
    # The same resident twice at once: one sign-up, one 409, never a 500.
    late = await api.person(Role.RESIDENT)
    twice = await asyncio.gather(sign_up(api, late, meeting), sign_up(api, late, meeting))
    assert sorted(r.status_code for r in twice) == [201, 409], [r.text for r in twice]
    assert [s["position"] for s in await listed(api, meeting)] == list(range(1, 10))


async def test_a_uniqueness_race_is_a_409_never_a_500(
    api: Api, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the service's own check to miss a sign-up (a race), the table's unique constraint
    refuses the second, and the answer is still the contract's 409, storing nothing."""
    meeting = await new_meeting(api, cast)
    assert (await sign_up(api, cast.resident, meeting)).status_code == 201

    async def never(*_: Any) -> bool:
        return False

    monkeypatch.setattr(speakers, "_signed_up", never)
    problem = assert_problem(await sign_up(api, cast.resident, meeting, topic="Again"), 409)
    assert problem["detail"] == speakers.ALREADY_SIGNED_UP
    assert [s["topic"] for s in await listed(api, meeting)] == [TOPIC]
    assert len(await api.audit_events(action="meeting.speaker_signed_up")) == 1


async def test_a_sign_up_waits_for_the_meeting_lock(
    api: Api, cast: Cast, settings: Settings
) -> None:
    """The next position is computed under the meeting's row lock."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's (SQLite serializes writers)")
    meeting = await new_meeting(api, cast)
    async with await psycopg.AsyncConnection.connect(settings.database_url) as other:
        await other.execute("SELECT id FROM meetings WHERE id = %s FOR UPDATE", (meeting["id"],))
        signing = asyncio.create_task(sign_up(api, cast.resident, meeting))
        await asyncio.sleep(0.5)
        assert not signing.done()
        await other.rollback()
    response = await signing
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("status", ["in_session", "adjourned", "cancelled"])
async def test_only_a_scheduled_meeting_takes_sign_ups(api: Api, cast: Cast, status: str) -> None:
    meeting = await new_meeting(api, cast)
    steps: dict[str, list[tuple[str, dict[str, str]]]] = {
        "in_session": [("in_session", {})],
        "adjourned": [("in_session", {}), ("adjourned", {})],
        "cancelled": [("cancelled", {"reason": "Storm"})],
    }
    for to, body in steps[status]:
        moved = await move_meeting(api, cast.commissioner, meeting, to, **body)
        assert moved.status_code == 200, moved.text
    body = assert_problem(await sign_up(api, cast.resident, meeting), 409)
    assert status in body["detail"]
    # The policy comes before the meeting's state: a role that may never sign up hears so.
    assert_problem(await sign_up(api, cast.commissioner, meeting), 403)
    assert await listed(api, meeting) == []
    assert await api.audit_events(action="meeting.speaker_signed_up") == []


async def test_an_unknown_meeting_is_404(api: Api, cast: Cast) -> None:
    missing = {"id": str(uuid.uuid4())}
    assert_problem(await sign_up(api, cast.resident, missing), 404)
    assert_problem(await sign_up(api, cast.commissioner, missing), 404)
    assert_problem(
        await api.client.get(speakers_url(missing), headers=cast.commissioner.headers), 404
    )


async def test_bad_sign_ups_are_422_and_store_nothing(api: Api, cast: Cast) -> None:
    meeting, other = await new_meeting(api, cast), await new_meeting(api, cast)
    elsewhere = await add_item(api, cast, other, "On another meeting")
    for body in (
        {"agenda_item_id": str(uuid.uuid4())},
        {"agenda_item_id": elsewhere["id"]},
        {"agenda_item_id": "not-a-uuid"},
        {"topic": ""},
        {"topic": "   "},
        {"topic": "x" * 201},
        {"topic": "a\u0000b"},
        {"position": 1},
    ):
        problem = assert_problem(await sign_up(api, cast.resident, meeting, **body), 422)
        assert problem["errors"], body
    assert_problem(
        await api.client.post(speakers_url(meeting), json={}, headers=cast.resident.headers), 422
    )
    problem = assert_problem(
        await sign_up(api, cast.resident, meeting, agenda_item_id=elsewhere["id"]), 422
    )
    assert problem["errors"][0]["loc"] == ["body", "agenda_item_id"]
    assert await listed(api, meeting) == []
    assert await api.audit_events(action="meeting.speaker_signed_up") == []
    # A topic of exactly 200 characters, on an item of this meeting, is fine.
    item = await add_item(api, cast, meeting, "Public comment")
    response = await sign_up(
        api, cast.resident, meeting, topic="y" * 200, agenda_item_id=item["id"]
    )
    assert response.status_code == 201, response.text
    assert response.json()["agenda_item_id"] == item["id"]


async def test_a_sign_up_is_audited_without_its_words_and_keeps_the_etag(
    api: Api, cast: Cast
) -> None:
    meeting = await new_meeting(api, cast)
    before = await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    speaker = await drive_speakers_on(api, cast, meeting)
    after = await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    # Residents signing up do not make a commissioner's If-Match stale.
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json()["version"] == before.json()["version"]
    edited = await api.client.patch(
        f"{MEETINGS}/{meeting['id']}",
        json={"title": "Renamed"},
        headers={**cast.commissioner.headers, "If-Match": before.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text

    events = await api.audit_events(action="meeting.speaker_signed_up")
    assert len(events) == 1
    event = events[0]
    assert event["entity_type"] == "meeting"
    assert event["entity_id"] == meeting["id"]
    assert event["actor_id"] == str(cast.resident.id)
    assert event["actor_role"] == "resident"
    assert event["data"] == {"speaker_id": speaker["id"], "position": 1}
    assert TOPIC not in str(event)
    assert "Test resident" not in str(event)


async def drive_speakers_on(api: Api, cast: Cast, meeting: dict[str, Any]) -> dict[str, Any]:
    response = await sign_up(api, cast.resident, meeting)
    assert response.status_code == 201, response.text
    speaker: dict[str, Any] = response.json()
    return speaker


async def test_drive_speakers_signs_a_resident_up(api: Api, cast: Cast) -> None:
    speaker = await drive_speakers(api, cast)
    assert speaker["position"] == 1
    assert speaker["agenda_item_id"] is not None
    events = await api.audit_events(action="meeting.speaker_signed_up")
    assert [e["data"]["speaker_id"] for e in events] == [speaker["id"]]


async def add_comments(
    api: Api, author: Person, target_type: CommentTarget, target_id: str, **counts: int
) -> None:
    """Comment rows written directly, ``published=3, pending=1`` and so on."""
    async with api.database.unit_of_work() as session:
        for status, n in counts.items():
            for _ in range(n):
                session.add(
                    Comment(
                        target_type=target_type,
                        target_id=uuid.UUID(target_id),
                        author_id=author.id,
                        show_name=False,
                        body=f"A {status} comment",
                        status=CommentStatus(status),
                        version=1,
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                )


async def test_public_meetings_count_speakers_and_comments(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast, title="June meeting")
    quiet = await new_meeting(api, cast, title="July meeting", scheduled_at="2030-07-01T18:00:00Z")
    first = await add_item(api, cast, meeting, "Budget hearing")
    second = await add_item(api, cast, meeting, "Use of force policy")
    quiet_item = await add_item(api, cast, quiet, "Nothing yet")
    residents = [cast.resident, *[await api.person(Role.RESIDENT) for _ in range(3)]]
    for resident, item in zip(residents, [first, first, second, None], strict=True):
        body = {"agenda_item_id": item["id"]} if item else {}
        assert (await sign_up(api, resident, meeting, **body)).status_code == 201
    await add_comments(
        api, cast.resident, CommentTarget.AGENDA_ITEM, first["id"], published=3, pending=1, hidden=2
    )
    await add_comments(api, cast.resident, CommentTarget.AGENDA_ITEM, second["id"], published=2)
    # Another kind of target with the same id is not the agenda item's.
    await add_comments(api, cast.resident, CommentTarget.PROPOSAL, second["id"], published=4)

    expected = {
        meeting["id"]: (4, {first["id"]: (3, 2), second["id"]: (2, 1)}),
        quiet["id"]: (0, {quiet_item["id"]: (0, 0)}),
    }

    def check(public: dict[str, Any]) -> None:
        speakers, items = expected[public["id"]]
        assert public["speakers_count"] == speakers
        assert {i["id"]: (i["comments_count"], i["speakers_count"]) for i in public["agenda"]} == (
            items
        )

    one = await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")
    assert one.status_code == 200
    check(one.json())
    check((await api.client.get(f"/api/v1/public/meetings/{quiet['id']}")).json())
    page = (await api.client.get("/api/v1/public/meetings", params={"limit": 1})).json()
    rest = (
        await api.client.get("/api/v1/public/meetings", params={"cursor": page["next_cursor"]})
    ).json()
    both = page["items"] + rest["items"]
    assert {m["id"] for m in both} == set(expected)
    for public in both:
        check(public)
    # Counts, not people: no topic, no name, no account.
    for text in (one.text, str(both)):
        assert TOPIC not in text
        assert "Test resident" not in text
        assert str(cast.resident.id) not in text
