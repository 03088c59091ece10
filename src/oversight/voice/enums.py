"""Community voice: residents comment on what the commission is about to decide, sign up to
speak at its meetings, and propose policy that other residents support."""

from __future__ import annotations

from enum import StrEnum


class CommentTarget(StrEnum):
    """What a comment is about. Which of them are open for comment, and when, is
    ``voice.comment_targets.TARGETS``: adding a kind is an entry there."""

    AGENDA_ITEM = "agenda_item"
    RESOLUTION = "resolution"
    PROPOSAL = "proposal"
    BUDGET_LINE = "budget_line"


class CommentStatus(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"


class Moderation(StrEnum):
    """A commissioner's decision on a comment."""

    PUBLISH = "publish"
    HIDE = "hide"


#: What a moderation makes of a comment.
MODERATED: dict[Moderation, CommentStatus] = {
    Moderation.PUBLISH: CommentStatus.PUBLISHED,
    Moderation.HIDE: CommentStatus.HIDDEN,
}


class ProposalStatus(StrEnum):
    OPEN = "open"
    QUALIFIED = "qualified"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


#: Proposals that still gather supports and comments.
PROPOSALS_OPEN = (ProposalStatus.OPEN, ProposalStatus.QUALIFIED)

#: How a comment's author is shown when they did not choose to show their name.
ANONYMOUS_AUTHOR = "Resident"


def author_shown(display_name: str | None, show_name: bool) -> str:
    """The display name only when the resident chose to show it; never an e-mail or an id."""
    return display_name if show_name and display_name else ANONYMOUS_AUTHOR
