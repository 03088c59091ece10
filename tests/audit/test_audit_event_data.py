"""The audit log records real ids: every kind of change the API makes, driven over HTTP, and
then every event read back. No event may carry a placeholder where an id belongs (issue #11:
ids read before the flush that assigned them were written as the text "None", for good).

The actions the code can emit are collected from the source, so a new action that this test
does not drive makes it fail."""

from __future__ import annotations

import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.core import audit
from oversight.core.config import Settings
from oversight.core.events import AuditAction, EntityType
from oversight.core.roles import Role
from tests.budget.test_budget import drive_budget
from tests.cases import Cast, new_meeting, reach, respond
from tests.concerns.test_discipline import drive_discipline
from tests.evidence.files import photo, upload
from tests.helpers import CONCERNS, PASSWORD, Api, assert_problem, moved, submit
from tests.intervention.test_flags import drive_intervention
from tests.meetings.test_meetings import move_meeting
from tests.notifications.test_webhooks import drive_webhooks
from tests.officers.test_roster import drive_officers
from tests.open311.test_open311 import drive_open311
from tests.resolutions.test_resolutions import commission, draft, vote
from tests.resolutions.test_resolutions import move as move_resolution
from tests.voice.test_comments import drive_comments
from tests.voice.test_proposals import drive_proposals
from tests.voice.test_speakers import drive_speakers

#: The callables that stage an event, and the ones that pass an action on to them.
#: Strings that stand where an id should be; any string under an id key must be a UUID anyway.
#: Keys whose vocabulary has a member "none" (discipline's level "none": no discipline).
NONE_IS_A_VALUE = {"level", "recommended_level", "imposed_level"}
PLACEHOLDERS = {"none", "null", "nil", "undefined", "", "placeholder", "todo", "tbd", "?"}
NIL = str(uuid.UUID(int=0))
#: References that may be empty by design (a user without a department, a concern nobody is
#: assigned to), in the events that record them: None there means "none", not "not yet known".
EMPTY_REFERENCES = {
    ("user.created", "department_id"),
    ("user.changed", "department_id"),
    ("concern.edited", "assignee_id"),
    ("concern.allegation_changed", "officer_id"),
}
#: Events whose entity has no UUID: a category is keyed by its code (in the data), and a
#: failed sign-in may name no account at all.
WITHOUT_ENTITY_ID = {
    "category.created",
    "auth.sign_in_failed",
    "budget.imported",
    "budget.comments_changed",
    "operations.imported",
    "officer.roster_imported",
}

MEETINGS = "/api/v1/meetings"
RESOLUTIONS = "/api/v1/resolutions"


def emitted_actions() -> set[str]:
    """Every action the code can hand the audit writer: ``audit.record`` takes an
    ``AuditAction`` (mypy holds every call site to it), so the enumeration is the list."""
    return {action.value for action in AuditAction}


def is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return str(parsed) == value and value != NIL


def id_key(key: str) -> bool:
    return key == "id" or key.endswith("_id")


def problems(event: dict[str, Any]) -> Iterator[str]:
    """What is wrong with one event's ids and data, as readable lines."""
    where = f"seq {event['seq']} {event['action']}"
    if event["entity_id"] is None:
        if event["action"] not in WITHOUT_ENTITY_ID:
            yield f"{where}: entity_id is null"
    elif not is_uuid(event["entity_id"]):
        yield f"{where}: entity_id {event['entity_id']!r} is not a UUID"
    if event["actor_id"] is not None and not is_uuid(event["actor_id"]):
        yield f"{where}: actor_id {event['actor_id']!r} is not a UUID"

    def walk(value: Any, path: str, key: str | None) -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                if str(k).strip().lower() in PLACEHOLDERS:
                    yield f"{where}: key {k!r} at {path}"
                yield from walk(v, f"{path}.{k}", str(k))
        elif isinstance(value, list):
            # The items of "concern_ids" are each a concern_id.
            item_key = key[:-1] if key is not None and key.endswith("_ids") else key
            for i, v in enumerate(value):
                yield from walk(v, f"{path}[{i}]", item_key)
        elif (
            isinstance(value, str)
            and value.strip().lower() in {"none", "null"}
            and key not in NONE_IS_A_VALUE
        ):
            yield f"{where}: {value!r} at {path}"
        elif key is not None and id_key(key):
            if value is None:
                if (event["action"], key) not in EMPTY_REFERENCES:
                    yield f"{where}: null id at {path}"
            elif not is_uuid(value):
                yield f"{where}: {value!r} at {path} is not a UUID"

    yield from walk(event["data"], "data", None)


