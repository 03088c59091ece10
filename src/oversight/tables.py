"""All tables, one module per area. Timestamps end in ``_at`` and are stored in UTC.

Importing this package registers every table on ``Base.metadata`` (Alembic and the tests
rely on it); import the classes from here."""

from oversight.accounts.models import AuthSession, Category, Department, RefreshToken, User
from oversight.audit.models import Checkpoint, TreeNode
from oversight.budget.models import BudgetLine, FiscalYear, OperationsFigure
from oversight.concerns.models import (
    Allegation,
    CommendedOfficer,
    Concern,
    ConcernCount,
    ConcernNote,
    PoliceResponse,
)
from oversight.core.models import AuditEvent, HasId, IdempotencyRecord
from oversight.evidence.models import Attachment
from oversight.intervention.models import Flag, FlagNote, Pending, Rule
from oversight.meetings.models import AgendaItem, Attendance, Meeting
from oversight.notifications.models import (
    Delivery,
    Message,
    Unsubscribe,
    Webhook,
    WebhookSubscription,
)
from oversight.officers.models import Assignment, RosterOfficer
from oversight.open311.models import Open311Key
from oversight.resolutions.models import (
    Recommendation,
    Resolution,
    ResolutionConcern,
    ResolutionNumber,
    Vote,
)
from oversight.voice.models import Comment, Proposal, ProposalSupport, Speaker

__all__ = [
    "AgendaItem",
    "Allegation",
    "Assignment",
    "Attachment",
    "Attendance",
    "AuditEvent",
    "AuthSession",
    "BudgetLine",
    "Category",
    "Checkpoint",
    "CommendedOfficer",
    "Comment",
    "Concern",
    "ConcernCount",
    "ConcernNote",
    "Delivery",
    "Department",
    "FiscalYear",
    "Flag",
    "FlagNote",
    "HasId",
    "IdempotencyRecord",
    "Meeting",
    "Message",
    "Open311Key",
    "OperationsFigure",
    "Pending",
    "PoliceResponse",
    "Proposal",
    "ProposalSupport",
    "Recommendation",
    "RefreshToken",
    "Resolution",
    "ResolutionConcern",
    "ResolutionNumber",
    "RosterOfficer",
    "Rule",
    "Speaker",
    "TreeNode",
    "Unsubscribe",
    "User",
    "Vote",
    "Webhook",
    "WebhookSubscription",
]
