"""Idempotent retries and racing writers: nothing is created twice, no update is lost."""

from __future__ import annotations

import asyncio

from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, assert_problem, concern_body, submit


async def count(api: Api) -> int:
    commissioner = await api.person(Role.COMMISSIONER)
    body = (
        await api.client.get(CONCERNS, params={"limit": 200}, headers=commissioner.headers)
    ).json()
    return len(body["items"])


async def test_a_retried_submission_is_filed_once(api: Api, cast: Cast) -> None:
    headers = {**cast.resident.headers, "Idempotency-Key": "retry-1"}
    first = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    second = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert await count(api) == 1


async def test_same_key_other_body_is_422(api: Api, cast: Cast) -> None:
    headers = {**cast.resident.headers, "Idempotency-Key": "k"}
    assert (
        await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    ).status_code == 201
    other = await api.client.post(
        CONCERNS, json=concern_body(summary="Something else"), headers=headers
    )
    assert_problem(other, 422)
    assert await count(api) == 1


async def test_keys_are_per_user(api: Api, cast: Cast) -> None:
    someone = await api.person(Role.RESIDENT)
    for person in (cast.resident, someone):
        response = await api.client.post(
            CONCERNS, json=concern_body(), headers={**person.headers, "Idempotency-Key": "same"}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert await count(api) == 2


async def test_anonymous_keys_are_scoped_to_the_request(api: Api) -> None:
    headers = {"Idempotency-Key": "anon-1"}
    first = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    again = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    # Someone else's body with the same key is a different request, not a conflict or a replay.
    other = await api.client.post(CONCERNS, json=concern_body(summary="Mine"), headers=headers)
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert await count(api) == 2


async def test_failed_requests_are_not_remembered(api: Api, cast: Cast) -> None:
    headers = {**cast.resident.headers, "Idempotency-Key": "fix-and-retry"}
    bad = await api.client.post(CONCERNS, json=concern_body(category="nope"), headers=headers)
    assert_problem(bad, 422)
    good = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    assert good.status_code == 201
    assert "idempotent-replayed" not in good.headers


async def test_concurrent_retries_create_one(api: Api, cast: Cast) -> None:
    headers = {**cast.resident.headers, "Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(api.client.post(CONCERNS, json=concern_body(), headers=headers) for _ in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    # Each is either the creation, a replay of it, or a 409 "still running".
    assert set(statuses) <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert await count(api) == 1


async def test_notes_and_responses_honour_keys(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/notes"
    headers = {**cast.commissioner.headers, "Idempotency-Key": "note-1"}
    first = await api.client.post(url, json={"body": "Called the witness"}, headers=headers)
    second = await api.client.post(url, json={"body": "Called the witness"}, headers=headers)
    assert second.headers["idempotent-replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert len((await api.client.get(url, headers=cast.commissioner.headers)).json()) == 1


async def test_two_commissioners_racing_one_wins(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    other = await api.person(Role.COMMISSIONER)
    url = f"{CONCERNS}/{concern['id']}"
    results = await asyncio.gather(
        api.client.patch(
            url,
            json={"priority": "urgent"},
            headers={**cast.commissioner.headers, "If-Match": '"1"'},
        ),
        api.client.patch(
            url, json={"priority": "low"}, headers={**other.headers, "If-Match": '"1"'}
        ),
    )
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()
    final = (await api.client.get(url, headers=cast.commissioner.headers)).json()
    assert final["priority"] == winner["priority"]
    assert final["version"] == 2
    events = await api.audit_events(entity_id=concern["id"], action="concern.edited")
    assert len(events) == 1


async def test_racing_sub_resource_writes_are_all_kept(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    url = f"{CONCERNS}/{concern['id']}/allegations"
    results = await asyncio.gather(
        *(
            api.client.post(url, json={"category": "bias"}, headers=cast.commissioner.headers)
            for _ in range(10)
        )
    )
    assert [r.status_code for r in results] == [201] * 10
    final = (
        await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    ).json()
    assert len(final["allegations"]) == 10
    assert final["version"] == 11
    assert sorted(a["id"] for a in final["allegations"]) == sorted(r.json()["id"] for r in results)
