"""A 201 says where the new resource is (`Location`), and that address answers; a write to a
sub-resource gives its parent's new ETag (`Parent-ETag`)."""

from __future__ import annotations

from oversight.core.roles import Role
from tests.cases import Cast, new_meeting
from tests.helpers import CONCERNS, Api, concern_body, submit
from tests.resolutions.test_resolutions import RESOLUTIONS, commission, draft, in_session, vote


async def test_created_resources_say_where_they_are(api: Api, cast: Cast) -> None:
    headers = {**cast.resident.headers, "Idempotency-Key": "located-1"}
    created = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    assert created.status_code == 201
    assert created.headers["location"] == f"{CONCERNS}/{created.json()['id']}"
    again = await api.client.post(CONCERNS, json=concern_body(), headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == created.headers["location"]
    followed = await api.client.get(created.headers["location"], headers=cast.resident.headers)
    assert followed.json()["id"] == created.json()["id"]

    meeting = await api.client.post(
        "/api/v1/meetings",
        json={"title": "Regular meeting", "scheduled_at": "2027-01-14T18:00:00Z"},
        headers=cast.commissioner.headers,
    )
    assert meeting.status_code == 201, meeting.text
    resolution = await api.client.post(
        RESOLUTIONS,
        json={"title": "Body cameras", "body": "Record every stop.", "recommendations": []},
        headers=cast.commissioner.headers,
    )
    assert resolution.status_code == 201, resolution.text
    admin = await api.person(Role.ADMIN)
    user = await api.client.post(
        "/api/v1/users",
        json={
            "email": "clerk@example.org",
            "display_name": "Clerk",
            "role": "admin",
            "password": "a long enough password 1",
        },
        headers=admin.headers,
    )
    assert user.status_code == 201, user.text
    for response, reader in (
        (meeting, cast.commissioner),
        (resolution, cast.commissioner),
        (user, admin),
    ):
        location = response.headers["location"]
        assert location.endswith(f"/{response.json()['id']}")
        assert (await api.client.get(location, headers=reader.headers)).json() == response.json()


async def test_sub_resource_writes_give_the_parents_new_etag(api: Api, cast: Cast) -> None:
    """The next If-Match without a re-read (API.md: Parent-ETag)."""
    concern = await submit(api, cast.resident, kind="complaint")
    url = f"{CONCERNS}/{concern['id']}"
    added = await api.client.post(
        f"{url}/allegations", json={"category": "discourtesy"}, headers=cast.commissioner.headers
    )
    assert added.status_code == 201, added.text
    current = await api.client.get(url, headers=cast.commissioner.headers)
    assert added.headers["parent-etag"] == current.headers["etag"] != '"1"'
    changed = await api.client.patch(
        f"{url}/allegations/{added.json()['id']}",
        json={"officer_badge": "4411"},
        headers=cast.commissioner.headers,
    )
    moved = await api.client.post(
        f"{url}/transitions",
        json={"to": "triaged"},
        headers={**cast.commissioner.headers, "If-Match": changed.headers["parent-etag"]},
    )
    assert moved.status_code == 200, moved.text

    meeting = await new_meeting(api, cast)
    items = f"/api/v1/meetings/{meeting['id']}/agenda-items"
    item = await api.client.post(
        items, json={"title": "Budget", "kind": "general"}, headers=cast.commissioner.headers
    )
    retitled = await api.client.patch(
        f"{items}/{item.json()['id']}",
        json={"title": "Budget hearing"},
        headers=cast.commissioner.headers,
    )
    removed = await api.client.delete(
        f"{items}/{item.json()['id']}", headers=cast.commissioner.headers
    )
    tags = [r.headers["parent-etag"] for r in (item, retitled, removed)]
    shown = await api.client.get(
        f"/api/v1/meetings/{meeting['id']}", headers=cast.commissioner.headers
    )
    assert tags[-1] == shown.headers["etag"]
    assert len(set(tags)) == 3  # each write moved the meeting's version


async def test_an_answered_recommendation_moves_its_resolution(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, size=1)
    resolution = await draft(api, cast)
    await in_session(api, cast, members, members, resolution)
    await vote(api, members[0], resolution, "yes")
    await api.client.post(
        f"{RESOLUTIONS}/{resolution['id']}/decision", headers=cast.commissioner.headers
    )
    url = f"{RESOLUTIONS}/{resolution['id']}"
    before = (await api.client.get(url, headers=cast.commissioner.headers)).headers["etag"]
    recommendation = resolution["recommendations"][0]
    answered = await api.client.post(
        f"/api/v1/recommendations/{recommendation['id']}/responses",
        json={"status": "accepted", "body": "Amending."},
        headers=cast.officer.headers,
    )
    assert answered.status_code == 200, answered.text
    after = await api.client.get(url, headers=cast.commissioner.headers)
    assert answered.headers["parent-etag"] == after.headers["etag"] != before
    assert after.json()["recommendations"][0]["status"] == "accepted"
