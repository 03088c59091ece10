"""Which e-mails a concern's move causes, written to the outbox in the move's transaction
(``oversight worker`` sends them). The submitter hears of a status change that carries a public
note and of the department's response; a department's officers hear of a referral, by its
category and due date only (never who complained or what they wrote)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category, User
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.models import Concern
from oversight.core.roles import Role
from oversight.notifications.enums import Locale, MessageKind, MessageStatus
from oversight.notifications.models import Message, Unsubscribe


async def _submitter(session: AsyncSession, concern: Concern) -> tuple[str, str] | None:
    if concern.submitted_by is not None:
        found = (
            await session.execute(
                select(User.email, User.locale).where(User.id == concern.submitted_by)
            )
        ).first()
        return (found.email, found.locale) if found else None
    if concern.contact_email:
        return concern.contact_email, concern.contact_locale or Locale.EN
    return None


async def _queue(
    session: AsyncSession,
    recipients: list[tuple[str, str]],
    kind: MessageKind,
    context: dict[str, Any],
    now: datetime,
) -> None:
    if not recipients:
        return
    unsubscribed = set(
        await session.scalars(
            select(Unsubscribe.email).where(Unsubscribe.email.in_([r for r, _ in recipients]))
        )
    )
    for recipient, locale in recipients:
        if recipient in unsubscribed:
            continue
        session.add(
            Message(
                recipient=recipient,
                locale=locale if locale in set(Locale) else Locale.EN,
                kind=kind,
                context=context,
                status=MessageStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )


async def after_move(
    session: AsyncSession, concern: Concern, public_note: str | None, now: datetime
) -> None:
    """The messages ``concern``'s move to its current status causes."""
    status = concern.status
    if status == ConcernStatus.REFERRED and concern.department_id is not None:
        officers = await session.execute(
            select(User.email, User.locale).where(
                User.role == Role.OFFICER,
                User.department_id == concern.department_id,
                User.is_active.is_(True),
            )
        )
        label = await session.scalar(
            select(Category.label).where(Category.code == concern.category)
        )
        due = concern.response_due_at.date().isoformat() if concern.response_due_at else ""
        await _queue(
            session,
            [(row.email, row.locale) for row in officers],
            MessageKind.REFERRAL,
            {"category": label or concern.category, "due": due},
            now,
        )
    submitter = (
        await _submitter(session, concern)
        if (public_note or status == ConcernStatus.RESPONDED)
        else None
    )
    if submitter is None:
        return
    facts = {"code": concern.tracking_code, "status": status}
    if status == ConcernStatus.RESPONDED:
        await _queue(session, [submitter], MessageKind.RESPONSE, facts, now)
    if public_note:
        await _queue(session, [submitter], MessageKind.STATUS, facts | {"note": public_note}, now)


async def unsubscribe(session: AsyncSession, email: str) -> None:
    """No more messages to ``email``: queued ones are skipped when their turn comes."""
    if await session.get(Unsubscribe, email) is None:
        session.add(Unsubscribe(email=email))
        await session.flush()


async def resubscribe(session: AsyncSession, email: str) -> None:
    """Messages to ``email`` again (its owner asked, signed in)."""
    found = await session.get(Unsubscribe, email)
    if found is not None:
        await session.delete(found)
        await session.flush()


async def subscribed(session: AsyncSession, email: str) -> bool:
    return await session.get(Unsubscribe, email) is None
