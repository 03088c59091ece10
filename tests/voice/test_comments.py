"""Comments: residents publish at once, anonymous callers wait for moderation (and are rate
limited), staff do not comment; targets open and closed for comment; moderation; the public
list; and what of a resident ever reaches a public surface (only the published body and the
name they chose to show)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from oversight.accounts import service as users
from oversight.accounts.schemas import UserCreate
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from oversight.voice.enums import ProposalStatus
from oversight.voice.models import Comment, Proposal
from tests.cases import Cast, new_meeting
from tests.conftest import make_settings
from tests.helpers import PASSWORD, Api, Person, assert_problem
from tests.meetings.test_meetings import move_meeting
from tests.resolutions.test_resolutions import commission, draft, in_session, vote
from tests.resolutions.test_resolutions import move as move_resolution

COMMENTS = "/api/v1/comments"
PUBLIC = "/api/v1/public/comments"
MINE = "/api/v1/users/me/comments"
MEETINGS = "/api/v1/meetings"
RESOLUTIONS = "/api/v1/resolutions"

Target = tuple[str, str]


# Helpers ---------------------------------------------------------------------------------------


async def agenda_item(api: Api, cast: Cast, status: str = "scheduled") -> Target:
    """A general item on a new meeting, the meeting brought to ``status``."""
    meeting = await new_meeting(api, cast)
    added = await api.client.post(
        f"{MEETINGS}/{meeting['id']}/agenda-items",
        json={"title": "Public comment on stop data", "kind": "general"},
        headers=cast.commissioner.headers,
    )
    assert added.status_code == 201, added.text
    paths: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "scheduled": [],
        "in_session": [("in_session", {})],
        "adjourned": [("in_session", {}), ("adjourned", {})],
        "cancelled": [("cancelled", {"reason": "No quorum expected"})],
    }
    for to, body in paths[status]:
        moved = await move_meeting(api, cast.commissioner, meeting, to, **body)
        assert moved.status_code == 200, moved.text
    return "agenda_item", added.json()["id"]


async def resolution(api: Api, cast: Cast, status: str = "proposed") -> Target:
    """A resolution brought to ``status`` (draft, proposed, withdrawn or adopted)."""
    made = await draft(api, cast)
    if status == "adopted":
        members = await commission(api, cast, size=1)
        await in_session(api, cast, members, members, made)
        assert (await vote(api, members[0], made, "yes")).status_code == 200
        decided = await api.client.post(
            f"{RESOLUTIONS}/{made['id']}/decision", headers=cast.commissioner.headers
        )
        assert decided.json()["status"] == "adopted", decided.text
    elif status != "draft":
        meeting = await new_meeting(api, cast)
        proposed = await move_resolution(
            api, cast.commissioner, made, to="proposed", meeting_id=meeting["id"]
        )
        assert proposed.status_code == 200, proposed.text
        if status == "withdrawn":
            withdrawn = await move_resolution(api, cast.commissioner, made, to="withdrawn")
            assert withdrawn.status_code == 200, withdrawn.text
    return "resolution", made["id"]


async def proposal(api: Api, author: Person, status: str = "open") -> Target:
    """A proposal row in ``status``, written directly (its service is not needed here)."""
    async with api.database.unit_of_work() as session:
        row = Proposal(
            title="Publish stop data monthly",
            body="The department should publish its stop data every month.",
            status=ProposalStatus(status),
            author_id=author.id,
            supports=0,
            support_threshold=25,
        )
        session.add(row)
        await session.flush()
        return "proposal", str(row.id)


def comment_body(target: Target, body: str = "Please publish the data.", **more: Any) -> Any:
    return {"target": {"type": target[0], "id": target[1]}, "body": body, **more}


async def post(
    api: Api,
    person: Person | None,
    target: Target,
    body: str = "Please publish the data.",
    **more: Any,
) -> httpx.Response:
    headers = person.headers if person else {}
    return await api.client.post(COMMENTS, json=comment_body(target, body, **more), headers=headers)


async def posted(
    api: Api,
    person: Person | None,
    target: Target,
    body: str = "Please publish the data.",
    **more: Any,
) -> dict[str, Any]:
    response = await post(api, person, target, body, **more)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def moderate(
    api: Api, person: Person, comment: dict[str, Any], action: str, **more: Any
) -> httpx.Response:
    # `*`: whatever version it is now (tests of the version itself send their own If-Match).
    return await api.client.post(
        f"{COMMENTS}/{comment['id']}/moderation",
        json={"action": action, **more},
        headers={**person.headers, "If-Match": "*"},
    )


async def public_page(api: Api, target: Target, **params: Any) -> dict[str, Any]:
    response = await api.client.get(
        PUBLIC, params={"target_type": target[0], "target_id": target[1], **params}
    )
    assert response.status_code == 200, response.text
    assert "authorization" not in response.request.headers
    result: dict[str, Any] = response.json()
    return result


async def public_bodies(api: Api, target: Target) -> list[str]:
    return [c["body"] for c in (await public_page(api, target))["items"]]


async def all_pages(api: Api, url: str, person: Person | None, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await api.client.get(url, params=query, headers=person.headers if person else {})
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def stored(api: Api) -> int:
    """Comments in the database, whatever their status."""
    async with api.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Comment)) or 0)


async def resident_named(api: Api, display_name: str, email: str) -> Person:
    async with api.database.unit_of_work() as session:
        user = await users.create(
            session,
            None,
            UserCreate(
                email=email, display_name=display_name, role=Role.RESIDENT, password=PASSWORD
            ),
        )
    person = Person(user.id, email, Role.RESIDENT, None)
    await api.sign_in(person)
    return person


# Creating --------------------------------------------------------------------------------------


async def test_a_residents_comment_is_published_at_once(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    response = await post(api, cast.resident, target, "  Stops should be counted.  ")
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    made = response.json()
    assert made["status"] == "published"
    assert made["body"] == "Stops should be counted."
    assert made["author"] == "Resident"
    assert made["target"] == {"type": "agenda_item", "id": target[1]}
    assert made["hidden_reason"] is None
    assert str(cast.resident.id) not in response.text
    assert cast.resident.email not in response.text

    page = await public_page(api, target)
    assert page["hidden_count"] == 0
    assert page["next_cursor"] is None
    assert page["items"] == [
        {
            "id": made["id"],
            "target": made["target"],
            "body": "Stops should be counted.",
            "author": "Resident",
            "status": "published",
            "created_at": made["created_at"],
        }
    ]
    mine = await all_pages(api, MINE, cast.resident)
    assert [c["id"] for c in mine] == [made["id"]]
    (event,) = await api.audit_events(entity_id=made["id"])
    assert event["action"] == "comment.created"
    assert event["entity_type"] == "comment"
    assert event["actor_id"] == str(cast.resident.id)
    assert event["to_status"] == "published"
    assert event["data"] == {"target_type": "agenda_item", "target_id": target[1]}


async def test_show_name_shows_the_display_name_and_nothing_else(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast, "in_session")
    shown = await posted(api, cast.resident, target, "With my name.", show_name=True)
    assert shown["author"] == "Test resident"
    hidden_name = await posted(api, cast.resident, target, "Without it.", show_name=False)
    assert hidden_name["author"] == "Resident"
    assert [(c["body"], c["author"]) for c in (await public_page(api, target))["items"]] == [
        ("With my name.", "Test resident"),
        ("Without it.", "Resident"),
    ]


async def test_an_anonymous_comment_waits_for_a_commissioner(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    made = await posted(api, None, target, "Anonymous words.", show_name=True)
    assert (made["status"], made["author"]) == ("pending", "Resident")
    assert await public_bodies(api, target) == []
    assert_problem(await api.client.get(f"{PUBLIC}/{made['id']}"), 404)
    queue = await all_pages(api, COMMENTS, cast.commissioner, status="pending")
    assert [c["id"] for c in queue] == [made["id"]]
    # The default status is the moderation queue.
    assert await all_pages(api, COMMENTS, cast.commissioner) == queue

    published = await moderate(api, cast.commissioner, made, "publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.headers["etag"] == '"2"'
    assert await public_bodies(api, target) == ["Anonymous words."]
    single = await api.client.get(f"{PUBLIC}/{made['id']}")
    assert (single.json()["status"], single.json()["body"]) == ("published", "Anonymous words.")
    assert await all_pages(api, COMMENTS, cast.commissioner) == []
    events = await api.audit_events(entity_id=made["id"])
    assert [(e["action"], e["actor_id"], e["from_status"], e["to_status"]) for e in events] == [
        ("comment.created", None, None, "pending"),
        ("comment.moderated", str(cast.commissioner.id), "pending", "published"),
    ]
    assert events[1]["data"] == {"action": "publish"}
    # Published once: publishing again is not a move.
    assert_problem(await moderate(api, cast.commissioner, made, "publish"), 409)


async def test_hiding_keeps_the_comment_but_never_serves_its_body(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    await posted(api, cast.resident, target, "A fair point.")
    rude = await posted(api, cast.resident, target, "Something abusive.")
    pending = await posted(api, None, target, "Spam, spam, spam.")

    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert_problem(await moderate(api, cast.commissioner, rude, "hide", **body), 422)
    assert await public_bodies(api, target) == ["A fair point.", "Something abusive."]
    assert (await public_page(api, target))["hidden_count"] == 0

    hidden = await moderate(api, cast.commissioner, rude, "hide", reason="Abusive language")
    assert hidden.status_code == 200, hidden.text
    assert (hidden.json()["status"], hidden.json()["hidden_reason"]) == (
        "hidden",
        "Abusive language",
    )
    hid_pending = await moderate(api, cast.commissioner, pending, "hide", reason="Spam")
    assert hid_pending.json()["status"] == "hidden"

    page = await public_page(api, target)
    assert [c["body"] for c in page["items"]] == ["A fair point."]
    assert page["hidden_count"] == 2
    tombstone = await api.client.get(f"{PUBLIC}/{rude['id']}")
    assert tombstone.json() == {
        "id": rude["id"],
        "target": rude["target"],
        "status": "hidden",
        "hidden_reason": "Abusive language",
        "created_at": rude["created_at"],
    }
    assert "abusive." not in tombstone.text

    # Hidden is final.
    assert_problem(await moderate(api, cast.commissioner, rude, "publish"), 409)
    assert_problem(await moderate(api, cast.commissioner, rude, "hide", reason="Again"), 409)
    # Never deleted: its author still reads it, with the reason.
    mine = {c["id"]: c for c in await all_pages(api, MINE, cast.resident)}
    assert (mine[rude["id"]]["status"], mine[rude["id"]]["body"]) == (
        "hidden",
        "Something abusive.",
    )
    assert await stored(api) == 3
    hidden_list = await all_pages(api, COMMENTS, cast.commissioner, status="hidden")
    assert {c["id"] for c in hidden_list} == {rude["id"], pending["id"]}
    (event,) = await api.audit_events(entity_id=rude["id"], action="comment.moderated")
    assert (event["from_status"], event["to_status"], event["reason"]) == (
        "published",
        "hidden",
        "Abusive language",
    )
    assert event["data"] == {"action": "hide"}


async def test_moderation_requires_if_match(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    made = await posted(api, None, target)
    url = f"{COMMENTS}/{made['id']}/moderation"
    missing = await api.client.post(
        url, json={"action": "publish"}, headers=cast.commissioner.headers
    )
    assert assert_problem(missing, 428)["code"] == "version_required"
    assert await public_bodies(api, target) == []
    headers = {**cast.commissioner.headers, "If-Match": '"7"'}
    assert_problem(await api.client.post(url, json={"action": "publish"}, headers=headers), 412)
    headers["If-Match"] = '"1"'
    published = await api.client.post(url, json={"action": "publish"}, headers=headers)
    assert published.status_code == 200, published.text
    # Stale now.
    stale = await api.client.post(
        url, json={"action": "hide", "reason": "Off topic"}, headers=headers
    )
    assert_problem(stale, 412)
    assert await public_bodies(api, target) == ["Please publish the data."]


# Who may do what -------------------------------------------------------------------------------


async def test_staff_do_not_comment(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    admin = await api.person(Role.ADMIN)
    for person in (cast.officer, cast.commissioner, admin):
        assert_problem(await post(api, person, target), 403)
    bad_token = {"Authorization": "Bearer nonsense"}
    assert_problem(
        await api.client.post(COMMENTS, json=comment_body(target), headers=bad_token), 401
    )
    assert await stored(api) == 0
    assert await all_pages(api, COMMENTS, cast.commissioner, status="published") == []


async def test_who_reads_and_moderates(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    admin = await api.person(Role.ADMIN)
    neighbour = await api.person(Role.RESIDENT)
    published = await posted(api, cast.resident, target, "Published words.")
    pending = await posted(api, None, target, "Pending words.")

    # The queue: commissioners only.
    for person in (cast.resident, cast.officer, admin):
        assert_problem(await api.client.get(COMMENTS, headers=person.headers), 403)
    assert_problem(await api.client.get(COMMENTS), 401)
    assert_problem(
        await api.client.get(
            COMMENTS, params={"status": "deleted"}, headers=cast.commissioner.headers
        ),
        422,
    )

    # Moderation: commissioners only; a pending comment is not even there for anyone else.
    for person in (cast.resident, neighbour, cast.officer, admin):
        assert_problem(await moderate(api, person, published, "hide", reason="x"), 403)
        assert_problem(await moderate(api, person, pending, "publish"), 404)
    assert_problem(
        await api.client.post(
            f"{COMMENTS}/{published['id']}/moderation", json={"action": "hide", "reason": "x"}
        ),
        401,
    )
    assert_problem(
        await moderate(api, cast.commissioner, {"id": str(uuid.uuid4())}, "publish"), 404
    )
    for bad in ({"action": "delete"}, {"action": "publish", "extra": 1}, {}):
        response = await api.client.post(
            f"{COMMENTS}/{pending['id']}/moderation", json=bad, headers=cast.commissioner.headers
        )
        assert_problem(response, 422)
    assert await public_bodies(api, target) == ["Published words."]
    assert [c["id"] for c in await all_pages(api, COMMENTS, cast.commissioner)] == [pending["id"]]

    # Own comments: residents, each their own.
    assert [c["id"] for c in await all_pages(api, MINE, cast.resident)] == [published["id"]]
    assert await all_pages(api, MINE, neighbour) == []
    for person in (cast.officer, cast.commissioner, admin):
        assert_problem(await api.client.get(MINE, headers=person.headers), 403)
    assert_problem(await api.client.get(MINE), 401)
    assert len(await api.audit_events(action="comment.moderated")) == 0


# Targets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda api, cast: agenda_item(api, cast, "scheduled"), id="scheduled-meeting"),
        pytest.param(lambda api, cast: agenda_item(api, cast, "in_session"), id="in-session"),
        pytest.param(lambda api, cast: resolution(api, cast, "proposed"), id="proposed"),
        pytest.param(lambda api, cast: proposal(api, cast.resident, "open"), id="open-proposal"),
        pytest.param(
            lambda api, cast: proposal(api, cast.resident, "qualified"), id="qualified-proposal"
        ),
    ],
)
async def test_open_targets_take_comments(api: Api, cast: Cast, make: Callable[..., Any]) -> None:
    target = await make(api, cast)
    made = await posted(api, cast.resident, target)
    assert made["target"] == {"type": target[0], "id": target[1]}
    assert await public_bodies(api, target) == ["Please publish the data."]
    anonymous = await posted(api, None, target)
    assert anonymous["status"] == "pending"


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (lambda api, cast: agenda_item(api, cast, "adjourned"), "adjourned"),
        (lambda api, cast: agenda_item(api, cast, "cancelled"), "cancelled"),
        (lambda api, cast: resolution(api, cast, "withdrawn"), "withdrawn"),
        (lambda api, cast: resolution(api, cast, "adopted"), "adopted"),
        (lambda api, cast: proposal(api, cast.resident, "withdrawn"), "withdrawn"),
        (lambda api, cast: proposal(api, cast.resident, "accepted"), "accepted"),
        (lambda api, cast: proposal(api, cast.resident, "declined"), "declined"),
    ],
    ids=[
        "adjourned-meeting",
        "cancelled-meeting",
        "withdrawn-resolution",
        "adopted-resolution",
        "withdrawn-proposal",
        "accepted-proposal",
        "declined-proposal",
    ],
)
async def test_closed_targets_are_409(
    api: Api, cast: Cast, make: Callable[..., Any], state: str
) -> None:
    target = await make(api, cast)
    before = await stored(api)
    for person in (cast.resident, None):
        problem = assert_problem(await post(api, person, target), 409)
        assert "closed for comment" in problem["detail"]
        assert state in problem["detail"]
    assert await stored(api) == before
    assert await public_bodies(api, target) == []
    assert await api.audit_events(action="comment.created") == []


async def test_unknown_targets_are_404(api: Api, cast: Cast) -> None:
    item = await agenda_item(api, cast)
    proposed = await resolution(api, cast)
    nowhere = str(uuid.uuid4())
    cases = [
        (("agenda_item", nowhere), "No such agenda item."),
        (("resolution", nowhere), "No such resolution."),
        (("proposal", nowhere), "No such proposal."),
        # A budget line that does not exist.
        (("budget_line", nowhere), "No such budget line."),
        # The right id under the wrong type.
        (("resolution", item[1]), "No such resolution."),
        (("agenda_item", proposed[1]), "No such agenda item."),
    ]
    for target, detail in cases:
        for person in (cast.resident, None):
            assert assert_problem(await post(api, person, target), 404)["detail"] == detail
    assert await stored(api) == 0
    assert await api.audit_events(action="comment.created") == []


@pytest.mark.parametrize(
    "body",
    [
        {"body": ""},
        {"body": "   \n\t "},
        {"body": "x" * 5001},
        {"body": None},
        {"body": "ok\x00"},
        {"show_name": "perhaps"},
        {"target": {"type": "concern", "id": "T"}},
        {"target": {"type": "agenda_item", "id": "not-a-uuid"}},
        {"target": None},
        {"status": "published"},
        {"author": "The Mayor"},
    ],
)
async def test_bad_comments_are_422_and_store_nothing(
    api: Api, cast: Cast, body: dict[str, Any]
) -> None:
    target = await agenda_item(api, cast)
    sent = comment_body(target) | body
    if sent["target"] and sent["target"].get("id") == "T":
        sent["target"]["id"] = target[1]
    for person in (cast.resident, None):
        headers = person.headers if person else {}
        assert_problem(await api.client.post(COMMENTS, json=sent, headers=headers), 422)
    assert await stored(api) == 0
    assert await public_bodies(api, target) == []


async def test_the_longest_body_is_taken(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    made = await posted(api, cast.resident, target, "é" * 5000)
    assert len(made["body"]) == 5000


# Pages -----------------------------------------------------------------------------------------


async def test_lists_are_keyset_pages(api: Api, cast: Cast) -> None:
    target = await agenda_item(api, cast)
    other = await agenda_item(api, cast)
    bodies = [f"Comment {i}" for i in range(5)]
    for body in bodies:
        await posted(api, cast.resident, target, body)
        await posted(api, None, target, f"Anonymous {body}")
    await posted(api, cast.resident, other, "Elsewhere")

    first = await public_page(api, target, limit=2)
    assert [c["body"] for c in first["items"]] == bodies[:2]
    assert first["next_cursor"]
    assert [
        c["body"]
        for c in await all_pages(
            api, PUBLIC, None, limit=2, target_type=target[0], target_id=target[1]
        )
    ] == bodies
    queue = await all_pages(api, COMMENTS, cast.commissioner, limit=3)
    assert [c["body"] for c in queue] == [f"Anonymous {b}" for b in bodies]
    mine = await all_pages(api, MINE, cast.resident, limit=2)
    assert [c["body"] for c in mine] == ["Elsewhere", *reversed(bodies)]

    assert_problem(
        await api.client.get(
            PUBLIC, params={"target_type": target[0], "target_id": target[1], "cursor": "bogus"}
        ),
        422,
    )
    assert_problem(await api.client.get(PUBLIC, params={"target_type": "agenda_item"}), 422)
    assert_problem(
        await api.client.get(PUBLIC, params={"target_type": "concern", "target_id": target[1]}),
        422,
    )
    # A target nobody commented on, or none at all: an empty page, not a hint either way.
    empty = await public_page(api, ("budget_line", str(uuid.uuid4())))
    assert empty == {"items": [], "next_cursor": None, "hidden_count": 0}


# Rate limit ------------------------------------------------------------------------------------


@pytest.fixture
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The test's database behind an app with the rate limits on (``api`` has them off)."""
    app = create_app(
        make_settings(
            settings.database_url, rate_limits_enabled=True, rate_limit_comment_ip="2/hour"
        )
    )
    yield app
    await app.state.database.dispose()


