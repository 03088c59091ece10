"""The site's forms through HTTP: a concern filed anonymously in Spanish, its receipt, following
it and adding information by its code; every refusal re-rendered beside its field; a post
without its CSRF token or from another site refused, changing nothing."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.cases import Cast
from tests.helpers import Api


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the form carries no CSRF token"
    return found.group(1)


def concern_form(**overrides: str) -> dict[str, str]:
    return {
        "kind": "complaint",
        "category": "discourtesy",
        "summary": "El agente no me dio su nombre",
        "description": "En la calle Elm el agente me gritó y no quiso identificarse.",
        "occurred_on": "2026-10-01",
        "occurred_time": "18:30",
        "address": "400 Elm St",
        "neighborhood": "Monument Corridor",
        "contact_email": "",
        "contact_phone": "",
        **overrides,
    }


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str], **headers: str
) -> httpx.Response:
    form = await client.get(page, headers=headers)
    return await client.post(
        action, data={**data, "csrf_token": token_in(form.text)}, headers=headers
    )


async def concerns_filed(api: Api) -> list[dict[str, Any]]:
    return await api.audit_events(action="concern.submitted")


async def test_a_resident_files_a_concern_anonymously_in_spanish_and_follows_it(
    api: Api, cast: Cast
) -> None:
    api.client.cookies.set("lang", "es")  # the language switch's cookie
    form = await api.client.get("/concerns/new")
    assert form.status_code == 200
    assert "Presentar una queja" in form.text and 'lang="es"' in form.text
    assert form.headers["Cache-Control"] == "private, no-store"
    receipt = await post_form(api.client, "/concerns/new", "/concerns/new", concern_form())
    assert receipt.status_code == 200, receipt.text
    code = re.search(r"OC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt.text)
    assert code is not None
    assert "Su código de seguimiento" in receipt.text
    (filed,) = await concerns_filed(api)
    assert filed["actor_id"] is None  # anonymous
    status = await api.client.get("/track", params={"code": code.group(0)})
    assert "Recibida" in status.text
    added = await api.client.post(
        "/track/notes",
        data={
            "code": code.group(0),
            "body": "Tengo un video.",
            "csrf_token": token_in(status.text),
        },
    )
    assert added.status_code == 303
    shown = await api.client.get(added.headers["Location"])
    assert "Tengo un video." in shown.text
    assert "Su información se añadió" in shown.text


async def test_a_refusal_shows_each_error_beside_its_field(api: Api) -> None:
    refused = await post_form(
        api.client,
        "/concerns/new",
        "/concerns/new",
        concern_form(kind="", summary="", contact_email="not an address", occurred_on="2099-01-01"),
    )
    assert refused.status_code == 422
    page = refused.text
    assert 'role="alert"' in page and "autofocus" in page
    for field in ("kind", "summary", "contact_email", "occurred_on"):
        assert f'href="#{field}"' in page, field
        assert f'id="{field}-error"' in page, field
    assert 'id="summary" name="summary" type="text" value=""' in page
    assert 'aria-invalid="true"' in page
    assert "400 Elm St" in page  # what was typed is kept
    assert await concerns_filed(api) == []


async def test_a_post_without_its_token_or_from_elsewhere_changes_nothing(api: Api) -> None:
    await api.client.get("/concerns/new")  # the browser has its CSRF cookie
    bare = await api.client.post("/concerns/new", data=concern_form())
    assert bare.status_code == 403
    forged = await api.client.post("/concerns/new", data={**concern_form(), "csrf_token": "0" * 64})
    assert forged.status_code == 403
    elsewhere = await post_form(
        api.client, "/concerns/new", "/concerns/new", concern_form(), Origin="https://evil.example"
    )
    assert elsewhere.status_code == 403
    # Another browser's token does not fit this browser's cookie.
    async with httpx.AsyncClient(
        transport=api.client._transport, base_url="http://testserver"
    ) as other:
        theirs = token_in((await other.get("/concerns/new")).text)
    stolen = await api.client.post("/concerns/new", data={**concern_form(), "csrf_token": theirs})
    assert stolen.status_code == 403
    assert await concerns_filed(api) == []
