"""Visibility, notes, responses, allegations and findings, timelines and the public view."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from oversight.core.roles import Role
from tests.cases import Cast, reach, respond
from tests.helpers import CONCERNS, Api, assert_problem, move, moved, submit

OFFICER_NEVER_SEES = {"submitted_by", "contact_email", "anonymous", "tracking_code"}


async def test_residents_see_only_their_own(api: Api, cast: Cast) -> None:
    mine = await submit(api, cast.resident)
    other = await api.person(Role.RESIDENT)
    theirs = await submit(api, other)
    listed = await api.client.get(CONCERNS, headers=cast.resident.headers)
    assert [c["id"] for c in listed.json()["items"]] == [mine["id"]]
    assert_problem(
        await api.client.get(f"{CONCERNS}/{theirs['id']}", headers=cast.resident.headers), 404
    )
    for path in ("notes", "events", "allegations"):
        hidden = await api.client.get(
            f"{CONCERNS}/{theirs['id']}/{path}", headers=cast.resident.headers
        )
        assert_problem(hidden, 404)


async def test_officers_see_referred_concerns_without_the_complainant(api: Api, cast: Cast) -> None:
    unreferred = await submit(api, cast.resident)
    referred = await reach(api, cast, "referred", contact_email="me@example.org")
    other_department = await api.person(Role.OFFICER)

    listed = (await api.client.get(CONCERNS, headers=cast.officer.headers)).json()["items"]
    assert [c["id"] for c in listed] == [referred["id"]]
    assert not OFFICER_NEVER_SEES & listed[0].keys()
    single = (
        await api.client.get(f"{CONCERNS}/{referred['id']}", headers=cast.officer.headers)
    ).json()
    assert not OFFICER_NEVER_SEES & single.keys()
    assert single["description"]  # the substance of the concern is what they must answer
    assert_problem(
        await api.client.get(f"{CONCERNS}/{unreferred['id']}", headers=cast.officer.headers), 404
    )
    assert_problem(
        await api.client.get(f"{CONCERNS}/{referred['id']}", headers=other_department.headers), 404
    )
    assert (await api.client.get(CONCERNS, headers=other_department.headers)).json()["items"] == []
    # Notes are never shown to officers, not even public ones.
    assert_problem(
        await api.client.get(f"{CONCERNS}/{referred['id']}/notes", headers=cast.officer.headers),
        403,
    )
    events = (
        await api.client.get(f"{CONCERNS}/{referred['id']}/events", headers=cast.officer.headers)
    ).json()
    assert all(e.get("actor_id") != str(cast.resident.id) for e in events)
    assert [e["to_status"] for e in events] == ["submitted", "triaged", "referred"]


async def test_notes_by_visibility(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/notes"
    internal = await api.client.post(
        url, json={"body": "Check body-cam footage"}, headers=cast.commissioner.headers
    )
    assert internal.json()["visibility"] == "internal"
    public = await api.client.post(
        url,
        json={"body": "We received your concern", "visibility": "public"},
        headers=cast.commissioner.headers,
    )
    assert public.status_code == 201
    from_resident = await api.client.post(
        url, json={"body": "I have a witness"}, headers=cast.resident.headers
    )
    assert from_resident.json()["visibility"] == "public"
    assert from_resident.json()["by_submitter"] is True
    assert_problem(
        await api.client.post(
            url, json={"body": "x", "visibility": "internal"}, headers=cast.resident.headers
        ),
        403,
    )
    resident_view = (await api.client.get(url, headers=cast.resident.headers)).json()
    assert [n["body"] for n in resident_view] == ["We received your concern", "I have a witness"]
    staff_view = (await api.client.get(url, headers=cast.commissioner.headers)).json()
    assert len(staff_view) == 3
    admin = await api.person(Role.ADMIN)
    assert len((await api.client.get(url, headers=admin.headers)).json()) == 3
    assert_problem(await api.client.post(url, json={"body": "x"}, headers=admin.headers), 403)
    resident_events = (
        await api.client.get(f"{CONCERNS}/{concern['id']}/events", headers=cast.resident.headers)
    ).json()
    assert [e["action"] for e in resident_events] == [
        "concern.submitted",
        "concern.note_added",
        "concern.note_added",
    ]
    assert all("reason" not in e and "data" not in e for e in resident_events)


async def test_department_response_moves_to_responded(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "referred")
    response = await respond(api, cast.officer, concern)
    assert response.status_code == 201
    assert response.json()["action_taken"] == "training"
    after = (
        await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    ).json()
    assert after["status"] == "responded"
    assert after["overdue"] is False
    listed = await api.client.get(
        f"{CONCERNS}/{concern['id']}/responses", headers=cast.officer.headers
    )
    assert len(listed.json()) == 1
    assert_problem(
        await api.client.get(
            f"{CONCERNS}/{concern['id']}/responses", headers=cast.resident.headers
        ),
        403,
    )
    # A second response is not a move from responded.
    assert_problem(await respond(api, cast.officer, concern), 409)
    # The commission sends it back; the department answers again.
    await moved(api, cast.commissioner, concern, "referred", department_id=str(cast.department))
    assert (await respond(api, cast.officer, concern)).status_code == 201
    events = await api.audit_events(entity_id=concern["id"], action="concern.transition")
    assert [e["to_status"] for e in events][-3:] == ["responded", "referred", "responded"]


async def test_only_the_referred_department_responds(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "referred")
    stranger = await api.person(Role.OFFICER)
    assert_problem(await respond(api, stranger, concern), 404)
    assert_problem(await respond(api, cast.commissioner, concern), 403)
    bad = await api.client.post(
        f"{CONCERNS}/{concern['id']}/responses",
        json={"body": "x", "action_taken": "nothing"},
        headers=cast.officer.headers,
    )
    assert_problem(bad, 422)
    triaged = await reach(api, cast, "triaged")
    triaged_referred_elsewhere = await api.client.post(
        f"{CONCERNS}/{triaged['id']}/responses",
        json={"body": "x", "action_taken": "none"},
        headers=cast.officer.headers,
    )
    assert_problem(triaged_referred_elsewhere, 404)


async def resolve_with_allegations(api: Api, cast: Cast) -> tuple[dict[str, Any], list[str]]:
    concern = await submit(
        api,
        cast.resident,
        allegations=[
            {"category": "discourtesy"},
            {"category": "use_of_force", "officer_name": "J. Doe"},
        ],
    )
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "under_review")
    return concern, [a["id"] for a in concern["allegations"]]


async def test_resolving_a_complaint_needs_every_finding(api: Api, cast: Cast) -> None:
    concern, (first, second) = await resolve_with_allegations(api, cast)
    missing = await move(
        api,
        cast.commissioner,
        concern,
        "resolved",
        findings=[{"allegation_id": first, "finding": "unfounded"}],
    )
    assert_problem(missing, 422)
    unknown = await move(
        api,
        cast.commissioner,
        concern,
        "resolved",
        findings=[{"allegation_id": str(uuid.uuid4()), "finding": "unfounded"}],
    )
    assert_problem(unknown, 422)
    disagreeing = await move(
        api,
        cast.commissioner,
        concern,
        "resolved",
        disposition="exonerated",
        findings=[
            {"allegation_id": first, "finding": "unfounded"},
            {"allegation_id": second, "finding": "sustained"},
        ],
    )
    assert_problem(disagreeing, 422)
    still = (
        await api.client.get(
            f"{CONCERNS}/{concern['id']}/allegations", headers=cast.commissioner.headers
        )
    ).json()
    assert [a["finding"] for a in still] == [None, None]

    resolved = await moved(
        api,
        cast.commissioner,
        concern,
        "resolved",
        findings=[
            {"allegation_id": first, "finding": "unfounded"},
            {"allegation_id": second, "finding": "sustained"},
        ],
    )
    assert resolved["disposition"] == "sustained"
    assert [a["finding"] for a in resolved["allegations"]] == ["unfounded", "sustained"]


async def test_findings_set_earlier_count(api: Api, cast: Cast) -> None:
    concern, (first, second) = await resolve_with_allegations(api, cast)
    for allegation_id, finding in ((first, "mediated"), (second, "not_sustained")):
        response = await api.client.patch(
            f"{CONCERNS}/{concern['id']}/allegations/{allegation_id}",
            json={"finding": finding},
            headers=cast.commissioner.headers,
        )
        assert response.status_code == 200
    resolved = await moved(api, cast.commissioner, concern, "resolved", disposition="not_sustained")
    assert resolved["disposition"] == "not_sustained"


async def test_allegations_are_commissioners_to_change(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/allegations"
    added = await api.client.post(
        url, json={"category": "bias", "officer_badge": "77"}, headers=cast.commissioner.headers
    )
    assert added.status_code == 201
    after = (
        await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    ).json()
    assert after["version"] == 2  # an allegation shows in the concern, so it bumps the ETag
    assert_problem(
        await api.client.post(url, json={"category": "bias"}, headers=cast.resident.headers), 403
    )
    item = f"{url}/{added.json()['id']}"
    assert_problem(
        await api.client.patch(item, json={"finding": "sustained"}, headers=cast.resident.headers),
        403,
    )
    assert_problem(
        await api.client.patch(item, json={"finding": "guilty"}, headers=cast.commissioner.headers),
        422,
    )
    assert_problem(
        await api.client.patch(
            f"{url}/{uuid.uuid4()}",
            json={"finding": "sustained"},
            headers=cast.commissioner.headers,
        ),
        404,
    )
    assert (await api.client.get(url, headers=cast.resident.headers)).json()[0][
        "officer_badge"
    ] == "77"
    events = await api.audit_events(entity_id=concern["id"], action="concern.allegation_added")
    assert len(events) == 1


async def test_public_status_and_anonymous_follow_up(api: Api, cast: Cast) -> None:
    created = await api.client.post(
        CONCERNS,
        json={
            "kind": "policy_concern",
            "category": "policy_procedure",
            "summary": "Curfew sweeps",
            "description": "Sweeps at night in the park.",
        },
    )
    concern = created.json()
    await moved(
        api, cast.commissioner, concern, "triaged", public_note="The commission will review this."
    )
    code = concern["tracking_code"]
    status = await api.client.get(f"/api/v1/public/concerns/{code.lower()}")
    assert status.status_code == 200
    view = status.json()
    assert view["status"] == "triaged"
    assert view["received_on"] == concern["created_at"][:10]
    assert [(t["status"], t["public_note"]) for t in view["timeline"]] == [
        ("submitted", None),
        ("triaged", "The commission will review this."),
    ]
    assert set(view) == {
        "tracking_code",
        "kind",
        "category",
        "status",
        "disposition",
        "received_on",
        "response_due_on",
        "overdue",
        "timeline",
        "added_information",
    }
    compact = code.replace("-", "").replace("0", "O")
    assert (await api.client.get(f"/api/v1/public/concerns/{compact}")).status_code == 200

    note = await api.client.post(
        f"/api/v1/public/concerns/{code}/notes", json={"body": "A neighbour filmed it."}
    )
    assert note.status_code == 201
    notes = (
        await api.client.get(f"{CONCERNS}/{concern['id']}/notes", headers=cast.commissioner.headers)
    ).json()
    assert notes[0]["by_submitter"] is True
    assert notes[0]["visibility"] == "public"


@pytest.mark.parametrize("code", ["OC-AAAA-AAAA-AAAA", "not-a-code-at-all", "OC-UUUU-UUUU-UUUU"])
async def test_unknown_tracking_codes_are_404(api: Api, code: str) -> None:
    await submit(api)
    assert_problem(await api.client.get(f"/api/v1/public/concerns/{code}"), 404)
    assert_problem(
        await api.client.post(f"/api/v1/public/concerns/{code}/notes", json={"body": "x"}), 404
    )


async def test_owner_edits_description_only_while_submitted(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}"
    edited = await api.client.patch(
        url,
        json={"description": "More detail."},
        headers={**cast.resident.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200
    assert edited.headers["etag"] == '"2"'
    assert_problem(
        await api.client.patch(
            url, json={"priority": "urgent"}, headers={**cast.resident.headers, "If-Match": '"2"'}
        ),
        403,
    )
    await moved(api, cast.commissioner, concern, "triaged")
    assert_problem(
        await api.client.patch(
            url, json={"description": "Late"}, headers={**cast.resident.headers, "If-Match": '"3"'}
        ),
        403,
    )
    events = await api.audit_events(entity_id=concern["id"], action="concern.edited")
    assert events[0]["data"] == {
        "before": {"description": concern["description"]},
        "after": {"description": "More detail."},
    }


async def test_commissioner_edits_triage_fields(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}"
    body = {
        "priority": "urgent",
        "assignee_id": str(cast.commissioner.id),
        "neighborhood": "Sun Terrace",
        "category": "bias",
    }
    edited = await api.client.patch(
        url, json=body, headers={**cast.commissioner.headers, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    result = edited.json()
    assert (
        result["priority"],
        result["assignee_id"],
        result["location"]["neighborhood"],
        result["category"],
    ) == ("urgent", str(cast.commissioner.id), "Sun Terrace", "bias")
    for bad in (
        {"assignee_id": str(cast.resident.id)},
        {"category": "nope"},
        {"priority": None},
        {"status": "closed"},
        {"version": 9},
    ):
        assert_problem(
            await api.client.patch(
                url, json=bad, headers={**cast.commissioner.headers, "If-Match": '"2"'}
            ),
            422,
        )
    assert_problem(
        await api.client.patch(
            url, json={"description": "x"}, headers={**cast.commissioner.headers, "If-Match": '"2"'}
        ),
        403,
    )
    assert_problem(
        await api.client.patch(url, json={"priority": "low"}, headers=cast.commissioner.headers),
        428,
    )
    assert_problem(
        await api.client.patch(
            url, json={"priority": "low"}, headers={**cast.commissioner.headers, "If-Match": '"1"'}
        ),
        412,
    )
