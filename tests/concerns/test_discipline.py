"""Discipline: the commission recommends on a sustained or policy-failure finding, the referred
department records what it imposed and why, once; a commissioner's correction lets it decide
again, audited with both values. The outcome compares the two."""

from __future__ import annotations

from typing import Any

import pytest

from oversight.concerns.enums import DisciplineOutcome, discipline_outcome
from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, Person, assert_problem, moved, submit


class Case:
    def __init__(self, concern: dict[str, Any], investigator: Person, resident: Person) -> None:
        self.concern, self.investigator, self.resident = concern, investigator, resident
        self.allegation = concern["allegations"][0]["id"]

    @property
    def url(self) -> str:
        return f"{CONCERNS}/{self.concern['id']}/allegations/{self.allegation}"


@pytest.fixture
async def case(api: Api, cast: Cast) -> Case:
    """A complaint referred to the cast's department, an officer account of it."""
    resident = await api.person(Role.RESIDENT)
    concern = await submit(api, resident, allegations=[{"category": "discourtesy"}])
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=str(cast.department))
    investigator = await api.person(Role.OFFICER, department_id=cast.department)
    return Case(concern, investigator, resident)


async def put(api: Api, person: Person, url: str, body: dict[str, Any]) -> Any:
    return await api.client.put(url, json=body, headers=person.headers)


async def find(api: Api, cast: Cast, case: Case, finding: str) -> None:
    response = await api.client.patch(
        case.url, json={"finding": finding}, headers=cast.commissioner.headers
    )
    assert response.status_code == 200, response.text


