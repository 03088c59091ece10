"""The comment and proposal machines."""

from __future__ import annotations

from oversight.core.machine import Move, move
from oversight.core.roles import Role
from oversight.voice.enums import CommentStatus, ProposalStatus

COMMISSIONER, OFFICER, RESIDENT = Role.COMMISSIONER, Role.OFFICER, Role.RESIDENT

MODERATION = "POST /comments/{id}/moderation"
SUPPORTS = "PUT /proposals/{id}/support"

# A comment's moderation: pending ones are published or hidden; a published one may be hidden;
# hidden is final (the body is never served publicly again).
COMMENT_MOVES: tuple[Move, ...] = (
    move({CommentStatus.PENDING}, CommentStatus.PUBLISHED, {COMMISSIONER}, via=MODERATION),
    move(
        {CommentStatus.PENDING, CommentStatus.PUBLISHED},
        CommentStatus.HIDDEN,
        {COMMISSIONER},
        {"reason"},
        via=MODERATION,
    ),
)

# A proposal qualifies when its supports reach the threshold (the service itself makes that
# move, as the `system` actor); commissioners answer it; its author may withdraw it while open.
PROPOSAL_MOVES: tuple[Move, ...] = (
    move({ProposalStatus.OPEN}, ProposalStatus.QUALIFIED, {RESIDENT}, via=SUPPORTS),
    move(
        {ProposalStatus.OPEN, ProposalStatus.QUALIFIED},
        ProposalStatus.ACCEPTED,
        {COMMISSIONER},
        {"reason"},
        takes={"resolution_id"},
    ),
    move(
        {ProposalStatus.OPEN, ProposalStatus.QUALIFIED},
        ProposalStatus.DECLINED,
        {COMMISSIONER},
        {"reason"},
    ),
    move({ProposalStatus.OPEN}, ProposalStatus.WITHDRAWN, {RESIDENT}),
)
