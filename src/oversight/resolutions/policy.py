"""Who reads, manages and answers resolutions and their recommendations."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role
from oversight.resolutions.enums import ResolutionStatus

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class ResolutionAction(StrEnum):
    READ = "read"
    MANAGE = "manage"
    LIST_RECOMMENDATIONS = "list_recommendations"


RESOLUTIONS: dict[ResolutionAction, Grant] = {
    ResolutionAction.READ: grant(
        {COMMISSIONER, ADMIN},
        "Resolutions are the commission's; decided ones are at /public/resolutions.",
    ),
    ResolutionAction.MANAGE: grant(
        {COMMISSIONER}, "Only commissioners draft, propose and vote on resolutions."
    ),
    # Officers see their own department's, of adopted resolutions: the ones they answer.
    ResolutionAction.LIST_RECOMMENDATIONS: grant(
        {COMMISSIONER, ADMIN, OFFICER},
        "Recommendations are listed for the commission and the departments they address.",
    ),
}


def resolutions(role: Role | None, action: ResolutionAction) -> Refusal:
    return decide(RESOLUTIONS, role, action)


#: Who reads every resolution, drafts included: the commission's staff.
SEES_EVERY_RESOLUTION = frozenset({COMMISSIONER, ADMIN})
#: What everyone may know exists: a resolution once it is proposed (on a public agenda, open
#: for comment) and once decided. A draft, and a draft withdrawn before it was ever proposed,
#: are the commission's, and known to the departments it addresses (their officers answer its
#: recommendations once adopted); to anyone else they are a 404, whatever is asked of them.
PUBLIC_RESOLUTIONS = frozenset(
    {ResolutionStatus.PROPOSED, ResolutionStatus.ADOPTED, ResolutionStatus.REJECTED}
)


def sees_resolution(
    role: Role | None, status: str, *, was_proposed: bool, addressed_to_caller: bool
) -> bool:
    """Whether a caller may know that a resolution (its recommendations, comments on it)
    exists. ``was_proposed``: it was put on a meeting's agenda (a withdrawn resolution keeps its
    meeting); ``addressed_to_caller``: one of its recommendations is to the caller's department.
    ``resolutions.visibility.resolutions_visible_to`` is this rule as a query."""
    if role in SEES_EVERY_RESOLUTION or status in PUBLIC_RESOLUTIONS:
        return True
    if role is OFFICER and addressed_to_caller:
        return True
    return status == ResolutionStatus.WITHDRAWN and was_proposed


def answer_recommendation(role: Role, *, addressed_to_caller: bool) -> Refusal:
    """An officer answers only the recommendations addressed to their department (which role
    makes which answer is the recommendation machine's)."""
    if role is OFFICER and not addressed_to_caller:
        return "Only the department a recommendation is addressed to answers it."
    return None
