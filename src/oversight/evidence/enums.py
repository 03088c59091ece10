"""Evidence's vocabulary."""

from __future__ import annotations

from enum import StrEnum


class TargetType(StrEnum):
    """What an attachment belongs to."""

    CONCERN = "concern"
    AGENDA_ITEM = "agenda_item"
    MEETING = "meeting"
    RESOLUTION = "resolution"


class Visibility(StrEnum):
    """Who besides commissioners and the uploader reads it: nobody (``internal``), the referred
    department's officer accounts (``department``), everyone (``public``: documents on
    meetings, agenda items and resolutions only)."""

    INTERNAL = "internal"
    DEPARTMENT = "department"
    PUBLIC = "public"


class AttachmentStatus(StrEnum):
    KEPT = "kept"
    WITHDRAWN = "withdrawn"


#: A concern's evidence starts internal; a commission's documents start public.
DEFAULT_VISIBILITY = {
    TargetType.CONCERN: Visibility.INTERNAL,
    TargetType.AGENDA_ITEM: Visibility.PUBLIC,
    TargetType.MEETING: Visibility.PUBLIC,
    TargetType.RESOLUTION: Visibility.PUBLIC,
}
