"""Which attachments a caller reads, as one query filter (the contract's "who reads"):
commissioners (and admins) every one; anyone else only kept ones, and of an image never the
original they did not upload (its stripped copy instead):

- the uploader their own (the original);
- an officer account, on a concern referred to their department, what their department
  uploaded and what a commissioner shared with it (``department``);
- everyone, anonymous callers too, ``public`` documents on meetings, agenda items and
  resolutions the public may see.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.concerns.models import Concern
from oversight.core.resources import load_row
from oversight.core.roles import Actor, Role
from oversight.evidence.enums import AttachmentStatus, TargetType, Visibility
from oversight.evidence.models import Attachment
from oversight.evidence.policy import SEES_EVERY_ATTACHMENT
from oversight.resolutions.visibility import visible_resolution_ids

NOT_FOUND = "No such attachment."


def attachments_visible_to(actor: Actor | None) -> ColumnElement[bool]:
    if actor is not None and actor.role in SEES_EVERY_ATTACHMENT:
        return true()
    public_targets = or_(
        Attachment.target_type.in_([TargetType.MEETING, TargetType.AGENDA_ITEM]),
        and_(
            Attachment.target_type == TargetType.RESOLUTION,
            Attachment.target_id.in_(visible_resolution_ids(None)),
        ),
    )
    shown = [and_(Attachment.visibility == Visibility.PUBLIC, public_targets)]
    if actor is not None and actor.role is Role.OFFICER and actor.department_id is not None:
        theirs = select(Concern.id).where(Concern.department_id == actor.department_id)
        shown.append(
            and_(
                Attachment.target_type == TargetType.CONCERN,
                Attachment.target_id.in_(theirs),
                or_(
                    Attachment.uploader_department_id == actor.department_id,
                    Attachment.visibility == Visibility.DEPARTMENT,
                ),
            )
        )
    copies = and_(Attachment.needs_copy.is_(False), or_(*shown))
    if actor is not None:
        # The uploader reads their original, not its copy as well.
        not_theirs = or_(Attachment.uploaded_by.is_(None), Attachment.uploaded_by != actor.user_id)
        own = and_(Attachment.uploaded_by == actor.user_id, Attachment.derived_from.is_(None))
        copies = or_(own, and_(copies, not_theirs))
    return and_(Attachment.status == AttachmentStatus.KEPT, copies)


async def load(
    session: AsyncSession,
    actor: Actor | None,
    attachment_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Attachment:
    """An attachment the caller may read, else 404."""
    return await load_row(
        session,
        Attachment,
        attachment_id,
        missing=NOT_FOUND,
        visible=attachments_visible_to(actor),
        for_update=for_update,
    )
