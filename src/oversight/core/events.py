"""The audit log's vocabulary: what kind of thing an event is about, and what happened to it.

Every event's ``action`` is one of ``AuditAction``; timelines, filters and tests name these
members rather than spelling the strings again.
"""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    USER = "user"
    DEPARTMENT = "department"
    CATEGORY = "category"
    CONCERN = "concern"
    MEETING = "meeting"
    RESOLUTION = "resolution"
    RECOMMENDATION = "recommendation"
    COMMENT = "comment"
    PROPOSAL = "proposal"
    WEBHOOK = "webhook"
    FISCAL_YEAR = "fiscal_year"
    OPERATIONS = "operations"
    OPEN311_KEY = "open311_key"


class AuditAction(StrEnum):
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    REFRESH_REUSED = "auth.refresh_reused"
    DEPARTMENT_CREATED = "department.created"
    CATEGORY_CREATED = "category.created"
    CONCERN_SUBMITTED = "concern.submitted"
    CONCERN_EDITED = "concern.edited"
    CONCERN_TRANSITION = "concern.transition"
    ALLEGATION_ADDED = "concern.allegation_added"
    ALLEGATION_CHANGED = "concern.allegation_changed"
    NOTE_ADDED = "concern.note_added"
    MEETING_CREATED = "meeting.created"
    MEETING_EDITED = "meeting.edited"
    MEETING_POSTPONED = "meeting.postponed"
    MEETING_TRANSITION = "meeting.transition"
    AGENDA_ITEM_ADDED = "meeting.agenda_item_added"
    AGENDA_ITEM_CHANGED = "meeting.agenda_item_changed"
    AGENDA_ITEM_REMOVED = "meeting.agenda_item_removed"
    ATTENDANCE_TAKEN = "meeting.attendance"
    MINUTES_DRAFTED = "meeting.minutes_drafted"
    MINUTES_APPROVED = "meeting.minutes_approved"
    RESOLUTION_CREATED = "resolution.created"
    RESOLUTION_EDITED = "resolution.edited"
    RESOLUTION_TRANSITION = "resolution.transition"
    VOTE_CAST = "resolution.vote"
    RECOMMENDATION_TRANSITION = "recommendation.transition"
    COMMENT_CREATED = "comment.created"
    COMMENT_MODERATED = "comment.moderated"
    SPEAKER_SIGNED_UP = "meeting.speaker_signed_up"
    PROPOSAL_CREATED = "proposal.created"
    PROPOSAL_SUPPORTED = "proposal.supported"
    PROPOSAL_SUPPORT_WITHDRAWN = "proposal.support_withdrawn"
    PROPOSAL_TRANSITION = "proposal.transition"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_DISABLED = "webhook.disabled"
    WEBHOOK_DELIVERY_RETRIED = "webhook.delivery_retried"
    BUDGET_IMPORTED = "budget.imported"
    BUDGET_COMMENTS_CHANGED = "budget.comments_changed"
    OPERATIONS_IMPORTED = "operations.imported"
    OPEN311_KEY_ISSUED = "open311.key_issued"
    OPEN311_KEY_REVOKED = "open311.key_revoked"
