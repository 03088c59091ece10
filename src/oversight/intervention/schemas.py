"""Early intervention's shapes: rules, flags, a flag's move."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from oversight.core.schemas import In, NoteBody, Out, Text200
from oversight.intervention.enums import FlagLevel, FlagStatus, Metric
from oversight.officers.schemas import OfficerRef

Count = Annotated[int, Field(ge=1, le=10_000)]
Days = Annotated[int, Field(ge=1, le=3_650)]
Percentile = Annotated[int, Field(ge=50, le=99)]


class RuleCreate(In):
    name: Text200
    metric: Metric
    window_days: Days
    warning_at: Count
    critical_at: Count
    peer_percentile: Percentile | None = Field(
        None,
        description="Also fire (a warning) at or above this percentile of the officer's unit.",
    )
    active: bool = True


class RuleUpdate(In):
    name: Text200 | None = None
    window_days: Days | None = None
    warning_at: Count | None = None
    critical_at: Count | None = None
    peer_percentile: Percentile | None = None
    active: bool | None = None


class RuleOut(Out):
    id: uuid.UUID
    name: str
    metric: Metric
    window_days: int
    warning_at: int
    critical_at: int
    peer_percentile: int | None
    active: bool
    version: int


class RuleRef(Out):
    id: uuid.UUID
    name: str
    metric: Metric


class CountedItem(Out):
    allegation_id: uuid.UUID | None = Field(description="None for a commendation.")
    concern_id: uuid.UUID
    category: str
    finding: str | None
    month: str
    other_department: bool = Field(
        description="The concern was referred to another department than the officer's."
    )


class FlagNoteOut(Out):
    by: uuid.UUID
    at: datetime
    body: str


class FlagOut(Out):
    id: uuid.UUID
    officer: OfficerRef
    rule: RuleRef
    level: FlagLevel
    count: int
    peer_percentile: float | None = Field(
        description="The officer's percentile among their unit's peers (a peer rule's)."
    )
    window_days: int
    first_at: datetime
    last_at: datetime
    counted: list[CountedItem] = Field(description="What counted, oldest first.")
    status: FlagStatus
    notes: list[FlagNoteOut]
    version: int


class FlagTransition(In):
    to: FlagStatus
    note: NoteBody | None = Field(None, description="Needed to close a new or reviewed flag.")


class Evaluation(Out):
    rules: int
    raised: int
    updated: int
    raised_again: int