def test_the_actions_are_found_in_the_source() -> None:
    actions = emitted_actions()
    # The cases, and one of each path the collector reads (keyword, positional, IfExp).
    assert {
        "concern.allegation_added",
        "meeting.agenda_item_added",
        "user.created",
        "meeting.postponed",
        "meeting.edited",
    } <= actions


def test_a_checker_catches_the_old_bug() -> None:
    event = {
        "seq": 1,
        "action": "concern.allegation_added",
        "entity_id": str(uuid.uuid4()),
        "actor_id": None,
        "data": {
            "allegation_id": "None",
            "nested": [{"item_id": None}],
            "x": {"None": 1},
            "concern_ids": ["pending"],
        },
    }
    assert len(list(problems(event))) == 4


class _Session:
    """Just enough of an AsyncSession for ``audit.record`` to stage on."""

    def __init__(self) -> None:
        self.sync_session = SimpleNamespace(info={})


@pytest.mark.parametrize(
    ("action", "entity_id", "data"),
    [
        ("concern.allegation_added", uuid.uuid4(), {"allegation_id": "None"}),
        ("concern.allegation_added", uuid.uuid4(), {"allegation_id": None}),
        ("meeting.agenda_item_added", uuid.uuid4(), {"item_id": str(None)}),
        ("resolution.edited", uuid.uuid4(), {"concern_ids": [str(uuid.uuid4()), None]}),
        ("concern.transition", uuid.uuid4(), {"findings": {"None": "sustained"}}),
        ("meeting.created", None, {}),
        ("meeting.created", "None", {}),
    ],
)
async def test_the_writer_refuses_missing_ids(action: str, entity_id: Any, data: Any) -> None:
    session = _Session()
    with pytest.raises(audit.UnrecordableEvent):
        await audit.record(
            typing.cast(AsyncSession, session),
            actor=None,
            action=AuditAction(action),
            entity_type=EntityType(action.split(".")[0]),
            entity_id=entity_id,
            data=data,
        )
    assert not session.sync_session.info


async def test_the_writer_takes_empty_optional_references() -> None:
    session = _Session()
    await audit.record(
        typing.cast(AsyncSession, session),
        actor=None,
        action=AuditAction.USER_CREATED,
        entity_type=EntityType.USER,
        entity_id=uuid.uuid4(),
        data={"role": "resident", "department_id": None},
    )
    await audit.record(
        typing.cast(AsyncSession, session),
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        entity_type=EntityType.USER,
        entity_id=None,
        data={"reason": "bad_credentials"},
    )
    assert len(session.sync_session.info["oversight.audit.pending"]) == 2


