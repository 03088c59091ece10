"""The roster's shapes: an officer, their assignments, an edit, an import's result."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from oversight.core.schemas import In, Out
from oversight.officers.enums import OfficerStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Rank = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class AssignmentOut(Out):
    unit: str
    rank: str
    starts_on: date
    ends_on: date | None = Field(description="None while current.")


class OfficerListed(Out):
    id: uuid.UUID
    badge: str
    first_name: str
    last_name: str
    rank: str
    unit: str
    department_id: uuid.UUID
    status: OfficerStatus
    hired_on: date | None
    separated_on: date | None
    version: int


class OfficerOut(OfficerListed):
    assignments: list[AssignmentOut] = Field(description="Newest first.")


class OfficerRef(Out):
    """The roster officer an allegation or commendation is linked to."""

    id: uuid.UUID
    badge: str
    display_name: str = Field(description="First and last name.")
    department_id: uuid.UUID


class OfficerUpdate(In):
    """What an admin corrects between imports; a new rank or unit starts a new assignment on
    ``effective_on`` (default: today)."""

    first_name: Name | None = None
    last_name: Name | None = None
    rank: Rank | None = None
    unit: Unit | None = None
    status: OfficerStatus | None = None
    hired_on: date | None = None
    separated_on: date | None = None
    effective_on: date | None = Field(
        None, description="When a change of rank or unit took effect; default today."
    )


class RosterImported(Out):
    sha256: str
    created: int
    updated: int
    unchanged: int


class OfficerCandidate(Out):
    """A roster officer an allegation may name, with how well it matches."""

    officer: OfficerRef
    rank: str
    unit: str
    status: OfficerStatus
    score: float = Field(
        description="0 to 1: half for the badge, four tenths for name similarity, a tenth for "
        "the department the concern was referred to."
    )
    badge_match: bool
    name_similarity: float = Field(description="Trigram similarity of the typed name, 0 to 1.")
    same_department: bool


class HistoryDiscipline(Out):
    recommended: str
    recommended_days: int | None
    imposed: str | None
    imposed_days: int | None
    outcome: str


class HistoryAllegation(Out):
    allegation_id: uuid.UUID
    concern_id: uuid.UUID
    category: str
    finding: str | None
    discipline: HistoryDiscipline | None
    month: str = Field(description="The month the concern was received, `YYYY-MM`.")
    status: str = Field(description="The concern's status.")
    other_department: bool = Field(
        description="The concern was referred to another department than the officer's."
    )


class HistoryCommendation(Out):
    concern_id: uuid.UUID
    category: str
    month: str
    status: str


class OfficerHistory(Out):
    officer: OfficerListed
    allegations: list[HistoryAllegation] = Field(description="Newest first.")
    commendations: list[HistoryCommendation] = Field(description="Newest first.")


class PublicDepartmentName(Out):
    code: str
    name: str


class PublicOfficer(Out):
    """An officer with at least one sustained allegation, where the law makes it public."""

    id: uuid.UUID
    badge: str
    display_name: str
    department: PublicDepartmentName


class PublicSustained(Out):
    category: str
    month: str = Field(description="The month the concern was received, `YYYY-MM`.")
    finding: str
    recommended: str | None
    recommended_days: int | None
    imposed: str | None
    imposed_days: int | None


class PublicOfficerRecord(PublicOfficer):
    sustained: list[PublicSustained] = Field(description="Newest first.")