async def test_recommended_then_decided_then_corrected(api: Api, cast: Cast, case: Case) -> None:
    recommendation = f"{case.url}/discipline/recommendation"
    decision = f"{case.url}/discipline/decision"
    suspend = {"level": "suspension", "days": 5}
    early = assert_problem(await put(api, cast.commissioner, recommendation, suspend), 409)
    assert "sustained or policy-failure finding" in early["detail"]
    await find(api, cast, case, "sustained")
    no_days = assert_problem(
        await put(api, cast.commissioner, recommendation, {"level": "suspension"}), 422
    )
    assert no_days["errors"][0]["loc"] == ["body", "days"]
    too_soon = await put(api, case.investigator, decision, {"level": "training", "reason": "x"})
    assert "not recommended" in assert_problem(too_soon, 409)["detail"]
    recommended = await put(api, cast.commissioner, recommendation, suspend)
    assert recommended.status_code == 200, recommended.text
    assert recommended.headers["Parent-ETag"]
    shown = recommended.json()["discipline"]
    assert (shown["recommended"], shown["recommended_days"], shown["outcome"]) == (
        "suspension",
        5,
        "pending",
    )
    lower = {"level": "written_reprimand", "reason": "First complaint in 12 years of service."}
    decided = await put(api, case.investigator, decision, lower)
    assert decided.status_code == 200, decided.text
    assert decided.json()["discipline"]["outcome"] == "departed_lower"
    assert decided.json()["discipline"]["reason"] == lower["reason"]
    again = await put(api, case.investigator, decision, {**suspend, "reason": "On review."})
    assert "opens a correction first" in assert_problem(again, 409)["detail"]
    late = await put(api, cast.commissioner, recommendation, {"level": "termination"})
    assert_problem(late, 409)

    corrections = f"{case.url}/discipline/corrections"
    opened = await api.client.post(
        corrections,
        json={"reason": "The chief's letter says five days."},
        headers=cast.commissioner.headers,
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["discipline"]["correction_open"] is True
    twice = await api.client.post(
        corrections, json={"reason": "Again."}, headers=cast.commissioner.headers
    )
    assert_problem(twice, 409)
    corrected = await put(api, case.investigator, decision, {**suspend, "reason": "Corrected."})
    assert corrected.status_code == 200, corrected.text
    final = corrected.json()["discipline"]
    assert (final["outcome"], final["correction_open"]) == ("concurred", False)
    imposed = await api.audit_events(action="concern.discipline_imposed")
    (correction,) = [e for e in imposed if e["data"]["correction"]]
    assert correction["data"]["before"]["imposed_level"] == "written_reprimand"
    assert correction["data"]["after"] == {
        "imposed_level": "suspension",
        "imposed_days": 5,
        "imposed_reason": "Corrected.",
    }
    assert len(await api.audit_events(action="concern.discipline_correction_opened")) == 1


async def test_who_may_do_what(api: Api, cast: Cast, case: Case) -> None:
    await find(api, cast, case, "policy_failure")
    recommendation = f"{case.url}/discipline/recommendation"
    decision = f"{case.url}/discipline/decision"
    training = {"level": "training"}
    assert_problem(await put(api, case.investigator, recommendation, training), 403)
    assert_problem(await put(api, case.resident, recommendation, training), 403)
    assert (await put(api, cast.commissioner, recommendation, training)).status_code == 200
    decided = {"level": "training", "reason": "Done."}
    stranger = await api.person(Role.OFFICER)  # another department's officer account
    assert_problem(await put(api, stranger, decision, decided), 404)
    assert_problem(await put(api, cast.commissioner, decision, decided), 403)
    assert_problem(await put(api, case.resident, decision, decided), 403)
    assert await api.audit_events(action="concern.discipline_imposed") == []
    # The resident sees their allegation, never the discipline; the department does.
    own = await api.client.get(f"{CONCERNS}/{case.concern['id']}", headers=case.resident.headers)
    assert "discipline" not in own.json()["allegations"][0]
    theirs = await api.client.get(
        f"{CONCERNS}/{case.concern['id']}", headers=case.investigator.headers
    )
    assert theirs.json()["allegations"][0]["discipline"]["recommended"] == "training"


@pytest.mark.parametrize(
    ("recommended", "imposed", "outcome"),
    [
        (("suspension", 5), None, DisciplineOutcome.PENDING),
        (("suspension", 5), ("suspension", 5), DisciplineOutcome.CONCURRED),
        (("suspension", 5), ("suspension", 3), DisciplineOutcome.DEPARTED_LOWER),
        (("suspension", 5), ("demotion", None), DisciplineOutcome.DEPARTED_HIGHER),
        (("training", None), ("none", None), DisciplineOutcome.DEPARTED_LOWER),
        (("written_reprimand", None), ("counseling", None), DisciplineOutcome.DEPARTED_LOWER),
        (("termination", None), ("termination", None), DisciplineOutcome.CONCURRED),
    ],
)
def test_the_outcome_follows_the_order_of_severity(
    recommended: tuple[str, int | None], imposed: tuple[str, int | None] | None, outcome: str
) -> None:
    given = imposed or (None, None)
    assert discipline_outcome(*recommended, *given) == outcome


async def drive_discipline(api: Api, cast: Cast) -> None:
    """Every discipline event, for the audit log's checks: recommended, imposed, corrected."""
    resident = await api.person(Role.RESIDENT)
    concern = await submit(api, resident, allegations=[{"category": "discourtesy"}])
    await moved(api, cast.commissioner, concern, "triaged")
    await moved(api, cast.commissioner, concern, "referred", department_id=str(cast.department))
    investigator = await api.person(Role.OFFICER, department_id=cast.department)
    case = Case(concern, investigator, resident)
    await find(api, cast, case, "sustained")
    steps = [
        (cast.commissioner, "PUT", "recommendation", {"level": "counseling"}),
        (investigator, "PUT", "decision", {"level": "none", "reason": "Retired."}),
        (cast.commissioner, "POST", "corrections", {"reason": "Not retired."}),
        (investigator, "PUT", "decision", {"level": "counseling", "reason": "Counseled."}),
    ]
    for person, method, path, body in steps:
        response = await api.client.request(
            method, f"{case.url}/discipline/{path}", json=body, headers=person.headers
        )
        assert response.status_code == 200, response.text
