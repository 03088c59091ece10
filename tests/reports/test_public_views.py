"""What the public views carry and how they are cached: no concern's id (it is the concern's
public Open311 `service_request_id`) and no account id in any public view; on every public
GET, an ETag that is the cache's validator and answers `If-None-Match` with 304; one media type
per operation, old `?format=` links redirected."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from oversight.core.roles import Role
from oversight.core.schemas import Page
from oversight.resolutions.schemas import PublicResolution
from tests.budget.test_budget import put_year
from tests.cases import Cast, reach
from tests.helpers import Api
from tests.resolutions.test_resolutions import commission, draft, in_session, vote
from tests.voice.test_proposals import propose

PUBLIC = "/api/v1/public"
#: Keys that name a concern or an account; no public view has one.
INTERNAL = {"concern_id", "concern_ids", "commissioner_id", "author_id", "user_id", "actor_id"}


def keys(value: Any) -> set[str]:
    """Every key of a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


async def adopted(api: Api, cast: Cast) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A resolution about a concern, adopted at a meeting: (concern, resolution, meeting)."""
    concern = await reach(api, cast, "under_review")
    members = await commission(api, cast, size=1)
    resolution = await draft(api, cast, concern_ids=[concern["id"]])
    assert resolution["concern_ids"] == [concern["id"]]  # the staff view names it
    meeting = await in_session(api, cast, members, members, resolution)
    assert (await vote(api, members[0], resolution, "yes")).status_code == 200
    decided = await api.client.post(
        f"/api/v1/resolutions/{resolution['id']}/decision", headers=cast.commissioner.headers
    )
    assert decided.json()["status"] == "adopted", decided.text
    return concern, decided.json(), meeting


async def test_public_resolutions_name_no_concern_and_no_account(api: Api, cast: Cast) -> None:
    concern, resolution, meeting = await adopted(api, cast)
    single = await api.client.get(f"{PUBLIC}/resolutions/{resolution['id']}")
    listed = await api.client.get(f"{PUBLIC}/resolutions")
    assert single.status_code == listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item == single.json()
    # Exactly the public schema's fields, and valid against it.
    assert set(single.json()) == set(PublicResolution.model_fields)
    TypeAdapter(PublicResolution).validate_json(single.content)
    TypeAdapter(Page[PublicResolution]).validate_json(listed.content)
    assert single.json()["concerns_count"] == 1
    assert single.json()["votes"] == [{"name": "Test commissioner", "vote": "yes", "reason": None}]
    for answer in (single, listed):
        assert not keys(answer.json()) & INTERNAL, answer.text
        assert concern["id"] not in answer.text
        assert str(cast.commissioner.id) not in answer.text

    # The meeting that decided it: attendance and votes by name only.
    shown = await api.client.get(f"{PUBLIC}/meetings/{meeting['id']}")
    assert shown.status_code == 200
    assert not keys(shown.json()) & INTERNAL, shown.text
    assert str(cast.commissioner.id) not in shown.text
    assert shown.json()["attendance"] == [{"name": "Test commissioner", "present": True}]
    meetings = await api.client.get(f"{PUBLIC}/meetings")
    assert not keys(meetings.json()) & INTERNAL

    # A note added by tracking code is read back without an account id.
    note = await api.client.post(
        f"{PUBLIC}/concerns/{concern['tracking_code']}/notes", json={"body": "One more thing."}
    )
    assert note.status_code == 201, note.text
    assert not keys(note.json()) & INTERNAL, note.text


async def test_every_public_get_answers_304_to_its_own_etag(api: Api, cast: Cast) -> None:
    _, resolution, meeting = await adopted(api, cast)
    proposal = await propose(api, cast.resident)
    admin = await api.person(Role.ADMIN)
    assert (await put_year(api, admin, 2026)).status_code == 200
    for path in (
        f"/resolutions/{resolution['id']}",
        "/resolutions",
        f"/proposals/{proposal['id']}",
        "/proposals",
        f"/meetings/{meeting['id']}",
        "/meetings.ics",
        "/budget/2026",
        "/budget/2026.csv",
        "/reports/summary",
        "/reports/summary.csv",
        "/reports/summary.html",
        "/data/concerns.csv",
    ):
        first = await api.client.get(f"{PUBLIC}{path}")
        assert first.status_code == 200, (path, first.text)
        tag = first.headers["etag"]
        # A validator, not a version: never what a versioned body says.
        if first.headers["content-type"].startswith("application/json"):
            version = first.json().get("version")
            assert tag != f'"{version}"', path
        again = await api.client.get(f"{PUBLIC}{path}", headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.headers["etag"] == tag
        assert again.content == b""


async def test_the_budget_csv_is_its_own_url_and_the_old_link_redirects(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    assert (await put_year(api, admin, 2026)).status_code == 200
    csv = await api.client.get(f"{PUBLIC}/budget/2026.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == (
        'attachment; filename="oversight-police-budget-2026.csv"'
    )
    old = await api.client.get(f"{PUBLIC}/budget/2026", params={"format": "csv"})
    assert old.status_code == 303
    assert old.headers["location"] == f"{PUBLIC}/budget/2026.csv"
    followed = await api.client.get(
        f"{PUBLIC}/budget/2026", params={"format": "csv"}, follow_redirects=True
    )
    assert followed.text == csv.text
    assert (await api.client.get(f"{PUBLIC}/budget/2027.csv")).status_code == 404
    as_json = await api.client.get(f"{PUBLIC}/budget/2026")
    assert as_json.headers["content-type"].startswith("application/json")
