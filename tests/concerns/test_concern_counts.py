"""Queue badges: GET /concerns/counts, within each caller's visibility, kept by triggers."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, select, update

from oversight.concerns.enums import ConcernStatus
from oversight.concerns.models import Concern
from oversight.core.roles import Role
from tests.cases import Cast, reach
from tests.helpers import CONCERNS, Api, Person, assert_problem, submit

COUNTS = f"{CONCERNS}/counts"


async def counts(api: Api, person: Person) -> dict[str, Any]:
    response = await api.client.get(COUNTS, headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(api: Api, person: Person) -> Counter[str]:
    """The same question answered by the list, page by page."""
    seen: Counter[str] = Counter()
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = (await api.client.get(CONCERNS, params=params, headers=person.headers)).json()
        seen.update(c["status"] for c in page["items"])
        if not page["next_cursor"]:
            return seen
        params["cursor"] = page["next_cursor"]


def expected(tally: Counter[str]) -> dict[str, int]:
    return {status.value: tally[status.value] for status in ConcernStatus}


async def test_each_caller_counts_what_they_may_list(api: Api, cast: Cast) -> None:
    other = await api.person()
    for status in ("submitted", "triaged", "referred", "responded", "dismissed", "closed"):
        await reach(api, cast, status)
    await submit(api, other)
    await submit(api)  # anonymous
    other_department = await api.person(Role.OFFICER)

    for person in (cast.commissioner, cast.resident, cast.officer, other, other_department):
        body = await counts(api, person)
        assert body["by_status"] == expected(await listed(api, person)), person.role
        assert body["overdue"] == 0
    whole = (await counts(api, cast.commissioner))["by_status"]
    assert (whole["submitted"], whole["referred"], whole["closed"]) == (3, 1, 1)
    assert sum((await counts(api, cast.officer))["by_status"].values()) == 2
    assert sum((await counts(api, other_department))["by_status"].values()) == 0
    assert sum((await counts(api, cast.resident))["by_status"].values()) == 6


async def test_counts_follow_moves_and_overdue_deadlines(api: Api, cast: Cast) -> None:
    concern = await reach(api, cast, "referred")
    before = await counts(api, cast.officer)
    assert (before["by_status"]["referred"], before["overdue"]) == (1, 0)

    # The response clock runs out.
    async with api.database.unit_of_work() as session:
        await session.execute(
            update(Concern)
            .where(Concern.id == uuid.UUID(concern["id"]))
            .values(due_sort=Concern.created_at)
        )
    assert (await counts(api, cast.officer))["overdue"] == 1
    assert (await counts(api, cast.commissioner))["overdue"] == 1
    assert (await counts(api, cast.resident))["overdue"] == 1


async def test_counts_equal_the_table_after_every_kind_of_change(api: Api, cast: Cast) -> None:
    for status in ("submitted", "withdrawn", "referred", "responded", "scheduled", "closed"):
        await reach(api, cast, status)
    body = await counts(api, cast.commissioner)
    async with api.database.unit_of_work() as session:
        rows = await session.execute(select(Concern.status, func.count()).group_by(Concern.status))
        truth: Counter[str] = Counter(dict(rows.all()))
    assert body["by_status"] == expected(truth)


async def test_counts_need_a_caller(api: Api) -> None:
    assert_problem(await api.client.get(COUNTS), 401)