async def _drive_everything(api: Api, cast: Cast) -> None:
    """Every kind of change the API has, through HTTP."""
    client = api.client
    c = cast.commissioner
    admin = await api.person(Role.ADMIN)

    # Users, departments, categories ---------------------------------------------------------
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "new.resident@example.org", "password": PASSWORD, "display_name": "New"},
    )
    assert registered.status_code == 201, registered.text
    department = await client.post(
        "/api/v1/departments", json={"code": "TRF", "name": "Traffic"}, headers=admin.headers
    )
    assert department.status_code == 201, department.text
    department_id = department.json()["id"]
    category = await client.post(
        "/api/v1/categories",
        json={"code": "property_damage", "label": "Property damage", "active": True},
        headers=admin.headers,
    )
    assert category.status_code == 201, category.text
    created = await client.post(
        "/api/v1/users",
        json={
            "email": "traffic.officer@example.org",
            "display_name": "Traffic officer",
            "role": "officer",
            "password": PASSWORD,
            "department_id": department_id,
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    changed = await client.patch(
        f"/api/v1/users/{created.json()['id']}",
        json={"role": "commissioner", "department_id": None},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    deactivated = await client.patch(
        f"/api/v1/users/{created.json()['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200, deactivated.text

    # Sign-in failures (a known account and an unknown one), a reused refresh token ----------
    for username in (cast.resident.email, "nobody@example.org"):
        failed = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": "wrong password!"}
        )
        assert_problem(failed, 401)
    reuser = await api.person(Role.RESIDENT)
    spent = reuser.refresh_token
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": spent})
    assert rotated.status_code == 200, rotated.text
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": spent}), 401)

    # A complaint: intake with allegations, edits, allegations added and corrected, notes ------
    complaint = await submit(
        api,
        cast.resident,
        allegations=[{"category": "discourtesy", "officer_badge": "1234"}],
    )
    url = f"{CONCERNS}/{complaint['id']}"
    edited = await client.patch(
        url,
        json={"description": "The officer shouted and refused to give a badge number."},
        headers={**cast.resident.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    for body in (
        {"priority": "high", "assignee_id": str(c.id), "neighborhood": "Downtown"},
        {"assignee_id": None, "category": "use_of_force"},
    ):
        etag = (await client.get(url, headers=c.headers)).headers["etag"]
        edited = await client.patch(url, json=body, headers={**c.headers, "If-Match": etag})
        assert edited.status_code == 200, edited.text
    added = await client.post(
        f"{url}/allegations",
        json={"category": "property_damage", "officer_badge": "77"},
        headers=c.headers,
    )
    assert added.status_code == 201, added.text
    corrected = await client.patch(
        f"{url}/allegations/{added.json()['id']}",
        json={"officer_name": "J. Doe", "category": "discourtesy"},
        headers=c.headers,
    )
    assert corrected.status_code == 200, corrected.text
    for person, body in (
        (c, {"body": "Pulled the dispatch log.", "visibility": "internal"}),
        (c, {"body": "We are looking into it.", "visibility": "public"}),
        (cast.resident, {"body": "I have a photo of the car."}),
    ):
        note = await client.post(f"{url}/notes", json=body, headers=person.headers)
        assert note.status_code == 201, note.text
    code = complaint["tracking_code"]
    by_code = await client.post(f"/api/v1/public/concerns/{code}/notes", json={"body": "Also…"})
    assert by_code.status_code == 201, by_code.text

    # Through the machine: triage, referral, response, review, scheduling, deferral ----------
    await moved(api, c, complaint, "triaged")
    await moved(api, c, complaint, "referred", department_id=str(cast.department))
    assert (await respond(api, cast.officer, complaint)).status_code == 201
    await moved(api, c, complaint, "under_review")
    meeting = await new_meeting(api, cast)
    await moved(api, c, complaint, "scheduled", meeting_id=meeting["id"])
    await moved(api, c, complaint, "under_review", reason="needs the video first")
    await moved(api, c, complaint, "scheduled", meeting_id=meeting["id"])

    # The meeting's own changes: edit, postpone, agenda items added, reordered, removed -------
    meeting_url = f"{MEETINGS}/{meeting['id']}"

    async def patch_meeting(body: dict[str, Any]) -> None:
        etag = (await client.get(meeting_url, headers=c.headers)).headers["etag"]
        response = await client.patch(
            meeting_url, json=body, headers={**c.headers, "If-Match": etag}
        )
        assert response.status_code == 200, response.text

    await patch_meeting({"title": "Regular meeting (January)"})
    await patch_meeting({"scheduled_at": "2030-01-22T18:00:00Z"})
    items = []
    agenda: list[dict[str, Any]] = [
        {"title": "Public comment", "kind": "public_comment"},
        {"title": "Chair's report", "kind": "general", "position": 1},
    ]
    for wanted in agenda:
        item = await client.post(f"{meeting_url}/agenda-items", json=wanted, headers=c.headers)
        assert item.status_code == 201, item.text
        items.append(item.json())
    reordered = await client.patch(
        f"{meeting_url}/agenda-items/{items[0]['id']}",
        json={"position": 1, "title": "Public comment (3 minutes each)"},
        headers=c.headers,
    )
    assert reordered.status_code == 200, reordered.text
    removed = await client.delete(f"{meeting_url}/agenda-items/{items[1]['id']}", headers=c.headers)
    assert removed.status_code == 204, removed.text

    # Resolutions: drafted, edited, proposed, withdrawn; voted and decided; answered ---------
    members = await commission(api, cast, size=3)
    withdrawn = await draft(api, cast, title="Withdrawn before the vote")
    assert (
        await move_resolution(api, c, withdrawn, to="proposed", meeting_id=meeting["id"])
    ).status_code == 200
    assert (await move_resolution(api, c, withdrawn, to="withdrawn")).status_code == 200
    resolution = await draft(api, cast, concern_ids=[complaint["id"]])
    resolution_url = f"{RESOLUTIONS}/{resolution['id']}"
    edited = await client.patch(
        resolution_url,
        json={"title": "Cameras on at every stop", "concern_ids": [complaint["id"]]},
        headers={**c.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    assert (
        await move_resolution(api, c, resolution, to="proposed", meeting_id=meeting["id"])
    ).status_code == 200
    assert (await move_meeting(api, c, meeting, "in_session")).status_code == 200
    attendance = [{"commissioner_id": str(m.id), "present": True} for m in members]
    taken = await client.put(f"{meeting_url}/attendance", json=attendance, headers=c.headers)
    assert taken.status_code == 200, taken.text
    for member in members:
        assert (await vote(api, member, resolution, "yes")).status_code == 200
    assert (await vote(api, members[0], resolution, "no")).status_code == 200  # replaced
    decided = await client.post(f"{resolution_url}/decision", headers=c.headers)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "adopted"
    recommendation = decided.json()["recommendations"][0]["id"]
    answered = await client.post(
        f"/api/v1/recommendations/{recommendation}/responses",
        json={"status": "accepted", "body": "Policy 4.12 is being amended."},
        headers=cast.officer.headers,
    )
    assert answered.status_code == 200, answered.text

    # The complaint is resolved with findings, closed, reopened; minutes drafted, approved ---
    allegation_ids = [
        a["id"] for a in (await client.get(f"{url}/allegations", headers=c.headers)).json()
    ]
    await moved(
        api,
        c,
        complaint,
        "resolved",
        findings=[{"allegation_id": a, "finding": "sustained"} for a in allegation_ids],
    )
    await moved(api, c, complaint, "closed")
    await moved(api, c, complaint, "under_review", reason="new evidence")
    assert (await move_meeting(api, c, meeting, "adjourned")).status_code == 200
    minutes = await client.put(
        f"{meeting_url}/minutes", json={"body": "Called to order at 6 pm."}, headers=c.headers
    )
    assert minutes.status_code == 200, minutes.text
    approved = await client.post(f"{meeting_url}/minutes/approve", headers=c.headers)
    assert approved.status_code == 200, approved.text

    # A cancelled meeting hands back its scheduled concern and its proposed resolution -------
    cancelled = await new_meeting(api, cast, title="Special meeting")
    scheduled = await reach(api, cast, "under_review")
    await moved(api, c, scheduled, "scheduled", meeting_id=cancelled["id"])
    proposed = await draft(api, cast, title="Proposed, then the meeting is cancelled")
    assert (
        await move_resolution(api, c, proposed, to="proposed", meeting_id=cancelled["id"])
    ).status_code == 200
    assert (
        await move_meeting(api, c, cancelled, "cancelled", reason="no quorum")
    ).status_code == 200

    # The other ends of the concern machine: dismissed, withdrawn, resolved without findings,
    # an anonymous concern, and a referral taken back.
    await reach(api, cast, "dismissed")
    await reach(api, cast, "withdrawn")
    await reach(api, cast, "closed")
    anonymous = await submit(api, None, kind="inquiry")
    await moved(api, c, anonymous, "withdrawn")
    taken_back = await reach(api, cast, "referred")
    await moved(api, c, taken_back, "under_review", reason="the department is conflicted")


async def drive_evidence(api: Api, cast: Cast) -> None:
    """A photo on a concern (and its copy), changed, downloaded, withdrawn."""
    concern = await submit(api, cast.resident)
    added = await upload(
        api,
        f"{CONCERNS}/{concern['id']}/attachments",
        cast.resident,
        photo(),
        "a.jpg",
        "image/jpeg",
    )
    assert added.status_code == 201, added.text
    url = f"/api/v1/attachments/{added.json()['id']}"
    changed = await api.client.patch(
        url,
        json={"description": "Taken from the porch"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    downloaded = await api.client.get(f"{url}/content", headers=cast.commissioner.headers)
    assert downloaded.status_code == 200
    withdrawn = await api.client.post(
        f"{url}/withdrawal", json={"reason": "Duplicate"}, headers=cast.commissioner.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text


async def test_no_event_holds_a_placeholder_id(
    api: Api, cast: Cast, settings: Settings, tmp_path: Path
) -> None:
    await _drive_everything(api, cast)
    await drive_webhooks(api, cast, settings)
    await drive_budget(api, settings, tmp_path)
    await drive_open311(api)
    await drive_intervention(api, cast, settings, await drive_officers(api))
    await drive_discipline(api, cast)
    # Community voice, driven by each resource's own tests' drivers.
    await drive_comments(api, cast)
    await drive_proposals(api, cast)
    await drive_speakers(api, cast)
    await drive_evidence(api, cast)
    events = await api.audit_events()
    assert events, "nothing was audited"

    found = [line for event in events for line in problems(event)]
    assert found == [], "\n".join(found)

    seen = {event["action"] for event in events}
    missing = emitted_actions() - seen
    assert not missing, f"actions the code emits but this test did not drive: {sorted(missing)}"
    # Both sides of the exceptions above occur: a failed sign-in naming an account, and not.
    failed = [e for e in events if e["action"] == "auth.sign_in_failed"]
    assert {e["entity_id"] is None for e in failed} == {True, False}
