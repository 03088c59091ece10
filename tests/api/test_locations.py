"""A 201 says where the new resource is (`Location`), and that address answers."""

from __future__ import annotations

from oversight.domain.roles import Role
from tests.api.test_resolutions import RESOLUTIONS
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, concern_body


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
