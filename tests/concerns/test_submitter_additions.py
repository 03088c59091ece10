"""What a submitter adds to their concern shows on their status view by tracking code (their
words and when), and nothing else does: no staff note, public or internal, and nothing
added to another concern. Through HTTP."""

from __future__ import annotations

from typing import Any

from tests.cases import Cast
from tests.helpers import CONCERNS, Api, moved, submit

PUBLIC = "/api/v1/public/concerns"


async def anonymous(api: Api, summary: str) -> dict[str, Any]:
    created = await api.client.post(
        CONCERNS,
        json={
            "kind": "complaint",
            "category": "discourtesy",
            "summary": summary,
            "description": "Shouted at on Elm Street.",
        },
    )
    assert created.status_code == 201, created.text
    concern: dict[str, Any] = created.json()
    return concern


async def status_view(api: Api, code: str) -> dict[str, Any]:
    response = await api.client.get(f"{PUBLIC}/{code}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def test_what_the_submitter_adds_by_code_shows_on_their_status_view(
    api: Api, cast: Cast
) -> None:
    concern = await anonymous(api, "Rude at a stop")
    other = await anonymous(api, "Another stop")
    code = concern["tracking_code"]
    assert (await status_view(api, code))["added_information"] == []

    first = await api.client.post(f"{PUBLIC}/{code}/notes", json={"body": "A neighbour filmed it."})
    assert first.status_code == 201, first.text
    notes = f"{CONCERNS}/{concern['id']}/notes"
    for body, visibility in (("Check the footage", "internal"), ("We have it", "public")):
        staff = await api.client.post(
            notes, json={"body": body, "visibility": visibility}, headers=cast.commissioner.headers
        )
        assert staff.status_code == 201, staff.text
    await moved(api, cast.commissioner, concern, "triaged", public_note="Under review.")
    elsewhere = await api.client.post(
        f"{PUBLIC}/{other['tracking_code']}/notes", json={"body": "Not about this one."}
    )
    assert elsewhere.status_code == 201
    second = await api.client.post(
        f"{PUBLIC}/{code.lower()}/notes", json={"body": "The officer's car was 4711."}
    )
    assert second.status_code == 201

    view = await status_view(api, code)
    assert view["added_information"] == [
        {"at": first.json()["created_at"], "body": "A neighbour filmed it."},
        {"at": second.json()["created_at"], "body": "The officer's car was 4711."},
    ]
    # Staff words reach the submitter only as a move's public note, never as notes.
    assert [t["public_note"] for t in view["timeline"]] == [None, "Under review."]
    text = str(view)
    assert "footage" not in text and "We have it" not in text
    other_view = await status_view(api, other["tracking_code"])
    assert [a["body"] for a in other_view["added_information"]] == ["Not about this one."]


async def test_a_signed_in_submitters_own_notes_show_too(api: Api, cast: Cast) -> None:
    concern = await submit(api, cast.resident)
    added = await api.client.post(
        f"{CONCERNS}/{concern['id']}/notes",
        json={"body": "I have a witness"},
        headers=cast.resident.headers,
    )
    assert added.status_code == 201, added.text
    view = await status_view(api, concern["tracking_code"])
    assert view["added_information"] == [
        {"at": added.json()["created_at"], "body": "I have a witness"}
    ]
