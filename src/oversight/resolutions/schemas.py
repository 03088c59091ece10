"""Resolutions, votes and recommendations, and the public scorecard."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
)

from oversight.core.schemas import In, LongText, Out, Reason, Text200, only
from oversight.evidence.schemas import PublicAttachment
from oversight.resolutions.enums import RecommendationStatus, ResolutionStatus
from oversight.resolutions.voting import Choice


class RecommendationCreate(In):
    text: LongText
    department_id: uuid.UUID
    due_at: AwareDatetime | None = None


class ResolutionCreate(In):
    title: Text200
    body: LongText
    concern_ids: Annotated[list[uuid.UUID], Field(max_length=100)] = Field(default_factory=list)
    recommendations: Annotated[list[RecommendationCreate], Field(max_length=50)] = Field(
        default_factory=list
    )


class ResolutionUpdate(In):
    """Only while draft. `concern_ids` and `recommendations`, when given, replace the lists."""

    title: Text200 | None = None
    body: LongText | None = None
    concern_ids: Annotated[list[uuid.UUID], Field(max_length=100)] | None = None
    recommendations: Annotated[list[RecommendationCreate], Field(max_length=50)] | None = None


class ResolutionTransition(In):
    to: Annotated[ResolutionStatus, only(ResolutionStatus.PROPOSED, ResolutionStatus.WITHDRAWN)] = (
        Field(description="`proposed` or `withdrawn`.")
    )
    meeting_id: uuid.UUID | None = None
    reason: Reason | None = None


class VoteCreate(In):
    vote: Choice
    reason: Reason | None = Field(default=None, description="Required when recusing.")


class VoteOut(BaseModel):
    commissioner_id: uuid.UUID
    name: str
    vote: Choice
    reason: str | None


class TallyOut(BaseModel):
    yes: int
    no: int
    abstain: int
    recused: int
    absent: int


class RecommendationOut(Out):
    id: uuid.UUID
    resolution_id: uuid.UUID
    text: str
    department_id: uuid.UUID
    due_at: datetime | None
    status: RecommendationStatus
    department_response: str | None
    version: int


class RecommendationListed(RecommendationOut):
    """A recommendation in ``GET /recommendations``, with the resolution it belongs to."""

    resolution_number: str | None
    resolution_title: str
    responded_at: datetime | None


class ResolutionOut(BaseModel):
    id: uuid.UUID
    number: str | None
    title: str
    body: str
    status: ResolutionStatus
    meeting_id: uuid.UUID | None
    concern_ids: list[uuid.UUID]
    recommendations: list[RecommendationOut]
    votes: list[VoteOut]
    tally: TallyOut
    decided_at: datetime | None
    allowed_transitions: list[ResolutionStatus] = []
    comments_count: int = Field(description="Its published comments (see /public/comments).")
    documents: list[PublicAttachment] = Field(
        default=[], description="Its public documents, oldest first."
    )
    version: int


class PublicVote(BaseModel, from_attributes=True):
    """A commissioner's vote as the public reads it: by name (no account id)."""

    name: str
    vote: Choice
    reason: str | None


class PublicRecommendation(BaseModel, from_attributes=True):
    id: uuid.UUID
    text: str
    department_id: uuid.UUID
    due_at: datetime | None
    status: RecommendationStatus
    department_response: str | None


class PublicResolution(BaseModel, from_attributes=True):
    """A decided resolution as the public reads it: no concern it answers is named (a concern's
    id is its public Open311 record's `service_request_id`) and no commissioner's account id;
    votes by name."""

    id: uuid.UUID
    number: str | None
    title: str
    body: str
    status: ResolutionStatus
    meeting_id: uuid.UUID | None = Field(description="See /public/meetings/{meeting_id}.")
    concerns_count: int = Field(description="How many concerns it answers.")
    recommendations: list[PublicRecommendation]
    votes: list[PublicVote]
    tally: TallyOut
    decided_at: datetime | None
    comments_count: int = Field(description="Its published comments (see /public/comments).")

    @classmethod
    def of(cls, resolution: ResolutionOut) -> PublicResolution:
        """The public view of a staff view (only what the public may read of it)."""
        return cls.model_validate(
            {**vars(resolution), "concerns_count": len(resolution.concern_ids)}
        )


class RecommendationResponseCreate(In):
    status: Annotated[
        RecommendationStatus,
        only(
            RecommendationStatus.ACCEPTED,
            RecommendationStatus.PARTIALLY_ACCEPTED,
            RecommendationStatus.REJECTED,
            RecommendationStatus.IMPLEMENTED,
        ),
    ] = Field(description="Any status but `pending`.")
    body: LongText


class PublicScorecard(BaseModel):
    """Recommendations of adopted resolutions, by the departments' answers: all time, exact.
    The transparency summary counts only those of the resolutions adopted in its period, so
    its figures can be smaller."""

    total: int = Field(
        description="Recommendations of every adopted resolution, all time (exact); the "
        "summary's `commission.recommendations.total` counts its period only."
    )
    by_status: dict[RecommendationStatus, int] = Field(
        description="The same recommendations by their status now (exact, all time)."
    )
    overdue: int = Field(description="Past their due date and neither implemented nor rejected.")
