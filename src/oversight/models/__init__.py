"""All tables, one module per area. Timestamps end in ``_at`` and are stored in UTC.

Importing this package registers every table on ``Base.metadata`` (Alembic and the tests
rely on it); import the classes from here."""

from oversight.models.accounts import AuthSession, Category, Department, RefreshToken, User
from oversight.models.base import AuditEvent, HasId, IdempotencyRecord
from oversight.models.budget import BudgetLine, FiscalYear, OperationsFigure
from oversight.models.concerns import Allegation, Concern, ConcernCount, ConcernNote, PoliceResponse
from oversight.models.meetings import AgendaItem, Attendance, Meeting
from oversight.models.notifications import (
    Delivery,
    Message,
    Unsubscribe,
    Webhook,
    WebhookSubscription,
)
from oversight.models.open311 import Open311Key
from oversight.models.resolutions import (
    Recommendation,
    Resolution,
    ResolutionConcern,
    ResolutionNumber,
    Vote,
)
from oversight.models.voice import Comment, Proposal, ProposalSupport, Speaker

__all__ = [
    "AgendaItem",
    "Allegation",
    "Attendance",
    "AuditEvent",
    "AuthSession",
    "BudgetLine",
    "Category",
    "Comment",
    "Concern",
    "ConcernCount",
    "ConcernNote",
    "Delivery",
    "Department",
    "FiscalYear",
    "HasId",
    "IdempotencyRecord",
    "Meeting",
    "Message",
    "Open311Key",
    "OperationsFigure",
    "PoliceResponse",
    "Proposal",
    "ProposalSupport",
    "Recommendation",
    "RefreshToken",
    "Resolution",
    "ResolutionConcern",
    "ResolutionNumber",
    "Speaker",
    "Unsubscribe",
    "User",
    "Vote",
    "Webhook",
    "WebhookSubscription",
]