def client_of(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_anonymous_comments_are_rate_limited_per_ip(
    api: Api, cast: Cast, limited_app: FastAPI
) -> None:
    target = await agenda_item(api, cast)
    async with (
        client_of(limited_app, "203.0.113.40") as flood,
        client_of(limited_app, "203.0.113.41") as neighbour,
    ):
        for _ in range(2):  # rate_limit_comment_ip: 2/hour
            assert (await flood.post(COMMENTS, json=comment_body(target))).status_code == 201
        refused = await flood.post(COMMENTS, json=comment_body(target, "One too many."))
        assert_problem(refused, 429)
        assert 60 < int(refused.headers["retry-after"]) <= 3600
        assert await stored(api) == 2
        # Another address is not the flood; a signed-in resident at the flood's is not limited.
        assert (await neighbour.post(COMMENTS, json=comment_body(target))).status_code == 201
        for _ in range(3):
            signed_in = await flood.post(
                COMMENTS, json=comment_body(target), headers=cast.resident.headers
            )
            assert signed_in.status_code == 201
    assert await stored(api) == 6
    queue = await all_pages(api, COMMENTS, cast.commissioner)
    assert "One too many." not in [c["body"] for c in queue]


# Privacy ---------------------------------------------------------------------------------------


async def test_only_the_published_body_and_the_chosen_name_are_public(api: Api, cast: Cast) -> None:
    mark = uuid.uuid4().hex[:10]
    quiet_name, quiet_email = f"QuietName{mark}", f"quiet{mark}@example.org"
    loud_name, loud_email = f"LoudName{mark}", f"loud{mark}@example.org"
    quiet = await resident_named(api, quiet_name, quiet_email)
    loud = await resident_named(api, loud_name, loud_email)
    item = await agenda_item(api, cast)
    proposed = await resolution(api, cast)

    secrets = [quiet_name, quiet_email, loud_email, str(quiet.id), str(loud.id)]
    public = [f"PublishedBody{mark}", f"LoudBody{mark}", loud_name]
    comments = []
    for target in (item, proposed):
        comments.append(await posted(api, quiet, target, f"PublishedBody{mark}"))
        comments.append(await posted(api, loud, target, f"LoudBody{mark}", show_name=True))
        hidden = await posted(api, quiet, target, f"HiddenBody{mark}", show_name=True)
        hidden_too = await posted(api, loud, target, f"HiddenLoudBody{mark}", show_name=True)
        pending = await posted(api, None, target, f"PendingBody{mark}")
        for made in (hidden, hidden_too):
            hid = await moderate(api, cast.commissioner, made, "hide", reason=f"Reason{mark}")
            assert hid.status_code == 200
        comments += [hidden, hidden_too, pending]
        secrets += [f"HiddenBody{mark}", f"HiddenLoudBody{mark}", f"PendingBody{mark}"]

    # The quiet resident's name shows nowhere, even on the comment they hid with show_name:
    # a hidden comment's author is not public either.
    texts = []
    for target in (item, proposed):
        listed = await api.client.get(
            PUBLIC, params={"target_type": target[0], "target_id": target[1]}
        )
        assert listed.json()["hidden_count"] == 2
        texts.append(listed.text)
    for made in comments:
        texts.append((await api.client.get(f"{PUBLIC}/{made['id']}")).text)
    meetings = await api.client.get("/api/v1/public/meetings")
    texts.append(meetings.text)
    for meeting in meetings.json()["items"]:
        texts.append((await api.client.get(f"/api/v1/public/meetings/{meeting['id']}")).text)
    for path in ("/api/v1/public/resolutions", f"/api/v1/public/resolutions/{proposed[1]}"):
        texts.append((await api.client.get(path)).text)
    everything = "\n".join(texts)
    for secret in secrets:
        assert secret not in everything, secret
    for shown in public:
        assert shown in everything, shown
    assert f"Reason{mark}" in everything

    # Signed-in representations carry no e-mail or account id either.
    own = await api.client.get(MINE, headers=quiet.headers)
    queue = await api.client.get(
        COMMENTS, params={"status": "hidden"}, headers=cast.commissioner.headers
    )
    for response in (own, queue):
        for secret in (quiet_email, loud_email, str(quiet.id), str(loud.id)):
            assert secret not in response.text
    # Nor the audit log: no body, no name.
    events = await api.audit_events(action="comment.created")
    assert len(events) == len(comments)
    logged = str(events)
    for word in (mark,):
        assert word not in logged


# For the audit test ----------------------------------------------------------------------------


async def drive_comments(api: Api, cast: Cast) -> None:
    """One of each comment action through HTTP: a resident's comment, an anonymous one, its
    publication, and a hiding (tests/audit/test_audit_event_data.py reads the events back)."""
    target = await agenda_item(api, cast)
    await posted(api, cast.resident, target, "A resident's comment.", show_name=True)
    anonymous = await posted(api, None, target, "An anonymous comment.")
    published = await moderate(api, cast.commissioner, anonymous, "publish")
    assert published.status_code == 200, published.text
    hidden = await moderate(api, cast.commissioner, anonymous, "hide", reason="Off topic")
    assert hidden.status_code == 200, hidden.text


async def test_drive_comments(api: Api, cast: Cast) -> None:
    await drive_comments(api, cast)
    events = await api.audit_events(entity_type="comment")
    assert sorted(e["action"] for e in events) == [
        "comment.created",
        "comment.created",
        "comment.moderated",
        "comment.moderated",
    ]
