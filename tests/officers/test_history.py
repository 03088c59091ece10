"""An officer's history: the allegations linked to them, with findings and discipline, and the
commendations naming them; commissioners read it, and every read is in the audit log."""

from __future__ import annotations

from typing import Any

from oversight.core.clock import utcnow
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, assert_problem, moved, submit
from tests.officers.test_accused import World, allegation_url, world

__all__ = ["world"]  # the fixture, used by name


async def commend(api: Api, cast: Cast, world: World, officer_ids: list[str]) -> Any:
    """A resident's commendation, and a commissioner linking it to ``officer_ids``."""
    concern = await submit(api, world.resident, kind="commendation", category="commendation")
    current = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    return concern, await api.client.patch(
        f"{CONCERNS}/{concern['id']}",
        json={"commended_officer_ids": officer_ids},
        headers={**cast.commissioner.headers, "If-Match": current.headers["ETag"]},
    )


async def test_the_history_lists_allegations_and_commendations(
    api: Api, cast: Cast, world: World
) -> None:
    smith = world.officers["John Smith"]
    linked = await api.client.patch(
        allegation_url(world),
        json={"officer_id": smith, "finding": "sustained"},
        headers=cast.commissioner.headers,
    )
    assert linked.status_code == 200, linked.text
    recommended = await api.client.put(
        f"{allegation_url(world)}/discipline/recommendation",
        json={"level": "training"},
        headers=cast.commissioner.headers,
    )
    assert recommended.status_code == 200, recommended.text
    commendation, commended = await commend(api, cast, world, [smith])
    assert commended.status_code == 200, commended.text
    assert commended.json()["commended_officer_ids"] == [smith]

    response = await api.client.get(
        f"/api/v1/officers/{smith}/history", headers=cast.commissioner.headers
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["officer"]["badge"] == "1002"
    (allegation,) = found["allegations"]
    assert allegation["concern_id"] == world.concern["id"]
    assert (allegation["finding"], allegation["other_department"]) == ("sustained", False)
    assert allegation["discipline"]["outcome"] == "pending"
    (praise,) = found["commendations"]
    assert praise["concern_id"] == commendation["id"]
    (read,) = await api.audit_events(action="officer.history_read")
    assert (read["entity_id"], read["actor_id"]) == (smith, str(cast.commissioner.id))


async def test_only_commissioners_read_a_history(api: Api, cast: Cast, world: World) -> None:
    url = f"/api/v1/officers/{world.officers['John Smith']}/history"
    assert_problem(await api.client.get(url, headers=world.admin.headers), 403)
    for caller in (world.investigator, world.resident, cast.officer):
        assert_problem(await api.client.get(url, headers=caller.headers), 404)
    assert await api.audit_events(action="officer.history_read") == []


async def test_commended_officers_are_the_commission_s_to_link(
    api: Api, cast: Cast, world: World
) -> None:
    smith, novak = world.officers["John Smith"], world.officers["Peter Novak"]
    commendation, commended = await commend(api, cast, world, [novak, smith, smith])
    assert commended.status_code == 200, commended.text
    assert commended.json()["commended_officer_ids"] == sorted([smith, novak])
    own = await api.client.get(f"{CONCERNS}/{commendation['id']}", headers=world.resident.headers)
    assert "commended_officer_ids" not in own.json()
    page = await api.client.get(
        CONCERNS, params={"kind": "commendation"}, headers=cast.commissioner.headers
    )
    assert page.json()["items"][0]["commended_officer_ids"] == sorted([smith, novak])
    (event,) = await api.audit_events(action="concern.edited")
    assert event["data"]["after"] == {"commended_officer_ids": sorted([smith, novak])}
    current = await api.client.get(
        f"{CONCERNS}/{commendation['id']}", headers=cast.commissioner.headers
    )
    unknown = await api.client.patch(
        f"{CONCERNS}/{commendation['id']}",
        json={"commended_officer_ids": ["00000000-0000-4000-8000-000000000000"]},
        headers={**cast.commissioner.headers, "If-Match": current.headers["ETag"]},
    )
    assert "Not on the roster" in assert_problem(unknown, 422)["detail"]
    complaint = await api.client.get(
        f"{CONCERNS}/{world.concern['id']}", headers=cast.commissioner.headers
    )
    refused = await api.client.patch(
        f"{CONCERNS}/{world.concern['id']}",
        json={"commended_officer_ids": [smith]},
        headers={**cast.commissioner.headers, "If-Match": complaint.headers["ETag"]},
    )
    assert "Only a commendation" in assert_problem(refused, 422)["detail"]
    assert "commended_officer_ids" not in complaint.json()
    await moved(api, cast.commissioner, commendation, "triaged")
    again = await api.client.get(
        f"{CONCERNS}/{commendation['id']}", headers=cast.commissioner.headers
    )
    assert again.json()["commended_officer_ids"] == sorted([smith, novak])


async def test_officer_records_are_not_public_by_default(
    api: Api, cast: Cast, world: World
) -> None:
    smith = world.officers["John Smith"]
    change = {"officer_id": smith, "finding": "sustained"}
    linked = await api.client.patch(
        allegation_url(world), json=change, headers=cast.commissioner.headers
    )
    assert linked.status_code == 200, linked.text
    assert_problem(await api.client.get("/api/v1/public/officers"), 404)
    assert_problem(await api.client.get(f"/api/v1/public/officers/{smith}"), 404)
    month = utcnow().strftime("%Y-%m")
    exported = await api.client.get(
        "/api/v1/public/data/allegations.csv", params={"from": month, "to": month}
    )
    assert exported.status_code == 200, exported.text
    assert ",sustained," in exported.text  # the row is there, its officer is not
    assert "1002" not in exported.text and "Smith" not in exported.text
    assert exported.text.splitlines()[0].endswith("officer_badge,officer_name")
