"""What notifications does when a change is recorded, in the transaction that records it:
each event's webhook deliveries (the outbox), and the e-mails a concern's move causes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.models import Concern
from oversight.core import audit
from oversight.core.clock import utcnow
from oversight.core.events import AuditAction
from oversight.notifications import mail, outbox

audit.before_append(outbox.stage)


@audit.on(AuditAction.CONCERN_TRANSITION)
async def concern_moved(session: AsyncSession, event: audit.Event) -> None:
    """The e-mails a concern's move causes (the worker sends them)."""
    concern = await session.get(Concern, event.entity_id)
    if concern is not None:
        await mail.after_move(session, concern, event.data.get("public_note"), utcnow())
