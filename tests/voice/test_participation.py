"""Community voice elsewhere (issue #13): the summary's participation figures on every surface
(JSON, CSV, HTML, the CLI), exact and equal to plain counts; comment counts on public
resolutions; and the calendar's link to the comment period."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
from sqlalchemy import func, select

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from oversight.core.periods import Month, Period
from oversight.core.roles import Role
from oversight.meetings.public import comments_url
from oversight.voice.enums import CommentStatus, CommentTarget, ProposalStatus
from oversight.voice.models import Comment, Proposal, ProposalSupport, Speaker
from tests.cases import Cast, new_meeting
from tests.helpers import Api, Person, run_cli
from tests.meetings.test_meetings import move_meeting
from tests.reports.test_report_html import Page
from tests.resolutions.test_resolutions import RESOLUTIONS, commission, draft, in_session, vote
from tests.voice.test_speakers import add_comments, add_item, sign_up

SUMMARY = "/api/v1/public/reports/summary"


def default_period() -> Period:
    """The twelve months up to this one: the default period leaves the month in progress out,
    and these tests make their records now."""
    return Period.resolve(None, str(Month.of(utcnow().date())), utcnow().date())


def up_to_now() -> dict[str, str]:
    return {"to": str(default_period().last)}


async def comment_at(
    api: Api, author: Person, status: CommentStatus, at: datetime, target_type: str
) -> None:
    async with api.database.unit_of_work() as session:
        session.add(
            Comment(
                target_type=target_type,
                target_id=uuid.uuid4(),
                author_id=author.id,
                show_name=False,
                body="Words",
                status=status,
                version=1,
                created_at=at,
                updated_at=at,
            )
        )


async def proposal_at(
    api: Api, author: Person, status: ProposalStatus, at: datetime, supporters: list[Person]
) -> None:
    """A proposal made at ``at``, and one support from each supporter, given at ``at`` too."""
    async with api.database.unit_of_work() as session:
        proposal = Proposal(
            title="Publish stop data monthly",
            body="Every month, the department should publish its stop data.",
            status=status,
            author_id=author.id,
            show_name=False,
            supports=len(supporters),
            support_threshold=25,
            version=1,
            created_at=at,
            updated_at=at,
        )
        session.add(proposal)
        await session.flush()
        session.add_all(
            ProposalSupport(proposal_id=proposal.id, user_id=p.id, created_at=at)
            for p in supporters
        )


async def seed(api: Api, cast: Cast) -> dict[str, Any]:
    """Participation inside the default period and outside it (before it, and at its upper
    bound, which belongs to the next period). Small numbers: public record is never hidden."""
    period = default_period()
    inside, first_instant = utcnow() - timedelta(minutes=5), period.lower
    before, after = period.lower - timedelta(microseconds=1), period.upper
    residents = [cast.resident, *[await api.person(Role.RESIDENT) for _ in range(3)]]

    # Comments: 3 published inside (one at the period's first instant), others not counted.
    for status, at in [
        (CommentStatus.PUBLISHED, inside),
        (CommentStatus.PUBLISHED, inside),
        (CommentStatus.PUBLISHED, first_instant),
        (CommentStatus.PENDING, inside),
        (CommentStatus.HIDDEN, inside),
        (CommentStatus.PUBLISHED, before),
        (CommentStatus.PUBLISHED, after),
    ]:
        await comment_at(api, cast.resident, status, at, CommentTarget.AGENDA_ITEM)
    await comment_at(api, cast.resident, CommentStatus.PUBLISHED, inside, CommentTarget.PROPOSAL)

    # Speakers: 2 signed up now through HTTP, one long before the period.
    meeting = await new_meeting(api, cast)
    for resident in residents[:2]:
        assert (await sign_up(api, resident, meeting)).status_code == 201
    async with api.database.unit_of_work() as session:
        session.add(
            Speaker(
                meeting_id=uuid.UUID(meeting["id"]),
                user_id=residents[3].id,
                position=99,
                topic="Old",
                created_at=before,
            )
        )

    # Proposals: 1 open with 3 supports, 1 qualified with 1, 1 declined with none, inside;
    # one before the period with 2 supports (neither counted).
    await proposal_at(api, cast.resident, ProposalStatus.OPEN, inside, residents[1:4])
    await proposal_at(api, residents[1], ProposalStatus.QUALIFIED, inside, residents[:1])
    await proposal_at(api, residents[2], ProposalStatus.DECLINED, first_instant, [])
    await proposal_at(api, residents[3], ProposalStatus.OPEN, before, residents[:2])
    return {
        "comments_published": 4,  # the three agenda-item comments and the proposal's
        "speakers": 2,
        "proposals": {
            "total": 3,
            "by_status": {"open": 1, "qualified": 1, "accepted": 0, "declined": 1, "withdrawn": 0},
        },
        "supports": 4,
    }


async def plain_counts(api: Api, period: Period) -> dict[str, Any]:
    """The same figures, counted the plainest way."""

    def within(column: Any) -> list[Any]:
        return [column >= period.lower, column < period.upper]

    async with api.database.unit_of_work() as session:

        async def count(model: Any, *where: Any) -> int:
            found = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(found or 0)

        statuses = dict(
            (
                await session.execute(
                    select(Proposal.status, func.count())
                    .where(*within(Proposal.created_at))
                    .group_by(Proposal.status)
                )
            ).all()
        )
        by_status = {s.value: statuses.get(s.value, 0) for s in ProposalStatus}
        return {
            "comments_published": await count(
                Comment, Comment.status == "published", *within(Comment.created_at)
            ),
            "speakers": await count(Speaker, *within(Speaker.created_at)),
            "proposals": {"total": sum(by_status.values()), "by_status": by_status},
            "supports": await count(ProposalSupport, *within(ProposalSupport.created_at)),
        }


async def test_the_summary_publishes_participation_exactly(
    api: Api, cast: Cast, settings: Settings, tmp_path: Path
) -> None:
    expected = await seed(api, cast)
    assert await plain_counts(api, default_period()) == expected
    report = (await api.client.get(SUMMARY, params=up_to_now())).json()
    assert report["participation"] == expected  # 1s and 2s too: public record, not hidden

    # The CLI computes the same figures from the database.
    out = tmp_path / "report.json"
    to = up_to_now()["to"]
    result = run_cli(settings, "report", "--format", "json", "--to", to, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["participation"] == expected

    # A period of its own: only what happened in it.
    earlier = default_period().first.plus(-1)
    old = (await api.client.get(SUMMARY, params={"from": str(earlier), "to": str(earlier)})).json()
    assert old["participation"] == await plain_counts(
        api, Period.resolve(str(earlier), str(earlier), utcnow().date())
    )
    assert old["participation"]["proposals"]["by_status"]["open"] == 1
    assert old["participation"]["supports"] == 2
    assert old["participation"]["speakers"] == 1
    assert old["participation"]["comments_published"] == 1


async def test_participation_in_csv_and_html(api: Api, cast: Cast) -> None:
    expected = await seed(api, cast)
    response = await api.client.get(
        SUMMARY, params={"format": "csv", **up_to_now()}, follow_redirects=True
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    participation = [row for row in rows if row[0].startswith("participation")]
    assert participation == [
        ["participation", "comments_published", "4"],
        ["participation", "speakers", "2"],
        ["participation", "proposals.total", "3"],
        *[
            ["participation.proposals.by_status", status, str(n)]
            for status, n in expected["proposals"]["by_status"].items()
        ],
        ["participation", "supports", "4"],
    ]

    html = await api.client.get(
        SUMMARY, params={"format": "html", **up_to_now()}, follow_redirects=True
    )
    assert html.status_code == 200
    page = Page(html.text)
    assert "Community participation" in page.headings
    assert "Proposals by status" in page.headings
    images = [attrs for _, attrs in page.tags if attrs.get("role") == "img"]
    assert any("comments, sign-ups to speak" in (a["aria-label"] or "") for a in images)
    assert page.body("Community participation: the figures") == [
        ["Comments published", "4"],
        ["Sign-ups to speak at meetings", "2"],
        ["Proposals made", "3"],
        ["Supports given to proposals", "4"],
    ]
    shown = {row[0]: row[1] for row in page.body("Proposals by status: the figures")}
    assert shown == {
        status.capitalize(): str(n) for status, n in expected["proposals"]["by_status"].items()
    }
    assert "Words" not in html.text and "Publish stop data" not in html.text


async def test_an_empty_period_lists_every_proposal_status(api: Api) -> None:
    report = (await api.client.get(SUMMARY)).json()
    assert report["participation"] == {
        "comments_published": 0,
        "speakers": 0,
        "proposals": {"total": 0, "by_status": {s.value: 0 for s in ProposalStatus}},
        "supports": 0,
    }


async def test_public_resolutions_count_their_published_comments(api: Api, cast: Cast) -> None:
    members = await commission(api, cast, 3)
    counted, silent = await draft(api, cast), await draft(api, cast, title="Second")
    await in_session(api, cast, members, members, counted, silent)
    for resolution in (counted, silent):
        for member in members:
            assert (await vote(api, member, resolution, "yes")).status_code == 200
        decided = await api.client.post(
            f"{RESOLUTIONS}/{resolution['id']}/decision", headers=cast.commissioner.headers
        )
        assert decided.json()["status"] == "adopted", decided.text
    await add_comments(
        api,
        cast.resident,
        CommentTarget.RESOLUTION,
        counted["id"],
        published=2,
        pending=1,
        hidden=1,
    )
    # The same id under another target type is not the resolution's.
    await add_comments(api, cast.resident, CommentTarget.PROPOSAL, counted["id"], published=5)

    one = (await api.client.get(f"/api/v1/public/resolutions/{counted['id']}")).json()
    assert one["comments_count"] == 2
    listed = (await api.client.get("/api/v1/public/resolutions", params={"limit": 1})).json()
    more = (
        await api.client.get("/api/v1/public/resolutions", params={"cursor": listed["next_cursor"]})
    ).json()
    counts = {r["id"]: r["comments_count"] for r in listed["items"] + more["items"]}
    assert counts == {counted["id"]: 2, silent["id"]: 0}
    staff = await api.client.get(
        f"{RESOLUTIONS}/{counted['id']}", headers=cast.commissioner.headers
    )
    assert staff.json()["comments_count"] == 2


async def test_the_calendar_links_the_comment_period(api: Api, cast: Cast) -> None:
    scheduled = await new_meeting(api, cast, title="Open meeting", description="Budget and policy")
    items = [await add_item(api, cast, scheduled, t) for t in ("Budget", "Use of force policy")]
    sitting = await new_meeting(api, cast, title="Sitting now")
    sitting_item = await add_item(api, cast, sitting, "Public comment")
    assert (await move_meeting(api, cast.commissioner, sitting, "in_session")).status_code == 200
    empty = await new_meeting(api, cast, title="No agenda yet")
    over = await new_meeting(api, cast, title="Done")
    await move_meeting(api, cast.commissioner, over, "in_session")
    await move_meeting(api, cast.commissioner, over, "adjourned")
    off = await new_meeting(api, cast, title="Called off")
    await move_meeting(api, cast.commissioner, off, "cancelled", reason="Storm")

    # The links name the service's PUBLIC_URL whatever Host the request carried: a cache
    # shares one feed between every Host.
    response = await api.client.get("/api/v1/public/meetings.ics", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]).removesuffix("@oversight"): e for e in calendar.walk("VEVENT")}
    base = "http://127.0.0.1:8000/"  # PUBLIC_URL's default

    def description(meeting: dict[str, Any]) -> str:
        return str(events[meeting["id"]].get("DESCRIPTION", ""))

    for meeting, its_items in ((scheduled, items), (sitting, [sitting_item]), (empty, [])):
        text = description(meeting)
        assert "comment on this meeting's agenda items until it adjourns" in text
        assert f"{base}api/v1/public/meetings/{meeting['id']}" in text
        for item in its_items:
            assert comments_url(base, uuid.UUID(item["id"])) in text
        if not its_items:
            assert f"{base}api/v1/public/comments" in text
    assert description(scheduled).startswith("Budget and policy\n\n")
    # The links work: the meeting's public view lists the items the feed names.
    public = (await api.client.get(f"/api/v1/public/meetings/{scheduled['id']}")).json()
    assert [i["id"] for i in public["agenda"]] == [i["id"] for i in items]
    assert f"target_id={items[0]['id']}" in comments_url(base, uuid.UUID(items[0]["id"]))
    # Closed for comment: adjourned and cancelled meetings say nothing of it.
    for meeting in (over, off):
        assert "until it adjourns" not in description(meeting)
