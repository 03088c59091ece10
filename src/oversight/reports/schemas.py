"""The public transparency summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from oversight.budget.rules import BudgetCategory, CallPriority
from oversight.resolutions.enums import RecommendationStatus
from oversight.voice.enums import ProposalStatus

Cells = dict[str, int | None]


MonthText = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


class ReportFormat(StrEnum):
    """How the summary is written: JSON, CSV rows or the HTML page."""

    JSON = "json"
    CSV = "csv"
    HTML = "html"


class PublicPeriod(BaseModel):
    """Whole months, ``YYYY-MM``, both included. Without ``from`` and ``to``, the last twelve
    complete months: the month in progress is left out unless asked for (``to``), so that its
    few days' small counts never cost a complete month its figure."""

    model_config = ConfigDict(populate_by_name=True)

    start: MonthText = Field(alias="from")
    end: MonthText = Field(alias="to")


class PublicMonth(BaseModel):
    month: MonthText
    received: int | None
    closed: int | None


class PublicConcernFigures(BaseModel):
    received: int | None
    by_kind: Cells
    by_category: Cells
    by_neighborhood: Cells
    by_status: Cells
    by_month: list[PublicMonth]
    dispositions: Cells


class PublicTimeliness(BaseModel):
    median_days_to_triage: float | None
    median_days_to_response: float | None
    p90_days_to_response: float | None
    median_days_to_resolution: float | None
    response_sla_met_pct: float | None
    overdue_open: int | None


class PublicRecommendationFigures(BaseModel):
    """Public record: exact, counted as the scorecard counts them, but only those of the
    resolutions adopted in the period; the scorecard counts all time, so its figures can be
    larger."""

    total: int = Field(
        description="Recommendations of the resolutions adopted in the period (exact); the "
        "scorecard's `total` counts all time."
    )
    by_status: dict[RecommendationStatus, int] = Field(
        description="The same recommendations by their status now (exact, in this period); "
        "the scorecard's `by_status` counts all time."
    )


class PublicCommissionFigures(BaseModel):
    meetings_held: int
    resolutions_adopted: int
    recommendations: PublicRecommendationFigures
    implementation_rate_pct: float | None = Field(
        description="Implemented, in percent of the recommendations of the resolutions adopted "
        "in the period; null when there are none."
    )


class PublicProposalFigures(BaseModel):
    """Public record: exact. Every status is listed, zeros included."""

    total: int
    by_status: dict[ProposalStatus, int]


class PublicParticipation(BaseModel):
    """Residents' part in the commission's work in the period: public record, published
    exactly (never suppressed)."""

    comments_published: int = Field(description="Comments written in the period, published.")
    speakers: int = Field(description="Sign-ups to speak at a meeting made in the period.")
    proposals: PublicProposalFigures = Field(
        description="Proposals made in the period, by their status now."
    )
    supports: int = Field(description="Supports given to proposals in the period.")


class PublicBudgetYear(BaseModel):
    year: int
    police_total: str
    police_share_pct: str | None


class PublicBudget(BaseModel):
    """The fiscal year the period ends in (or the latest before it): the police budget as
    adopted, by category, its share of the city's, and every year on record up to it."""

    year: int
    label: str
    starts_on: date = Field(description="The fiscal year's first day.")
    ends_on: date = Field(description="The fiscal year's last day.")
    police_total: str
    city_total: str
    police_share_pct: str | None
    by_category: dict[BudgetCategory, str]
    trend: list[PublicBudgetYear]


class PublicOperations(BaseModel):
    """Calls for service in the period, and how they compare with the concerns received."""

    calls: int
    median_response_minutes_by_priority: dict[CallPriority, str | None]
    concerns_per_10k_calls: str | None = Field(
        description="Concerns received in the period per 10,000 calls for service, one "
        "decimal; null when either is unknown or suppressed."
    )


class PublicChainHead(BaseModel):
    seq: int
    hash: str


class PublicCheckpointRef(BaseModel):
    """The audit log's latest signed checkpoint when the figures were computed
    (`/public/audit/checkpoint`): the events it signs are a prefix of those described."""

    tree_size: int
    root_hash: str = Field(description="Standard base64 of the RFC 9162 root.")


class PublicDepartmentRef(BaseModel):
    id: uuid.UUID
    code: str
    name: str


class PublicDisciplineRow(BaseModel):
    """One department and year: allegations with a sustained or policy-failure finding whose
    concern was resolved that year, and what became of the commission's recommendations.
    Counts from 1 to threshold-1 are null (the four outcomes protect each other)."""

    department: PublicDepartmentRef | None = Field(
        description="Null for concerns never referred to a department."
    )
    year: int
    sustained: int | None
    recommended: int | None
    concurred: int | None
    departed_lower: int | None
    departed_higher: int | None
    pending: int | None
    concurrence_rate_pct: float | None = Field(
        description="Concurred of the decided, in percent; null when any decided count is "
        "suppressed or fewer than the threshold were decided."
    )


class PublicDiscipline(BaseModel):
    period: PublicPeriod
    suppression_threshold: int
    rows: list[PublicDisciplineRow]


class PublicSummary(BaseModel):
    """Counts about concerns from 1 to threshold-1 are null, with complementary suppression
    per dimension; the commission's figures and participation are public record, exact."""

    period: PublicPeriod
    generated_at: datetime
    suppression_threshold: int
    concerns: PublicConcernFigures
    timeliness: PublicTimeliness
    commission: PublicCommissionFigures
    participation: PublicParticipation
    budget: PublicBudget | None = Field(description="Null while no fiscal year is on record.")
    operations: PublicOperations
    discipline: list[PublicDisciplineRow] = Field(
        description="Discipline recommended and imposed, by department and year "
        "(`/public/discipline`)."
    )
    category_names: dict[str, str] = Field(
        description="The taxonomy's name of every category code (`by_category`'s keys)."
    )
    audit_head: PublicChainHead
    checkpoint: PublicCheckpointRef | None = Field(
        description="Null until the log has signed a checkpoint."
    )
