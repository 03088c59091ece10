"""The triage queue: filters, sorts, search, keyset pages, overdue."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from oversight.concerns.models import Concern
from oversight.core.clock import utcnow
from oversight.core.roles import Role
from tests.cases import Cast, reach
from tests.helpers import CONCERNS, Api, assert_problem, moved, submit


async def queue(api: Api, cast: Cast, **params: Any) -> list[dict[str, Any]]:
    response = await api.client.get(
        CONCERNS, params={"limit": 200, **params}, headers=cast.commissioner.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_filters(api: Api, cast: Cast) -> None:
    a = await submit(api, cast.resident, kind="complaint", category="bias")
    b = await submit(
        api,
        cast.resident,
        kind="commendation",
        category="commendation",
        location={"neighborhood": "Sun Terrace"},
    )
    c = await reach(api, cast, "referred")
    await api.client.patch(
        f"{CONCERNS}/{a['id']}",
        json={"priority": "urgent", "assignee_id": str(cast.commissioner.id)},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )

    def ids(items: list[dict[str, Any]]) -> set[str]:
        return {i["id"] for i in items}

    assert ids(await queue(api, cast, kind="commendation")) == {b["id"]}
    assert ids(await queue(api, cast, category="bias")) == {a["id"]}
    assert ids(await queue(api, cast, neighborhood="Sun Terrace")) == {b["id"]}
    assert ids(await queue(api, cast, priority="urgent")) == {a["id"]}
    assert ids(await queue(api, cast, assignee_id=str(cast.commissioner.id))) == {a["id"]}
    assert ids(await queue(api, cast, department_id=str(cast.department))) == {c["id"]}
    assert ids(await queue(api, cast, status=["submitted", "referred"])) == {
        a["id"],
        b["id"],
        c["id"],
    }
    assert ids(await queue(api, cast, status="referred")) == {c["id"]}
    assert ids(
        await queue(api, cast, submitted_from=a["created_at"], submitted_to=b["created_at"])
    ) == {a["id"]}
    for bad in (
        {"status": "lost"},
        {"priority": "whenever"},
        {"sort": "random"},
        {"submitted_from": "2026-01-01"},
        {"assignee_id": "me"},
        {"overdue": "maybe"},
        {"limit": 500},
    ):
        assert_problem(
            await api.client.get(CONCERNS, params=bad, headers=cast.commissioner.headers), 422
        )


async def test_search_summary_and_description(api: Api, cast: Cast) -> None:
    taser = await submit(
        api, cast.resident, summary="Taser used at a protest", description="At the rally downtown."
    )
    await submit(api, cast.resident, summary="Parking ticket", description="Unfair ticket.")
    dog = await submit(
        api, cast.resident, summary="Noise", description="Officers' dogs barked at children."
    )
    assert {i["id"] for i in await queue(api, cast, q="taser")} == {taser["id"]}
    assert {i["id"] for i in await queue(api, cast, q="dogs")} == {dog["id"]}
    assert await queue(api, cast, q="helicopter") == []
    assert await queue(api, cast, q="%") == []  # wildcards are matched literally


async def test_sorts_and_keyset_pages(api: Api, cast: Cast) -> None:
    made = [await submit(api, cast.resident, summary=f"Concern {i}") for i in range(7)]
    newest_first = [i["id"] for i in await queue(api, cast)]
    assert newest_first == [c["id"] for c in reversed(made)]
    oldest_first = [i["id"] for i in await queue(api, cast, sort="created_at")]
    assert oldest_first == [c["id"] for c in made]

    pages, cursor, seen = 0, None, []
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": "-created_at"} | (
            {"cursor": cursor} if cursor else {}
        )
        body = (
            await api.client.get(CONCERNS, params=params, headers=cast.commissioner.headers)
        ).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == newest_first

    await api.client.patch(
        f"{CONCERNS}/{made[3]['id']}",
        json={"priority": "high"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    await api.client.patch(
        f"{CONCERNS}/{made[5]['id']}",
        json={"priority": "urgent"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    by_priority = [i["id"] for i in await queue(api, cast, sort="priority")]
    assert by_priority[:2] == [made[5]["id"], made[3]["id"]]
    paged: list[str] = []
    cursor = None
    while True:
        page_params: dict[str, Any] = {"limit": 2, "sort": "priority"} | (
            {"cursor": cursor} if cursor else {}
        )
        body = (
            await api.client.get(CONCERNS, params=page_params, headers=cast.commissioner.headers)
        ).json()
        paged += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert paged == by_priority


async def test_due_sort_and_overdue(api: Api, cast: Cast) -> None:
    late = await submit(api, cast.resident, summary="late")
    soon = await submit(api, cast.resident, summary="soon")
    settled = await reach(api, cast, "under_review")
    async with api.database.unit_of_work() as session:
        past = utcnow() - timedelta(days=1)
        await session.execute(
            update(Concern)
            .where(Concern.id == uuid.UUID(late["id"]))
            .values(triage_due_at=past, due_sort=past)
        )
    assert [i["id"] for i in await queue(api, cast, sort="due")] == [
        late["id"],
        soon["id"],
        settled["id"],
    ]
    overdue = await queue(api, cast, overdue="true")
    assert [i["id"] for i in overdue] == [late["id"]]
    assert overdue[0]["overdue"] is True
    assert {i["id"] for i in await queue(api, cast, overdue="false")} == {soon["id"], settled["id"]}
    triaged = await moved(api, cast.commissioner, late, "triaged")
    assert triaged["overdue"] is False  # the triage clock stopped


@pytest.mark.parametrize("cursor", ["bogus", "WyJ4Il0", "WyIyMDI2LTAxLTAxIiwgIm5vdC1hLXV1aWQiXQ"])
async def test_bad_cursor(api: Api, cast: Cast, cursor: str) -> None:
    response = await api.client.get(
        CONCERNS, params={"cursor": cursor}, headers=cast.commissioner.headers
    )
    assert_problem(response, 422)


async def test_anonymous_cannot_list(api: Api) -> None:
    assert_problem(await api.client.get(CONCERNS), 401)


async def test_staff_find_a_concern_by_its_tracking_code(api: Api, cast: Cast) -> None:
    """A clerk on the phone types the code as the resident reads it out."""
    wanted = await submit(api, cast.resident)
    await submit(api, cast.resident)
    code = wanted["tracking_code"]
    spoken = code.lower().replace("-", " ").replace("0", "o")
    assert [c["id"] for c in await queue(api, cast, tracking_code=spoken)] == [wanted["id"]]
    admin = await api.person(Role.ADMIN)
    by_admin = await api.client.get(CONCERNS, params={"tracking_code": code}, headers=admin.headers)
    assert [c["id"] for c in by_admin.json()["items"]] == [wanted["id"]]
    assert await queue(api, cast, tracking_code="OC-2222-2222-2222") == []


@pytest.mark.parametrize("role", ["resident", "officer"])
async def test_only_staff_look_up_tracking_codes(api: Api, cast: Cast, role: str) -> None:
    """Officers never learn a tracking code; a resident has their own list."""
    concern = await submit(api, cast.resident)
    person = getattr(cast, role)
    response = await api.client.get(
        CONCERNS, params={"tracking_code": concern["tracking_code"]}, headers=person.headers
    )
    assert_problem(response, 403)


@pytest.mark.parametrize("typed", ["OC-1234-5678-XYZU!", "not a code at all", "OC-AAAA-AAAA"])
async def test_a_malformed_tracking_code_is_a_422(api: Api, cast: Cast, typed: str) -> None:
    response = await api.client.get(
        CONCERNS, params={"tracking_code": typed}, headers=cast.commissioner.headers
    )
    body = assert_problem(response, 422)
    assert "tracking code" in body["detail"].lower() or body.get("errors")
