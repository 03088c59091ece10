"""Resolutions: draft, propose, vote by name, decide with quorum, number without gaps; and the
recommendations departments answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from oversight.core.roles import Role
from tests.cases import Cast, new_meeting, reach
from tests.helpers import Api, Person, assert_problem
from tests.meetings.test_meetings import move_meeting

RESOLUTIONS = "/api/v1/resolutions"
MEETINGS = "/api/v1/meetings"


async def commission(api: Api, cast: Cast, size: int = 5) -> list[Person]:
    """The cast's commissioner and ``size - 1`` more: the active commissioners."""
    return [cast.commissioner, *[await api.person(Role.COMMISSIONER) for _ in range(size - 1)]]


async def draft(api: Api, cast: Cast, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Body cameras on at every stop",
        "body": "The commission recommends that body cameras record every stop.",
        "recommendations": [
            {
                "text": "Amend policy 4.12.",
                "department_id": str(cast.department),
                "due_at": "2027-06-30T00:00:00Z",
            }
        ],
    } | fields
    response = await api.client.post(RESOLUTIONS, json=body, headers=cast.commissioner.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def move(api: Api, person: Person, resolution: dict[str, Any], **body: Any) -> Any:
    current = await api.client.get(f"{RESOLUTIONS}/{resolution['id']}", headers=person.headers)
    return await api.client.post(
        f"{RESOLUTIONS}/{resolution['id']}/transitions",
        json=body,
        headers={**person.headers, "If-Match": current.headers["etag"]},
    )


async def in_session(
    api: Api, cast: Cast, members: list[Person], present: list[Person], *drafts: dict[str, Any]
) -> dict[str, Any]:
    """A meeting with the drafts proposed on it, opened, attendance taken."""
    meeting = await new_meeting(api, cast)
    for resolution in drafts:
        assert (
            await move(api, cast.commissioner, resolution, to="proposed", meeting_id=meeting["id"])
        ).status_code == 200
    await move_meeting(api, cast.commissioner, meeting, "in_session")
    attendance = [{"commissioner_id": str(m.id), "present": m in present} for m in members]
    taken = await api.client.put(
        f"{MEETINGS}/{meeting['id']}/attendance", json=attendance, headers=cast.commissioner.headers
    )
    assert taken.status_code == 200, taken.text
    return meeting


async def vote(
    api: Api, person: Person, resolution: dict[str, Any], choice: str, reason: str | None = None
) -> Any:
    body = {"vote": choice} | ({"reason": reason} if reason else {})
    return await api.client.put(
        f"{RESOLUTIONS}/{resolution['id']}/votes/me", json=body, headers=person.headers
    )


async def test_draft_and_edit(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "under_review")
    resolution = await draft(api, cast, concern_ids=[concern["id"]])
    assert resolution["status"] == "draft"
    assert resolution["number"] is None
    assert resolution["concern_ids"] == [concern["id"]]
    assert resolution["recommendations"][0]["status"] == "pending"
    assert resolution["allowed_transitions"] == ["proposed", "withdrawn"]
    url = f"{RESOLUTIONS}/{resolution['id']}"
    edited = await api.client.patch(
        url, json={"title": "Cameras on"}, headers={**cast.commissioner.headers, "If-Match": '"1"'}
    )
    assert edited.json()["title"] == "Cameras on"
    assert edited.json()["recommendations"][0]["text"] == "Amend policy 4.12."
    assert_problem(
        await api.client.patch(url, json={"title": "x"}, headers=cast.commissioner.headers), 428
    )
    for bad in (
        {"concern_ids": [cast.department.hex]},
        {"recommendations": [{"text": "x", "department_id": concern["id"]}]},
        {"status": "adopted"},
        {"number": "R-2026-001"},
    ):
        assert_problem(
            await api.client.patch(
                url, json=bad, headers={**cast.commissioner.headers, "If-Match": '"2"'}
            ),
            422,
        )
    for person in (cast.resident, cast.officer):
        assert_problem(
            await api.client.post(
                RESOLUTIONS, json={"title": "x", "body": "y"}, headers=person.headers
            ),
            403,
        )
        # A draft is the commission's, known to the department it addresses (403 to its
        # officer); to anyone else it does not exist (404).
        seen = person is cast.officer
        assert_problem(await api.client.get(url, headers=person.headers), 403 if seen else 404)


async def test_proposing_puts_it_on_the_agenda_and_freezes_it(api: Api, cast: Cast) -> None:
    resolution = await draft(api, cast)
    meeting = await new_meeting(api, cast)
    assert_problem(await move(api, cast.commissioner, resolution, to="proposed"), 422)
    proposed = await move(
        api, cast.commissioner, resolution, to="proposed", meeting_id=meeting["id"]
    )
    assert proposed.json()["status"] == "proposed"
    agenda = (
        await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    ).json()["agenda"]
    assert [(i["kind"], i["resolution_id"]) for i in agenda] == [("resolution", resolution["id"])]
    edit = await api.client.patch(
        f"{RESOLUTIONS}/{resolution['id']}",
        json={"title": "x"},
        headers={**cast.commissioner.headers, "If-Match": f'"{proposed.json()["version"]}"'},
    )
    assert_problem(edit, 409)
    withdrawn = await move(api, cast.commissioner, resolution, to="withdrawn", reason="Superseded")
    assert withdrawn.json()["status"] == "withdrawn"
    agenda = (
        await api.client.get(f"{MEETINGS}/{meeting['id']}", headers=cast.commissioner.headers)
    ).json()["agenda"]
    assert agenda == []


async def test_votes_decide_and_number(api: Api, cast: Cast) -> None:
    members = await commission(api, cast)
    first, second = await draft(api, cast), await draft(api, cast, title="Second")
    present = members[:3]
    assert_problem(await vote(api, members[0], first, "yes"), 409)  # not proposed yet
    await in_session(api, cast, members, present, first, second)
    assert_problem(await vote(api, members[4], first, "yes"), 409)  # absent
    assert_problem(await vote(api, members[1], first, "recused"), 422)  # needs a reason
    assert_problem(await vote(api, members[1], first, "maybe"), 422)
    assert (await vote(api, members[0], first, "no")).status_code == 200
    changed = await vote(api, members[0], first, "yes")  # the second replaces the first
    assert [v["vote"] for v in changed.json()["votes"]] == ["yes"]
    await vote(api, members[1], first, "yes")
    await vote(api, members[2], first, "recused", "My brother is the officer involved")
    decided = await api.client.post(
        f"{RESOLUTIONS}/{first['id']}/decision", headers=cast.commissioner.headers
    )
    result = decided.json()
    assert result["status"] == "adopted"
    assert result["number"] == f"R-{datetime.now(UTC).year}-001"
    assert result["tally"] == {"yes": 2, "no": 0, "abstain": 0, "recused": 1, "absent": 2}
    events = await api.audit_events(entity_id=first["id"], action="resolution.vote")
    assert len(events) == 4
    assert events[1]["data"]["before"] == {"vote": "no", "reason": None}
    assert_problem(await vote(api, members[1], first, "no"), 409)  # decided
    edit = await api.client.patch(
        f"{RESOLUTIONS}/{first['id']}",
        json={"title": "Rewritten"},
        headers={**cast.commissioner.headers, "If-Match": f'"{result["version"]}"'},
    )
    assert_problem(edit, 409)
    assert_problem(
        await api.client.post(
            f"{RESOLUTIONS}/{first['id']}/decision", headers=cast.commissioner.headers
        ),
        409,
    )

    await vote(api, members[0], second, "yes")
    await vote(api, members[1], second, "no")
    tie = (
        await api.client.post(
            f"{RESOLUTIONS}/{second['id']}/decision", headers=cast.commissioner.headers
        )
    ).json()
    assert (tie["status"], tie["number"]) == ("rejected", None)


async def test_without_quorum_it_is_rejected(api: Api, cast: Cast) -> None:
    members = await commission(api, cast)
    resolution = await draft(api, cast)
    await in_session(api, cast, members, members[:2], resolution)
    await vote(api, members[0], resolution, "yes")
    await vote(api, members[1], resolution, "yes")
    decided = (
        await api.client.post(
            f"{RESOLUTIONS}/{resolution['id']}/decision", headers=cast.commissioner.headers
        )
    ).json()
    assert decided["status"] == "rejected"
    assert decided["tally"]["absent"] == 3


async def test_concurrent_decisions_number_without_gaps(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, size=3)
    drafts = [await draft(api, cast, title=f"R{i}") for i in range(4)]
    await in_session(api, cast, members, members, *drafts)
    for resolution in drafts:
        await vote(api, members[0], resolution, "yes")
    decided = await asyncio.gather(
        *(
            api.client.post(f"{RESOLUTIONS}/{r['id']}/decision", headers=cast.commissioner.headers)
            for r in drafts
        )
    )
    assert [d.status_code for d in decided] == [200] * 4
    year = datetime.now(UTC).year
    assert sorted(d.json()["number"] for d in decided) == [f"R-{year}-{n:03d}" for n in range(1, 5)]


async def test_cancelling_returns_proposed_resolutions_to_draft(api: Api, cast: Cast) -> None:
    resolution = await draft(api, cast)
    meeting = await new_meeting(api, cast)
    await move(api, cast.commissioner, resolution, to="proposed", meeting_id=meeting["id"])
    await move_meeting(api, cast.commissioner, meeting, "cancelled", reason="Storm")
    after = (
        await api.client.get(f"{RESOLUTIONS}/{resolution['id']}", headers=cast.commissioner.headers)
    ).json()
    assert (after["status"], after["meeting_id"]) == ("draft", None)
    events = await api.audit_events(entity_id=resolution["id"], action="resolution.transition")
    assert (events[-1]["to_status"], events[-1]["reason"]) == ("draft", "meeting cancelled")
    # The public agenda keeps its item but no longer names a resolution the public may not see.
    public = (await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).json()
    assert public["agenda"], public
    assert resolution["id"] not in str(public)
    assert [item["resolution_id"] for item in public["agenda"]] == [None] * len(public["agenda"])


async def test_departments_answer_adopted_recommendations(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, size=1)
    resolution = await draft(api, cast)
    recommendation = resolution["recommendations"][0]
    url = f"/api/v1/recommendations/{recommendation['id']}/responses"
    answer = {"status": "accepted", "body": "Policy 4.12 will be amended by June."}
    assert_problem(
        await api.client.post(url, json=answer, headers=cast.officer.headers), 409
    )  # not adopted
    await in_session(api, cast, members, members, resolution)
    await vote(api, members[0], resolution, "yes")
    await api.client.post(
        f"{RESOLUTIONS}/{resolution['id']}/decision", headers=cast.commissioner.headers
    )
    stranger = await api.person(Role.OFFICER)
    assert_problem(await api.client.post(url, json=answer, headers=stranger.headers), 403)
    assert_problem(await api.client.post(url, json=answer, headers=cast.commissioner.headers), 403)
    accepted = await api.client.post(url, json=answer, headers=cast.officer.headers)
    assert accepted.json()["status"] == "accepted"
    assert_problem(
        await api.client.post(
            url, json={"status": "rejected", "body": "No"}, headers=cast.officer.headers
        ),
        409,
    )
    done = await api.client.post(
        url, json={"status": "implemented", "body": "Done."}, headers=cast.officer.headers
    )
    assert done.json()["status"] == "implemented"

    scorecard = (await api.client.get("/api/v1/public/recommendations/scorecard")).json()
    assert scorecard["total"] == 1
    assert scorecard["by_status"]["implemented"] == 1
    assert sum(scorecard["by_status"].values()) == 1
    assert scorecard["overdue"] == 0
    public = (await api.client.get("/api/v1/public/resolutions")).json()["items"]
    (shown,) = public
    assert shown["recommendations"][0]["status"] == "implemented"
    # By name: no commissioner's account id in public.
    assert shown["votes"] == [{"name": "Test commissioner", "vote": "yes", "reason": None}]
    drafted = await draft(api, cast)
    assert_problem(await api.client.get(f"/api/v1/public/resolutions/{drafted['id']}"), 404)


async def test_recommendations_are_listed_for_those_who_answer_them(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, size=1)
    stranger = await api.person(Role.OFFICER)
    adopted = await draft(
        api,
        cast,
        recommendations=[
            {"text": "Amend policy 4.12.", "department_id": str(cast.department)},
            {"text": "Train on 4.12.", "department_id": str(stranger.department_id)},
        ],
    )
    await in_session(api, cast, members, members, adopted)
    await vote(api, members[0], adopted, "yes")
    decided = await api.client.post(
        f"{RESOLUTIONS}/{adopted['id']}/decision", headers=cast.commissioner.headers
    )
    assert decided.json()["status"] == "adopted", decided.text
    still_draft = await draft(api, cast, title="Publish stop data monthly")
    url = "/api/v1/recommendations"

    async def listed(person: Person, **params: Any) -> list[tuple[str, str]]:
        response = await api.client.get(url, params=params, headers=person.headers)
        assert response.status_code == 200, response.text
        return [(r["resolution_title"], r["text"]) for r in response.json()["items"]]

    everything = [
        ("Publish stop data monthly", "Amend policy 4.12."),
        ("Body cameras on at every stop", "Amend policy 4.12."),
        ("Body cameras on at every stop", "Train on 4.12."),
    ]
    assert await listed(cast.commissioner) == everything
    # An officer: their own department's, of adopted resolutions only.
    assert await listed(cast.officer) == [("Body cameras on at every stop", "Amend policy 4.12.")]
    assert await listed(stranger) == [("Body cameras on at every stop", "Train on 4.12.")]
    assert await listed(stranger, department_id=str(cast.department)) == []
    assert await listed(cast.commissioner, department_id=str(stranger.department_id)) == [
        everything[2]
    ]
    first = adopted["recommendations"][0]
    answered = await api.client.post(
        f"{url}/{first['id']}/responses",
        json={"status": "accepted", "body": "Amending."},
        headers=cast.officer.headers,
    )
    assert answered.status_code == 200, answered.text
    assert await listed(cast.commissioner, status="pending") == [everything[0], everything[2]]
    assert await listed(cast.commissioner, status=["accepted", "rejected"]) == [everything[1]]
    page = await api.client.get(url, params={"limit": 2}, headers=cast.commissioner.headers)
    rest = await api.client.get(
        url, params={"cursor": page.json()["next_cursor"]}, headers=cast.commissioner.headers
    )
    assert [r["id"] for r in page.json()["items"] + rest.json()["items"]] == [
        r["id"]
        for r in (await api.client.get(url, headers=cast.commissioner.headers)).json()["items"]
    ]
    assert still_draft["recommendations"][0]["id"] == page.json()["items"][0]["id"]
    assert_problem(await api.client.get(url, headers=cast.resident.headers), 403)
    assert_problem(await api.client.get(url), 401)


async def test_public_meetings_show_decisions_with_votes_by_name(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, size=3)
    decided, pending = await draft(api, cast), await draft(api, cast, title="Still debated")
    meeting = await in_session(api, cast, members, members, decided, pending)
    await vote(api, members[0], decided, "yes")
    await vote(api, members[1], decided, "no")
    await vote(api, members[2], decided, "recused", reason="Family member is an officer.")
    await vote(api, members[0], pending, "yes")
    outcome = await api.client.post(
        f"{RESOLUTIONS}/{decided['id']}/decision", headers=cast.commissioner.headers
    )
    assert outcome.status_code == 200, outcome.text
    shown = (await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).json()
    items = {item["resolution_id"]: item for item in shown["agenda"] if item["resolution_id"]}
    assert items[pending["id"]]["decision"] is None  # no votes before the decision
    decision = items[decided["id"]]["decision"]
    assert decision["status"] == outcome.json()["status"]
    assert decision["number"] == outcome.json()["number"]
    # The staff view's votes, less the commissioners' account ids.
    staff_votes = outcome.json()["votes"]
    assert {v["commissioner_id"] for v in staff_votes} == {str(m.id) for m in members}
    assert decision["votes"] == [
        {k: v for k, v in vote.items() if k != "commissioner_id"} for vote in staff_votes
    ]
    assert sorted(v["vote"] for v in decision["votes"]) == ["no", "recused", "yes"]
    listed = (await api.client.get("/api/v1/public/meetings")).json()["items"]
    (same,) = [m for m in listed if m["id"] == meeting["id"]]
    assert same["agenda"] == shown["agenda"]
