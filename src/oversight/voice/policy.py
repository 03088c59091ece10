"""Who comments, moderates, signs up to speak, proposes and supports."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role
from oversight.voice.enums import CommentStatus

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class VoiceAction(StrEnum):
    COMMENT = "comment"
    MODERATE = "moderate"
    READ_OWN_COMMENTS = "read_own_comments"
    SIGN_UP_TO_SPEAK = "sign_up_to_speak"
    READ_SPEAKERS = "read_speakers"
    PROPOSE = "propose"
    SUPPORT = "support"


VOICE: dict[VoiceAction, Grant] = {
    VoiceAction.COMMENT: grant(
        {RESIDENT},
        "Comments are residents' voice; staff speak through the commission.",
        anonymous=True,
    ),
    VoiceAction.MODERATE: grant({COMMISSIONER}, "Only commissioners moderate comments."),
    VoiceAction.READ_OWN_COMMENTS: grant({RESIDENT}, "Only residents have comments of their own."),
    VoiceAction.SIGN_UP_TO_SPEAK: grant({RESIDENT}, "Residents sign up to speak."),
    VoiceAction.READ_SPEAKERS: grant(
        {COMMISSIONER, ADMIN}, "The speakers' list is the commission's; see /public/meetings."
    ),
    VoiceAction.PROPOSE: grant({RESIDENT}, "Proposals are brought by residents."),
    VoiceAction.SUPPORT: grant({RESIDENT}, "Proposals are supported by residents."),
}


def voice(role: Role | None, action: VoiceAction) -> Refusal:
    return decide(VOICE, role, action)


#: Who reads every comment, whatever its status (the moderation queue).
SEES_EVERY_COMMENT = frozenset({COMMISSIONER})
#: What anyone may know of a comment: a published one whole, a hidden one by its reason only.
PUBLIC_COMMENTS = frozenset({CommentStatus.PUBLISHED, CommentStatus.HIDDEN})


def sees_comment(role: Role | None, status: str, *, own: bool) -> bool:
    """Whether a caller may know that a comment exists (else it is a 404): commissioners
    every one, authors their own, everyone the published and the hidden ones (a pending
    comment is nobody else's business until a commissioner publishes it)."""
    return role in SEES_EVERY_COMMENT or own or status in PUBLIC_COMMENTS


def comment_arrives_as(role: Role | None) -> CommentStatus:
    """Residents' comments are published at once; anonymous ones wait for a commissioner."""
    return CommentStatus.PUBLISHED if role is RESIDENT else CommentStatus.PENDING


def withdraw_proposal(role: Role, *, author: bool) -> Refusal:
    """Only its author withdraws a proposal (the machine says from which status)."""
    if role is RESIDENT and not author:
        return "Only the proposal's author withdraws it."
    return None
