"""Who may do what with attachments. Who reads which is ``visibility`` (one query filter);
which target an upload may go to first takes seeing the target (its own area's filter)."""

from __future__ import annotations

from enum import StrEnum

from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role
from oversight.evidence.enums import TargetType, Visibility

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role

#: Roles that read every attachment, originals and withdrawn ones included.
SEES_EVERY_ATTACHMENT = frozenset({COMMISSIONER, ADMIN})


class EvidenceAction(StrEnum):
    ADD_EVIDENCE = "add_evidence"
    ADD_DOCUMENT = "add_document"
    EDIT = "edit"
    WITHDRAW = "withdraw"


EVIDENCE: dict[EvidenceAction, Grant] = {
    # A resident only to their own concern, an officer only to their department's: the
    # concern's visibility makes sure of both (404 otherwise).
    EvidenceAction.ADD_EVIDENCE: grant(
        {RESIDENT, OFFICER, COMMISSIONER},
        "Only the submitter, a commissioner or the referred department adds evidence.",
    ),
    EvidenceAction.ADD_DOCUMENT: grant(
        {COMMISSIONER}, "Only commissioners attach documents to meetings and resolutions."
    ),
    EvidenceAction.EDIT: grant({COMMISSIONER}, "Only commissioners change an attachment."),
    EvidenceAction.WITHDRAW: grant({COMMISSIONER}, "Only commissioners withdraw an attachment."),
}


def may(role: Role | None, action: EvidenceAction) -> Refusal:
    return decide(EVIDENCE, role, action)


def adding(target: TargetType) -> EvidenceAction:
    return (
        EvidenceAction.ADD_EVIDENCE if target is TargetType.CONCERN else EvidenceAction.ADD_DOCUMENT
    )


def visibility_refused(target: TargetType, visibility: Visibility) -> Refusal:
    """A concern's evidence is never public; a document is never a department's."""
    if target is TargetType.CONCERN and visibility is Visibility.PUBLIC:
        return "A concern's evidence is never public."
    if target is not TargetType.CONCERN and visibility is Visibility.DEPARTMENT:
        return "A document is public or internal."
    return None
