"""The record's vocabularies as people read them: each value's English words, marked for the
catalogs (``N_``) and translated where they are shown (``name_of`` in the templates). A value
with no words here is shown as the record has it."""

from __future__ import annotations

from oversight.core.language import N_

#: (vocabulary, value) -> English words.
WORDS: dict[tuple[str, str], str] = {
    ("kind", "complaint"): N_("Complaint"),
    ("kind", "commendation"): N_("Commendation"),
    ("kind", "policy_concern"): N_("Policy concern"),
    ("kind", "inquiry"): N_("Inquiry"),
    ("concern_status", "submitted"): N_("Received"),
    ("concern_status", "triaged"): N_("Reviewed by staff"),
    ("concern_status", "dismissed"): N_("Dismissed"),
    ("concern_status", "withdrawn"): N_("Withdrawn"),
    ("concern_status", "referred"): N_("Referred to the department"),
    ("concern_status", "responded"): N_("The department responded"),
    ("concern_status", "under_review"): N_("Under review by the commission"),
    ("concern_status", "scheduled"): N_("Scheduled for a meeting"),
    ("concern_status", "resolved"): N_("Resolved"),
    ("concern_status", "closed"): N_("Closed"),
    ("finding", "sustained"): N_("Sustained"),
    ("finding", "not_sustained"): N_("Not sustained"),
    ("finding", "exonerated"): N_("Exonerated"),
    ("finding", "unfounded"): N_("Unfounded"),
    ("finding", "policy_failure"): N_("Policy failure"),
    ("finding", "mediated"): N_("Mediated"),
    ("finding", "acknowledged"): N_("Acknowledged"),
    ("finding", "no_finding"): N_("No finding"),
    ("category", "use_of_force"): N_("Use of force"),
    ("category", "discourtesy"): N_("Discourtesy"),
    ("category", "bias"): N_("Bias or discrimination"),
    ("category", "stop_search_arrest"): N_("Stop, search or arrest"),
    ("category", "failure_to_act"): N_("Failure to act"),
    ("category", "misconduct"): N_("Misconduct"),
    ("category", "policy_procedure"): N_("Policy or procedure"),
    ("category", "response_time"): N_("Response time"),
    ("category", "commendation"): N_("Commendation"),
    ("category", "other"): N_("Other"),
    ("meeting_status", "scheduled"): N_("Scheduled"),
    ("meeting_status", "in_session"): N_("In session"),
    ("meeting_status", "adjourned"): N_("Adjourned"),
    ("meeting_status", "cancelled"): N_("Cancelled"),
    ("agenda_kind", "concern"): N_("Concern"),
    ("agenda_kind", "resolution"): N_("Resolution"),
    ("agenda_kind", "general"): N_("General business"),
    ("agenda_kind", "public_comment"): N_("Public comment"),
    ("resolution_status", "draft"): N_("Draft"),
    ("resolution_status", "proposed"): N_("Proposed"),
    ("resolution_status", "adopted"): N_("Adopted"),
    ("resolution_status", "rejected"): N_("Rejected"),
    ("resolution_status", "withdrawn"): N_("Withdrawn"),
    ("vote", "yes"): N_("Yes"),
    ("vote", "no"): N_("No"),
    ("vote", "abstain"): N_("Abstain"),
    ("vote", "recused"): N_("Recused"),
    ("recommendation_status", "pending"): N_("Waiting for an answer"),
    ("recommendation_status", "accepted"): N_("Accepted"),
    ("recommendation_status", "partially_accepted"): N_("Partially accepted"),
    ("recommendation_status", "rejected"): N_("Rejected"),
    ("recommendation_status", "implemented"): N_("Implemented"),
    ("comment_status", "published"): N_("Published"),
    ("comment_status", "pending"): N_("Waiting for the staff to read it"),
    ("comment_status", "hidden"): N_("Hidden by the staff"),
    ("proposal_status", "open"): N_("Open for support"),
    ("proposal_status", "qualified"): N_("Qualified for an answer"),
    ("proposal_status", "accepted"): N_("Accepted"),
    ("proposal_status", "declined"): N_("Declined"),
    ("proposal_status", "withdrawn"): N_("Withdrawn"),
}


def words_for(vocabulary: str, value: object) -> str:
    """The English words for ``value`` (translate them with gettext), else the value."""
    text = str(getattr(value, "value", value))
    return WORDS.get((vocabulary, text), text)
