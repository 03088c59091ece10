from __future__ import annotations

import uuid

import pytest

from oversight.core.roles import Role
from tests.helpers import PASSWORD, Api, assert_problem

USERS = "/api/v1/users"


def new_user(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email": f"u{uuid.uuid4().hex[:8]}@example.org",
        "display_name": "Someone",
        "role": "commissioner",
        "password": PASSWORD,
    }
    body.update(overrides)
    return body


async def test_admin_creates_reads_and_lists_users(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    department = await api.department("PATROL-N")
    created = await api.client.post(
        USERS,
        json=new_user(role="officer", department_id=str(department)),
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    officer = created.json()
    assert officer["department_id"] == str(department)

    read = await api.client.get(f"{USERS}/{officer['id']}", headers=admin.headers)
    assert read.json() == officer
    listed = await api.client.get(USERS, headers=admin.headers)
    assert {user["id"] for user in listed.json()["items"]} == {officer["id"], str(admin.id)}


async def test_user_list_pages_by_keyset(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    for _ in range(4):
        await api.person(Role.COMMISSIONER, sign_in=False)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get(USERS, params=params, headers=admin.headers)).json()
        seen.extend(user["email"] for user in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(seen) and len(set(seen)) == 5


@pytest.mark.parametrize("cursor", ["garbage", "WzFd", "W10", "e30", "WyJhIiwiYiJd"])
async def test_bad_cursor_is_422(api: Api, cursor: str) -> None:
    admin = await api.person(Role.ADMIN)
    response = await api.client.get(USERS, params={"cursor": cursor}, headers=admin.headers)
    assert_problem(response, 422)


@pytest.mark.parametrize("limit", [0, 201, -1, "many"])
async def test_bad_limit_is_422(api: Api, limit: int | str) -> None:
    admin = await api.person(Role.ADMIN)
    response = await api.client.get(USERS, params={"limit": limit}, headers=admin.headers)
    assert_problem(response, 422)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.COMMISSIONER])
async def test_only_admins_manage_users(api: Api, role: Role) -> None:
    caller = await api.person(role)
    assert_problem(await api.client.get(USERS, headers=caller.headers), 403)
    assert_problem(await api.client.post(USERS, json=new_user(), headers=caller.headers), 403)
    assert_problem(
        await api.client.patch(
            f"{USERS}/{caller.id}", json={"role": "admin"}, headers=caller.headers
        ),
        403,
    )
    me = await api.client.get(f"{USERS}/me", headers=caller.headers)
    assert me.json()["role"] == role.value


async def test_department_rules(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    department = await api.department()
    no_department = await api.client.post(
        USERS, json=new_user(role="officer"), headers=admin.headers
    )
    assert_problem(no_department, 422)
    unknown = await api.client.post(
        USERS, json=new_user(role="officer", department_id=str(uuid.uuid4())), headers=admin.headers
    )
    assert_problem(unknown, 422)
    commissioner_with_department = await api.client.post(
        USERS, json=new_user(department_id=str(department)), headers=admin.headers
    )
    assert_problem(commissioner_with_department, 422)


async def test_duplicate_email_is_409(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    assert_problem(
        await api.client.post(
            USERS, json=new_user(email=admin.email.upper()), headers=admin.headers
        ),
        409,
    )


async def test_unknown_user_is_404(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    assert_problem(await api.client.get(f"{USERS}/{uuid.uuid4()}", headers=admin.headers), 404)
    assert_problem(await api.client.get(f"{USERS}/not-a-uuid", headers=admin.headers), 422)


async def test_deactivation_stops_tokens_at_once_and_is_audited(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    commissioner = await api.person(Role.COMMISSIONER)
    assert (await api.client.get(f"{USERS}/me", headers=commissioner.headers)).status_code == 200
    changed = await api.client.patch(
        f"{USERS}/{commissioner.id}", json={"is_active": False}, headers=admin.headers
    )
    assert changed.json()["is_active"] is False
    assert_problem(await api.client.get(f"{USERS}/me", headers=commissioner.headers), 401)
    refresh = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": commissioner.refresh_token}
    )
    assert_problem(refresh, 401)
    sign_in = await api.client.post(
        "/api/v1/auth/token", data={"username": commissioner.email, "password": PASSWORD}
    )
    assert_problem(sign_in, 401)

    events = await api.audit_events(entity_id=str(commissioner.id), action="user.changed")
    assert len(events) == 1
    assert events[0]["actor_id"] == str(admin.id)
    assert events[0]["data"] == {"before": {"is_active": True}, "after": {"is_active": False}}


async def test_role_change_takes_effect_and_is_audited(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    resident = await api.person(Role.RESIDENT)
    response = await api.client.patch(
        f"{USERS}/{resident.id}", json={"role": "commissioner"}, headers=admin.headers
    )
    assert response.json()["role"] == "commissioner"
    # Old tokens carried the old role: they are revoked, and a new sign-in carries the new one.
    assert_problem(await api.client.get(f"{USERS}/me", headers=resident.headers), 401)
    await api.sign_in(resident)
    assert (await api.client.get(f"{USERS}/me", headers=resident.headers)).json()[
        "role"
    ] == "commissioner"
    events = await api.audit_events(entity_id=str(resident.id), action="user.changed")
    assert events[0]["data"]["after"] == {"role": "commissioner"}


async def test_patch_refuses_unknown_fields_and_nulls(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    resident = await api.person(Role.RESIDENT)
    for body in ({"email": "x@y.org"}, {"password_hash": "x"}, {"role": None}, {"role": "king"}):
        response = await api.client.patch(
            f"{USERS}/{resident.id}", json=body, headers=admin.headers
        )
        assert_problem(response, 422)
    me = (await api.client.get(f"{USERS}/me", headers=resident.headers)).json()
    assert me["role"] == "resident" and me["email"] == resident.email


async def test_admin_cannot_lock_themselves_out(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    for body in ({"is_active": False}, {"role": "commissioner"}):
        response = await api.client.patch(f"{USERS}/{admin.id}", json=body, headers=admin.headers)
        assert_problem(response, 409)
    assert (await api.client.get(f"{USERS}/me", headers=admin.headers)).json()["role"] == "admin"


async def test_failed_sign_ins_are_audited(api: Api) -> None:
    person = await api.person(Role.RESIDENT, sign_in=False)
    await api.client.post(
        "/api/v1/auth/token", data={"username": person.email, "password": "wrong" * 3}
    )
    await api.client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.org", "password": "wrong" * 3}
    )
    events = await api.audit_events(action="auth.sign_in_failed")
    assert [event["entity_id"] for event in events] == [str(person.id), None]
    assert all(event["actor_id"] is None for event in events)
