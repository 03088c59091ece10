"""Early intervention: a change to an officer's record is noted in the request and evaluated by
the worker; rules raise one open flag per officer and rule, raised again when the count grows
after review; commissioners review flags through their machine, and each read is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications.worker import Worker
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, Person, assert_problem, run_cli, submit
from tests.officers.test_roster import ROSTER, listed, post_roster

FLAGS = "/api/v1/early-intervention/flags"
RULES = "/api/v1/early-intervention/rules"


class Roster:
    def __init__(self, admin: Person, officers: dict[str, str]) -> None:
        self.admin, self.officers = admin, officers


@pytest.fixture
async def roster(api: Api) -> Roster:
    await api.department("NORTH")
    await api.department("SOUTH")
    admin = await api.person(Role.ADMIN)
    assert (await post_roster(api, admin, ROSTER)).status_code == 200
    officers = {o["last_name"]: o["id"] for o in await listed(api, admin)}
    return Roster(admin, officers)


async def accuse(
    api: Api, cast: Cast, officer: str, times: int, category: str = "discourtesy"
) -> None:
    """A complaint with ``times`` allegations, each linked to ``officer`` by a commissioner."""
    concern = await submit(api, cast.resident, allegations=[{"category": category}] * times)
    for allegation in concern["allegations"]:
        linked = await api.client.patch(
            f"{CONCERNS}/{concern['id']}/allegations/{allegation['id']}",
            json={"officer_id": officer},
            headers=cast.commissioner.headers,
        )
        assert linked.status_code == 200, linked.text


async def flags(api: Api, person: Person, **params: str) -> list[dict[str, Any]]:
    response = await api.client.get(FLAGS, params=params, headers=person.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def worker_round(api: Api, settings: Settings) -> None:
    worker = Worker(settings, api.database)
    try:
        await worker.run_once()
    finally:
        await worker.close()


async def test_a_pattern_raises_flags_in_the_worker_not_the_request(
    api: Api, cast: Cast, settings: Settings, roster: Roster
) -> None:
    smith = roster.officers["Smith"]
    await accuse(api, cast, smith, 3)
    assert await flags(api, cast.commissioner) == []  # the request only noted the change
    await worker_round(api, settings)
    raised = {f["rule"]["name"]: f for f in await flags(api, cast.commissioner)}
    assert set(raised) == {
        "Allegations in a year",
        "Top 5% of the unit by allegations in a year",
    }
    by_count = raised["Allegations in a year"]
    assert (by_count["level"], by_count["count"], by_count["status"]) == ("warning", 3, "new")
    assert by_count["officer"]["display_name"] == "John Smith"
    assert [item["category"] for item in by_count["counted"]] == ["discourtesy"] * 3
    assert not any(item["other_department"] for item in by_count["counted"])
    peers = raised["Top 5% of the unit by allegations in a year"]
    assert (peers["level"], peers["peer_percentile"]) == ("warning", 100.0)
    events = await api.audit_events(action="flag.raised")
    assert len(events) == 2 and {e["actor_role"] for e in events} == {"system"}

    # Idempotent: evaluating again, by the command, changes nothing.
    again = run_cli(settings, "early-intervention", "evaluate")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("4 rules: 0 raised, 0 updated, 0 raised again")
    assert len(await flags(api, cast.commissioner)) == 2


async def test_review_and_a_count_that_grows_after_it(
    api: Api, cast: Cast, settings: Settings, roster: Roster
) -> None:
    smith = roster.officers["Smith"]
    await accuse(api, cast, smith, 3)
    await worker_round(api, settings)
    north = (await listed(api, roster.admin, q="1002"))[0]["department_id"]
    filtered = await flags(
        api, cast.commissioner, status="new", level="warning", department_id=north
    )
    assert len(filtered) == 2
    assert await flags(api, cast.commissioner, status="closed") == []
    (flag,) = [f for f in filtered if f["rule"]["name"] == "Allegations in a year"]
    url = f"{FLAGS}/{flag['id']}"
    read = await api.client.get(url, headers=cast.commissioner.headers)
    assert read.status_code == 200, read.text
    assert read.headers["ETag"] == '"1"'
    (seen,) = await api.audit_events(action="flag.read")
    assert seen["actor_id"] == str(cast.commissioner.id)

    def move(to: str, version: int, note: str | None = None) -> Any:
        body = {"to": to} | ({"note": note} if note else {})
        headers = {**cast.commissioner.headers, "If-Match": f'"{version}"'}
        return api.client.post(f"{url}/transitions", json=body, headers=headers)

    assert_problem(await move("intervention", 1), 409)
    assert_problem(await move("closed", 1), 422)  # closing a new flag needs a note
    reviewed = await move("reviewed", 1, "Talked to the sergeant.")
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["notes"][0]["body"] == "Talked to the sergeant."
    assert_problem(await move("intervention", 1), 412)

    await accuse(api, cast, smith, 2)  # 5 now: the critical count
    await worker_round(api, settings)
    again = (await api.client.get(url, headers=cast.commissioner.headers)).json()
    assert (again["status"], again["level"], again["count"]) == ("new", "critical", 5)
    (raised_again,) = await api.audit_events(action="flag.raised_again")
    assert raised_again["actor_role"] == "system"
    assert raised_again["data"]["before"] == {"count": 3, "level": "warning", "status": "reviewed"}


async def test_a_closed_flag_is_raised_anew_by_what_comes_after_it(
    api: Api, cast: Cast, settings: Settings, roster: Roster
) -> None:
    smith = roster.officers["Smith"]
    concern = await submit(api, cast.resident, allegations=[{"category": "discourtesy"}] * 3)
    for allegation in concern["allegations"]:
        url = f"{CONCERNS}/{concern['id']}/allegations/{allegation['id']}"
        change = {"officer_id": smith}
        assert (
            await api.client.patch(url, json=change, headers=cast.commissioner.headers)
        ).is_success
    await worker_round(api, settings)
    (flag,) = [
        f
        for f in await flags(api, cast.commissioner)
        if f["rule"]["name"] == "Allegations in a year"
    ]
    closed = await api.client.post(
        f"{FLAGS}/{flag['id']}/transitions",
        json={"to": "closed", "note": "Explained by one incident."},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    assert closed.status_code == 200, closed.text
    # One allegation was the wrong officer; a new complaint brings the count back to 3.
    unlinked = await api.client.patch(
        url, json={"officer_id": None}, headers=cast.commissioner.headers
    )
    assert unlinked.status_code == 200, unlinked.text
    await worker_round(api, settings)
    assert await flags(api, cast.commissioner, status="new", level="warning") == [
        f
        for f in await flags(api, cast.commissioner, status="new")
        if f["rule"]["name"] != "Allegations in a year"
    ]
    await accuse(api, cast, smith, 1)
    await worker_round(api, settings)
    raised = [
        f
        for f in await flags(api, cast.commissioner, status="new")
        if f["rule"]["name"] == "Allegations in a year"
    ]
    assert [(f["count"], f["id"] != flag["id"]) for f in raised] == [(3, True)]


async def test_only_commissioners_see_flags(
    api: Api, cast: Cast, settings: Settings, roster: Roster
) -> None:
    await accuse(api, cast, roster.officers["Smith"], 3)
    await worker_round(api, settings)
    (flag, *_) = await flags(api, cast.commissioner)
    for caller in (cast.officer, cast.resident, roster.admin):
        assert_problem(await api.client.get(FLAGS, headers=caller.headers), 403)
        assert_problem(await api.client.get(f"{FLAGS}/{flag['id']}", headers=caller.headers), 404)
    assert await api.audit_events(action="flag.read") == []


async def test_admins_keep_the_rules(api: Api, cast: Cast, roster: Roster) -> None:
    rule = {
        "name": "Use of force, three months",
        "metric": "use_of_force_allegations",
        "window_days": 90,
        "warning_at": 1,
        "critical_at": 2,
    }
    assert_problem(await api.client.post(RULES, json=rule, headers=cast.commissioner.headers), 403)
    backwards = {**rule, "warning_at": 3, "critical_at": 2}
    refused = await api.client.post(RULES, json=backwards, headers=roster.admin.headers)
    assert assert_problem(refused, 422)["errors"][0]["loc"] == ["body", "critical_at"]
    created = await api.client.post(RULES, json=rule, headers=roster.admin.headers)
    assert created.status_code == 201, created.text
    listed_rules = await api.client.get(RULES, headers=cast.commissioner.headers)
    assert len(listed_rules.json()) == 5
    assert_problem(await api.client.get(RULES, headers=cast.officer.headers), 403)
    url = f"{RULES}/{created.json()['id']}"
    retired = await api.client.patch(
        url, json={"active": False}, headers={**roster.admin.headers, "If-Match": '"1"'}
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["active"] is False


async def drive_intervention(api: Api, cast: Cast, settings: Settings, admin: Person) -> None:
    """Every early-intervention event, for the audit log's checks (after ``drive_officers``,
    whose roster it uses): raised, read, updated, moved, raised again; a rule created and
    changed."""
    (smith,) = await listed(api, admin, q="1002")
    await accuse(api, cast, smith["id"], 3)
    await worker_round(api, settings)
    (flag,) = [
        f
        for f in await flags(api, cast.commissioner)
        if f["rule"]["name"] == "Allegations in a year"
    ]
    url = f"{FLAGS}/{flag['id']}"
    assert (await api.client.get(url, headers=cast.commissioner.headers)).status_code == 200
    await accuse(api, cast, smith["id"], 1)
    await worker_round(api, settings)  # 4 while new: updated
    moved = await api.client.post(
        f"{url}/transitions",
        json={"to": "reviewed"},
        headers={**cast.commissioner.headers, "If-Match": '"2"'},
    )
    assert moved.status_code == 200, moved.text
    await accuse(api, cast, smith["id"], 1)
    await worker_round(api, settings)  # 5 after review: raised again
    rule = {"name": "Complaints", "metric": "complaints", "window_days": 30, "warning_at": 2}
    created = await api.client.post(RULES, json={**rule, "critical_at": 4}, headers=admin.headers)
    assert created.status_code == 201, created.text
    changed = await api.client.patch(
        f"{RULES}/{created.json()['id']}",
        json={"window_days": 60},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
