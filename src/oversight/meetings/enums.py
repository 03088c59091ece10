"""Meeting vocabulary: a meeting's status, its minutes' status, its agenda items' kinds."""

from __future__ import annotations

from enum import StrEnum


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_SESSION = "in_session"
    ADJOURNED = "adjourned"
    CANCELLED = "cancelled"


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class AgendaItemKind(StrEnum):
    CONCERN = "concern"
    RESOLUTION = "resolution"
    GENERAL = "general"
    PUBLIC_COMMENT = "public_comment"
