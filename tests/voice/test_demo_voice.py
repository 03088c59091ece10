"""The demo city has residents' voice: comments, sign-ups to speak, proposals and supports,
made through the services, so that a newcomer sees the participation section and the
community features with something in them."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import func, select

from oversight.core.config import Settings
from oversight.core.events import AuditAction
from oversight.core.models import AuditEvent
from oversight.demo import voice
from oversight.demo.city import City, plan
from oversight.voice.models import Comment
from tests.helpers import Api, run_cli

SUMMARY = "/api/v1/public/reports/summary"


async def test_the_demo_city_comments_speaks_proposes_and_supports(
    api: Api, settings: Settings
) -> None:
    result = run_cli(settings, "seed-demo", "--concerns", "40")
    assert result.returncode == 0, result.stderr

    # The public summary's participation section (the default period: complete months).
    participation = (await api.client.get(SUMMARY)).json()["participation"]
    assert participation["comments_published"] >= 10, participation
    assert participation["speakers"] >= 10, participation
    assert participation["proposals"]["total"] >= 3, participation
    assert participation["supports"] >= 10, participation

    # The community features a newcomer opens.
    listed = (await api.client.get("/api/v1/public/proposals")).json()["items"]
    assert len(listed) >= 3
    assert any(p["supports"] > 0 for p in listed)
    assert {p["status"] for p in listed} & {"accepted", "declined"}  # the commission answers

    async with api.database.unit_of_work() as session:
        by_status = select(Comment.status, func.count()).group_by(Comment.status)
        statuses = {str(k): int(n) for k, n in (await session.execute(by_status)).all()}
        # Through the services: each audited like any resident's.
        audited = {
            str(k): int(n)
            for k, n in (
                await session.execute(
                    select(AuditEvent.action, func.count())
                    .where(
                        AuditEvent.action.in_(
                            [
                                AuditAction.COMMENT_CREATED,
                                AuditAction.SPEAKER_SIGNED_UP,
                                AuditAction.PROPOSAL_CREATED,
                                AuditAction.PROPOSAL_SUPPORTED,
                            ]
                        )
                    )
                    .group_by(AuditEvent.action)
                )
            ).all()
        }
    assert statuses.get("published", 0) >= 10
    assert sum(statuses.values()) == audited[AuditAction.COMMENT_CREATED]
    assert len(audited) == 4, audited


def test_the_residents_steps_are_the_same_for_the_same_seed() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)

    def steps() -> list[tuple[datetime, str, int]]:
        city = City({}, [], {}, [])
        plan(random.Random(2026), 40, now, city)  # the meetings the residents' steps follow
        return [(s.at, s.action, s.index) for s in voice.plan(random.Random(2027), now, city)]

    first = steps()
    assert first == steps()
    assert {action for _, action, _ in first} >= {"sign_up", "comment", "propose", "support"}
    assert all(at < now for at, _, _ in first)
