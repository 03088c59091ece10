"""Accounts on the site: register and land signed in, the session a cookie naming a
server-side sign-in that signing out revokes, sign-in refusals beside their field, a signed-in
visitor's pages never stored by a shared cache."""

from __future__ import annotations

from oversight.core.roles import Role
from tests.cases import Cast, new_meeting
from tests.helpers import PASSWORD, Api, submit
from tests.site.test_forms import token_in


async def register(api: Api, email: str, name: str = "Ana Resident") -> None:
    form = await api.client.get("/register")
    answer = await api.client.post(
        "/register",
        data={
            "display_name": name,
            "email": email,
            "password": PASSWORD,
            "csrf_token": token_in(form.text),
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"] == "/account"


async def test_register_sign_out_and_sign_in_again(api: Api) -> None:
    await register(api, "ana@example.org")
    session_cookie = api.client.cookies.get("session")
    assert session_cookie
    account = await api.client.get("/account")
    assert account.status_code == 200
    assert "Ana Resident" in account.text and "ana@example.org" in account.text
    home = await api.client.get("/")
    assert "Your account" in home.text
    assert home.headers["Cache-Control"] == "private, no-store" and "ETag" not in home.headers
    created = await api.audit_events(action="user.created")
    assert any(e["data"]["role"] == "resident" for e in created)

    out = await api.client.post("/sign-out", data={"csrf_token": token_in(account.text)})
    assert out.status_code == 303
    # The sign-in itself is over: the old cookie names nothing any more.
    api.client.cookies.set("session", session_cookie)
    assert (await api.client.get("/account")).headers["Location"] == "/sign-in?next=/account"
    assert "Sign in" in (await api.client.get("/")).text

    api.client.cookies.clear()
    form = await api.client.get("/sign-in")
    wrong = await api.client.post(
        "/sign-in",
        data={"email": "ana@example.org", "password": "wrong!", "csrf_token": token_in(form.text)},
    )
    assert wrong.status_code == 401
    assert 'id="email-error"' in wrong.text and 'value="ana@example.org"' in wrong.text
    assert len(await api.audit_events(action="auth.sign_in_failed")) == 1
    right = await api.client.post(
        "/sign-in",
        data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token_in(form.text)},
    )
    assert right.status_code == 303
    assert "Ana Resident" in (await api.client.get("/account")).text


async def test_the_account_lists_the_visitor_s_own_concerns(api: Api, cast: Cast) -> None:
    await register(api, "ben@example.org", "Ben")
    others = await submit(api, cast.resident, summary="Somebody else's concern")
    form = await api.client.get("/concerns/new")
    filed = await api.client.post(
        "/concerns/new",
        data={
            "kind": "inquiry",
            "category": "other",
            "summary": "Ben's question",
            "description": "Where do I find the stop data?",
            "csrf_token": token_in(form.text),
        },
    )
    assert filed.status_code == 200, filed.text
    account = await api.client.get("/account")
    assert "Ben&#39;s question" in account.text or "Ben's question" in account.text
    assert others["summary"] not in account.text
    filed_by = {e["actor_id"] for e in await api.audit_events(action="concern.submitted")}
    assert len(filed_by) == 2 and None not in filed_by  # Ben's own, signed in


async def test_registration_refusals(api: Api, cast: Cast) -> None:
    form = await api.client.get("/register")
    token = token_in(form.text)
    weak = await api.client.post(
        "/register",
        data={
            "display_name": "C",
            "email": "c@example.org",
            "password": "short",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and 'id="password-error"' in weak.text
    taken = await api.client.post(
        "/register",
        data={
            "display_name": "C",
            "email": cast.resident.email,
            "password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert taken.status_code == 409 and 'id="email-error"' in taken.text
    forged = await api.client.post(
        "/register",
        data={
            "display_name": "C",
            "email": "forged.registration@example.org",
            "password": PASSWORD,
        },
    )
    assert forged.status_code == 403
    accounts = await api.client.get("/api/v1/users", headers=(await api.person(Role.ADMIN)).headers)
    assert "forged.registration@example.org" not in accounts.text


async def test_the_account_shows_my_comments_and_keeps_my_language_and_e_mail(
    api: Api, cast: Cast
) -> None:
    await register(api, "dora@example.org", "Dora")
    meeting = await new_meeting(api, cast, title="Regular meeting")
    item = await api.client.post(
        f"/api/v1/meetings/{meeting['id']}/agenda-items",
        json={"title": "Stop data", "kind": "general"},
        headers=cast.commissioner.headers,
    )
    link = f"/meetings/{meeting['id']}/comment?item={item.json()['id']}"
    form = await api.client.get(link)
    sent = await api.client.post(
        link, data={"body": "Publish it by beat.", "csrf_token": token_in(form.text)}
    )
    assert sent.status_code == 303, sent.text

    account = await api.client.get("/account")
    assert "Publish it by beat." in account.text and "Published" in account.text
    where = f'href="/agenda-items/{item.json()["id"]}"'
    assert where in account.text
    found = await api.client.get(f"/agenda-items/{item.json()['id']}")
    assert found.headers["Location"] == f"/meetings/{meeting['id']}#item-{item.json()['id']}"
    assert 'id="email-yes" name="email" value="yes" checked' in account.text

    # Spanish, and no e-mail: saved on the account (the API reads it) and the site speaks it.
    saved = await api.client.post(
        "/account",
        data={"locale": "es", "email": "no", "csrf_token": token_in(account.text)},
    )
    assert saved.status_code == 303 and saved.headers["Location"] == "/account?saved=1"
    again = await api.client.get("/account?saved=1")
    assert 'lang="es"' in again.text and "Sus preferencias se guardaron." in again.text
    assert 'id="email-no" name="email" value="no" checked' in again.text
    [changed] = await api.audit_events(action="user.changed")
    assert changed["data"]["after"] == {"locale": "es"}

    # Back to e-mail; a forged post (no token) changes nothing.
    api.client.cookies.delete("csrf")
    forged = await api.client.post("/account", data={"locale": "en", "email": "yes"})
    assert forged.status_code == 303
    assert 'value="no" checked' in (await api.client.get("/account")).text
    assert len(await api.audit_events(action="user.changed")) == 1
    page = await api.client.get("/account")
    kept = await api.client.post(
        "/account", data={"locale": "es", "email": "yes", "csrf_token": token_in(page.text)}
    )
    assert kept.status_code == 303
    assert 'value="yes" checked' in (await api.client.get("/account")).text
    assert (
        await api.client.get("/agenda-items/00000000-0000-4000-8000-000000000000")
    ).status_code == 404
