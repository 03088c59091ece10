"""Residents' policy proposals and the supports they gather."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from oversight.core.schemas import In, LongText, Reason, Text200, only
from oversight.voice.enums import ProposalStatus


class ProposalSort(StrEnum):
    """The public list's orders: most supported first, or newest first (ties by id,
    descending)."""

    MOST_SUPPORTED = "-supports"
    NEWEST = "-created_at"


class ProposalCreate(In):
    """A resident's policy idea; it opens with no supports and the threshold then in force."""

    title: Text200
    body: LongText
    show_name: bool = Field(
        default=False,
        description="Show your display name as the author; otherwise it reads `Resident`.",
    )


class ProposalTransition(In):
    to: Annotated[
        ProposalStatus,
        only(ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN),
    ] = Field(description="`accepted`, `declined` or `withdrawn`.")
    reason: Reason | None = Field(
        default=None, description="The commission's public response (required to decide)."
    )
    resolution_id: uuid.UUID | None = Field(
        default=None, description="With `accepted`: a draft resolution that takes it up."
    )


class PublicProposalResponse(BaseModel):
    """The commission's public answer: its reason, when, and the draft resolution that takes
    an accepted proposal up (if any)."""

    body: str
    at: datetime
    resolution_id: uuid.UUID | None = None


class PublicProposal(BaseModel):
    """A proposal as anyone may read it."""

    id: uuid.UUID
    title: str
    body: str
    status: ProposalStatus
    supports: int
    support_threshold: int
    author: str = Field(
        description="The author's display name if they chose to show it, else `Resident`."
    )
    response: PublicProposalResponse | None = Field(
        description="The commission's answer, once accepted or declined."
    )
    created_at: datetime
    version: int
