"""What a caller may not see is a 404 for every method on it, before any version, policy or
state check (the contract's clarification; issue 25, items 3 and 10).

The hidden things: a draft resolution (addressed to the cast's department), a draft withdrawn
before it was ever proposed, a resolution back in draft after its meeting was cancelled (with
a published comment from the time it was proposed, by another resident), the draft's recommendation, and that
comment. The callers who may not see them: a resident, an anonymous caller and an officer of
another department. Each row of ``OPERATIONS`` is one read or write; every caller asks it with
no If-Match, a stale one and the right one, and must get exactly what an id that does not exist
gets: 404 (401 for an anonymous caller on a signed-in operation, as for any id), never a 412,
428, 409 or 403, and nothing changes (the audit head stays where it was). Extending it is
adding a row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from oversight.core.roles import Role
from tests.cases import Cast, new_meeting
from tests.helpers import Api, Person
from tests.meetings.test_meetings import move_meeting
from tests.resolutions.test_resolutions import draft, move

RESOLUTIONS = "/api/v1/resolutions"
PUBLIC = "/api/v1/public"
AUDIT_HEAD = f"{PUBLIC}/audit/head"


@dataclass
class Hidden:
    """The hidden things' ids (by name) and their versions, as the commission reads them, and
    the resident who wrote the comment (another resident than the cast's)."""

    commenter: Person
    ids: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Op:
    """One operation on one hidden thing: ``{id}`` in the path (or ``"{id}"`` in the body) is
    its id. ``signed_in``: the route needs a signed-in caller (an anonymous one gets 401 for
    every id, existing or not)."""

    name: str
    method: str
    path: str
    thing: str
    body: dict[str, Any] | None = None
    params: dict[str, str] | None = None
    signed_in: bool = True


ANSWER = {"status": "accepted", "body": "We will."}
COMMENT = {"target": {"type": "resolution", "id": "{id}"}, "body": "Please reconsider."}

OPERATIONS = [
    *(
        op
        for thing in ("draft", "withdrawn_draft", "returned")
        for op in (
            Op(f"read-{thing}", "GET", RESOLUTIONS + "/{id}", thing),
            Op(f"edit-{thing}", "PATCH", RESOLUTIONS + "/{id}", thing, {"title": "Mine now"}),
            Op(f"withdraw-{thing}", "POST", RESOLUTIONS + "/{id}/transitions", thing,
               {"to": "withdrawn"}),
            Op(f"vote-{thing}", "PUT", RESOLUTIONS + "/{id}/votes/me", thing, {"vote": "yes"}),
            Op(f"decide-{thing}", "POST", RESOLUTIONS + "/{id}/decision", thing),
            Op(f"public-read-{thing}", "GET", PUBLIC + "/resolutions/{id}", thing,
               signed_in=False),
            Op(f"comment-on-{thing}", "POST", "/api/v1/comments", thing, COMMENT,
               signed_in=False),
        )
    ),
    Op("answer-recommendation", "POST", "/api/v1/recommendations/{id}/responses",
       "recommendation", ANSWER),
    Op("read-comment", "GET", PUBLIC + "/comments/{id}", "comment", signed_in=False),
    Op("moderate-comment", "POST", "/api/v1/comments/{id}/moderation", "comment",
       {"action": "hide", "reason": "Off topic."}),
]  # fmt: skip


async def version(api: Api, commissioner: Person, url: str) -> int:
    read = await api.client.get(url, headers=commissioner.headers)
    assert read.status_code == 200, read.text
    return int(read.headers["etag"].strip('"'))


async def world(api: Api, cast: Cast) -> Hidden:
    hidden = Hidden(commenter=await api.person(Role.RESIDENT))
    made = await draft(api, cast)
    hidden.ids["draft"] = made["id"]
    hidden.ids["recommendation"] = made["recommendations"][0]["id"]
    withdrawn = await draft(api, cast)
    assert (await move(api, cast.commissioner, withdrawn, to="withdrawn")).status_code == 200
    hidden.ids["withdrawn_draft"] = withdrawn["id"]
    # Proposed, commented on while proposed, then its meeting is cancelled: a draft again.
    returned = await draft(api, cast, recommendations=[])
    meeting = await new_meeting(api, cast)
    proposed = await move(api, cast.commissioner, returned, to="proposed", meeting_id=meeting["id"])
    assert proposed.status_code == 200, proposed.text
    comment = await api.client.post(
        "/api/v1/comments",
        json={"target": {"type": "resolution", "id": returned["id"]}, "body": "Yes, please."},
        headers=hidden.commenter.headers,
    )
    assert comment.json()["status"] == "published", comment.text
    hidden.ids["comment"] = comment.json()["id"]
    hidden.versions["comment"] = comment.json()["version"]
    cancelled = await move_meeting(api, cast.commissioner, meeting, "cancelled", reason="Storm")
    assert cancelled.status_code == 200, cancelled.text
    hidden.ids["returned"] = returned["id"]
    for name in ("draft", "withdrawn_draft", "returned"):
        url = f"{RESOLUTIONS}/{hidden.ids[name]}"
        hidden.versions[name] = await version(api, cast.commissioner, url)
    hidden.versions["recommendation"] = made["recommendations"][0]["version"]
    return hidden


def request(op: Op, thing_id: str) -> dict[str, Any]:
    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return thing_id if value == "{id}" else value

    return {
        "method": op.method,
        "url": op.path.replace("{id}", thing_id),
        **({"json": fill(op.body)} if op.body is not None else {}),
    }


async def answer(
    api: Api, op: Op, thing_id: str, caller: Person | None, if_match: str | None
) -> tuple[int, str | None]:
    headers = {**(caller.headers if caller else {})}
    if if_match is not None:
        headers["If-Match"] = if_match
    response = await api.client.request(**request(op, thing_id), headers=headers)
    detail = response.json().get("detail") if response.content else None
    return response.status_code, detail


async def snapshot(api: Api, commissioner: Person, hidden: Hidden) -> dict[str, Any]:
    """The audit head and each hidden resolution as the commission reads it."""
    head = (await api.client.get(AUDIT_HEAD)).json()
    resolutions = {
        name: (await api.client.get(f"{RESOLUTIONS}/{hidden.ids[name]}", headers=commissioner.headers)).json()
        for name in ("draft", "withdrawn_draft", "returned")
    }  # fmt: skip
    return {"head": head, "resolutions": resolutions}


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
async def test_a_hidden_thing_is_404_for_every_method(api: Api, cast: Cast, op: Op) -> None:
    hidden = await world(api, cast)
    stranger = await api.person(Role.OFFICER)  # an officer of another department
    callers: dict[str, Person | None] = {
        "resident": cast.resident,
        "anonymous": None,
        "stranger": stranger,
    }
    thing_id = hidden.ids[op.thing]
    right = f'"{hidden.versions[op.thing]}"'
    before = await snapshot(api, cast.commissioner, hidden)
    for who, caller in callers.items():
        nowhere = await answer(api, op, str(uuid.uuid4()), caller, right)
        expected = 401 if caller is None and op.signed_in else 404
        assert nowhere[0] == expected, (who, nowhere)
        for if_match in (None, '"999"', right):
            got = await answer(api, op, thing_id, caller, if_match)
            # Exactly what an id that does not exist gets: the same status, the same words.
            assert got == nowhere, (op.name, who, if_match, got)
    assert await snapshot(api, cast.commissioner, hidden) == before


async def test_who_may_see_them_still_does(api: Api, cast: Cast) -> None:
    """The commission reads every hidden thing, and the department a draft addresses knows it
    (its officer is refused by the policy, 403, or by the draft's state, 409): the filter
    hides them from nobody who may see them."""
    hidden = await world(api, cast)
    for name in ("draft", "withdrawn_draft", "returned"):
        read = await api.client.get(
            f"{RESOLUTIONS}/{hidden.ids[name]}", headers=cast.commissioner.headers
        )
        assert read.status_code == 200, read.text
    draft_url = f"{RESOLUTIONS}/{hidden.ids['draft']}"
    assert (await api.client.get(draft_url, headers=cast.officer.headers)).status_code == 403
    answered = await api.client.post(
        f"/api/v1/recommendations/{hidden.ids['recommendation']}/responses",
        json=ANSWER,
        headers=cast.officer.headers,
    )
    assert answered.status_code == 409, answered.text
    moderated = await api.client.post(
        f"/api/v1/comments/{hidden.ids['comment']}/moderation",
        json={"action": "hide", "reason": "Off topic."},
        headers={**cast.commissioner.headers, "If-Match": f'"{hidden.versions["comment"]}"'},
    )
    assert moderated.status_code == 200, moderated.text
    # Its author still reads it among their own.
    mine = await api.client.get("/api/v1/users/me/comments", headers=hidden.commenter.headers)
    assert [c["id"] for c in mine.json()["items"]] == [hidden.ids["comment"]]


async def test_lists_say_nothing_of_hidden_things(api: Api, cast: Cast) -> None:
    """The public comment list of a hidden resolution is what a target that does not exist
    gets; no list shows a hidden resolution or its recommendation to those who may not see
    it."""
    hidden = await world(api, cast)
    stranger = await api.person(Role.OFFICER)

    async def comments_of(target_id: str) -> Any:
        params = {"target_type": "resolution", "target_id": target_id}
        response = await api.client.get(f"{PUBLIC}/comments", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert await comments_of(hidden.ids["returned"]) == await comments_of(str(uuid.uuid4()))
    listed = await api.client.get("/api/v1/recommendations", headers=stranger.headers)
    assert listed.json()["items"] == []
    public = await api.client.get(f"{PUBLIC}/resolutions")
    assert set(hidden.ids.values()).isdisjoint(r["id"] for r in public.json()["items"])
    staff = await api.client.get(RESOLUTIONS, headers=cast.commissioner.headers)
    names = ("draft", "withdrawn_draft", "returned")
    assert {hidden.ids[n] for n in names} <= {r["id"] for r in staff.json()["items"]}
