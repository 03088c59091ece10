"""Accused officers: a commissioner links an allegation to a roster officer, helped by a ranking
of candidates; what the resident typed stays; the officer accounts of the referred department
see the link, residents never do."""

from __future__ import annotations

from typing import Any

import pytest

from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import Api, Person, assert_problem, moved, submit
from tests.officers.test_roster import ROSTER, listed, post_roster

CONCERNS = "/api/v1/concerns"


class World:
    def __init__(self, admin: Person, north: str, resident: Person, investigator: Person) -> None:
        self.admin, self.north = admin, north
        self.resident, self.investigator = resident, investigator
        self.concern: dict[str, Any] = {}
        self.allegation = ""
        self.officers: dict[str, str] = {}


@pytest.fixture
async def world(api: Api, cast: Cast) -> World:
    """The roster, a complaint naming "John Smth, badge 1002" referred to NORTH, and an officer
    account of NORTH who investigates it."""
    north = await api.department("NORTH")
    await api.department("SOUTH")
    admin = await api.person(Role.ADMIN)
    assert (await post_roster(api, admin, ROSTER)).status_code == 200
    resident = await api.person(Role.RESIDENT)
    concern = await submit(
        api,
        resident,
        allegations=[
            {"category": "discourtesy", "officer_badge": "1002", "officer_name": "John Smth"}
        ],
    )
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=str(north))
    investigator = await api.person(Role.OFFICER, department_id=north)
    found = World(admin, str(north), resident, investigator)
    found.concern = concern
    found.allegation = concern["allegations"][0]["id"]
    found.officers = {
        f"{o['first_name']} {o['last_name']}": o["id"] for o in await listed(api, admin)
    }
    return found


def allegation_url(world: World) -> str:
    return f"{CONCERNS}/{world.concern['id']}/allegations/{world.allegation}"


async def test_candidates_rank_the_badge_the_name_and_the_department(
    api: Api, cast: Cast, world: World
) -> None:
    response = await api.client.get(
        f"{allegation_url(world)}/officer-candidates", headers=cast.commissioner.headers
    )
    assert response.status_code == 200, response.text
    ranked = response.json()
    assert [c["officer"]["display_name"] for c in ranked] == ["John Smith", "Jon Smyth"]
    best, second = ranked
    assert (best["badge_match"], best["same_department"]) == (True, True)
    assert best["score"] == pytest.approx(0.5 + 0.4 * best["name_similarity"] + 0.1, abs=1e-3)
    assert (second["badge_match"], second["same_department"]) == (False, True)
    assert 0.3 <= second["name_similarity"] < best["name_similarity"]
    for caller, status in ((world.investigator, 403), (world.resident, 403), (cast.officer, 404)):
        refused = await api.client.get(
            f"{allegation_url(world)}/officer-candidates", headers=caller.headers
        )
        assert_problem(refused, status)


async def test_a_link_is_audited_and_shown_to_whom_may_see_it(
    api: Api, cast: Cast, world: World
) -> None:
    smith = world.officers["John Smith"]
    linked = await api.client.patch(
        allegation_url(world), json={"officer_id": smith}, headers=cast.commissioner.headers
    )
    assert linked.status_code == 200, linked.text
    body = linked.json()
    assert body["officer"] == {
        "id": smith,
        "badge": "1002",
        "display_name": "John Smith",
        "department_id": world.north,
    }
    assert (body["officer_badge"], body["officer_name"]) == ("1002", "John Smth")
    (event,) = await api.audit_events(action="concern.allegation_changed")
    assert event["data"]["after"] == {"officer_id": smith}
    assert event["data"]["other_department"] is False
    # The investigating department sees whom it concerns, in the concern and on the queue.
    for url in (f"{CONCERNS}/{world.concern['id']}", CONCERNS):
        seen = await api.client.get(url, headers=world.investigator.headers)
        assert seen.status_code == 200, seen.text
        concern = seen.json() if url != CONCERNS else seen.json()["items"][0]
        assert concern["allegations"][0]["officer"]["display_name"] == "John Smith"
    # The resident who complained sees what they said, not the roster.
    own = await api.client.get(f"{CONCERNS}/{world.concern['id']}", headers=world.resident.headers)
    (allegation,) = own.json()["allegations"]
    assert "officer" not in allegation and "officer_id" not in allegation
    assert allegation["officer_badge"] == "1002"
    unlinked = await api.client.patch(
        allegation_url(world), json={"officer_id": None}, headers=cast.commissioner.headers
    )
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["officer_id"] is None and "officer" not in unlinked.json()


async def test_another_department_s_officer_may_be_linked_and_it_is_said(
    api: Api, cast: Cast, world: World
) -> None:
    okafor = world.officers["Grace Okafor"]  # SOUTH, while the concern went to NORTH
    linked = await api.client.patch(
        allegation_url(world), json={"officer_id": okafor}, headers=cast.commissioner.headers
    )
    assert linked.status_code == 200, linked.text
    (event,) = await api.audit_events(action="concern.allegation_changed")
    assert event["data"]["other_department"] is True


async def test_a_bad_link_changes_nothing(api: Api, cast: Cast, world: World) -> None:
    before = await api.client.get(
        f"{CONCERNS}/{world.concern['id']}", headers=cast.commissioner.headers
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    missing = await api.client.patch(
        allegation_url(world), json={"officer_id": unknown}, headers=cast.commissioner.headers
    )
    assert assert_problem(missing, 422)["detail"] == "No such officer on the roster."
    by_officer = await api.client.patch(
        allegation_url(world),
        json={"officer_id": world.officers["John Smith"]},
        headers=world.investigator.headers,
    )
    assert_problem(by_officer, 403)
    after = await api.client.get(
        f"{CONCERNS}/{world.concern['id']}", headers=cast.commissioner.headers
    )
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json()["allegations"][0]["officer_id"] is None
    assert await api.audit_events(action="concern.allegation_changed") == []
