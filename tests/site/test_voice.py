"""Residents' voice through the site: a registered resident comments on an agenda item, signs
up to speak and supports a proposal; an anonymous comment waits for moderation; refusals and
forged posts change nothing."""

from __future__ import annotations

import re

from tests.cases import Cast, new_meeting
from tests.helpers import Api
from tests.site.test_accounts import register
from tests.site.test_forms import token_in


async def agenda_item(api: Api, cast: Cast, meeting: dict[str, object]) -> str:
    item = await api.client.post(
        f"/api/v1/meetings/{meeting['id']}/agenda-items",
        json={"title": "Traffic stop data", "kind": "general"},
        headers=cast.commissioner.headers,
    )
    assert item.status_code == 201, item.text
    return str(item.json()["id"])


async def test_a_resident_comments_signs_up_to_speak_and_supports_a_proposal(
    api: Api, cast: Cast
) -> None:
    meeting = await new_meeting(api, cast, title="Regular meeting")
    item = await agenda_item(api, cast, meeting)
    await register(api, "carmen@example.org", "Carmen")

    page = await api.client.get(f"/meetings/{meeting['id']}")
    link = f"/meetings/{meeting['id']}/comment?item={item}"
    assert link.replace("&", "&amp;") in page.text or link in page.text
    form = await api.client.get(link)
    assert form.status_code == 200
    sent = await api.client.post(
        link,
        data={
            "body": "Please publish the data by beat.",
            "show_name": "yes",
            "csrf_token": token_in(form.text),
        },
    )
    assert sent.status_code == 303, sent.text
    shown = await api.client.get(sent.headers["Location"])
    assert "Please publish the data by beat." in shown.text and "Carmen" in shown.text
    assert "Your comment is published." in shown.text

    speak = await api.client.get(f"/meetings/{meeting['id']}/speak")
    signed_up = await api.client.post(
        f"/meetings/{meeting['id']}/speak",
        data={"topic": "Stop data", "agenda_item_id": item, "csrf_token": token_in(speak.text)},
    )
    assert signed_up.status_code == 303, signed_up.text
    twice = await api.client.post(
        f"/meetings/{meeting['id']}/speak",
        data={"topic": "Again", "agenda_item_id": "", "csrf_token": token_in(speak.text)},
    )
    assert twice.status_code == 409 and "You are signed up already." in twice.text
    assert len(await api.audit_events(action="meeting.speaker_signed_up")) == 1

    new = await api.client.get("/proposals/new")
    proposed = await api.client.post(
        "/proposals/new",
        data={
            "title": "Body cameras on every shift",
            "body": "Every officer, every shift.",
            "csrf_token": token_in(new.text),
        },
    )
    assert proposed.status_code == 303, proposed.text
    proposal_page = await api.client.get(proposed.headers["Location"])
    assert "Body cameras on every shift" in proposal_page.text
    supported = await api.client.post(
        proposed.headers["Location"] + "/support",
        data={"support": "yes", "csrf_token": token_in(proposal_page.text)},
    )
    assert supported.status_code == 303
    after = await api.client.get(proposed.headers["Location"])
    assert re.search(r"1 supporter\b", after.text)
    withdrawn = await api.client.post(
        proposed.headers["Location"] + "/support",
        data={"support": "no", "csrf_token": token_in(after.text)},
    )
    assert withdrawn.status_code == 303
    assert "0 supporters" in (await api.client.get(proposed.headers["Location"])).text


async def test_an_anonymous_comment_waits_for_moderation(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    item = await agenda_item(api, cast, meeting)
    link = f"/meetings/{meeting['id']}/comment?item={item}"
    form = await api.client.get(link)
    sent = await api.client.post(
        link, data={"body": "An anonymous remark.", "csrf_token": token_in(form.text)}
    )
    assert sent.status_code == 303
    page = await api.client.get(sent.headers["Location"])
    assert "once the commission" in page.text
    assert "An anonymous remark." not in page.text
    forged = await api.client.post(link, data={"body": "Forged."})
    assert forged.status_code == 403
    assert len(await api.audit_events(action="comment.created")) == 1


async def test_signing_up_to_speak_needs_an_account(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast)
    away = await api.client.get(f"/meetings/{meeting['id']}/speak")
    assert away.status_code == 303
    assert away.headers["Location"].startswith("/sign-in?next=")
    assert (await api.client.get("/proposals/new")).headers["Location"] == "/sign-in"
    assert (await api.client.get("/proposals/not-an-id")).status_code == 404
    assert (await api.client.get(f"/meetings/{meeting['id']}/comment?item=x")).status_code == 404
