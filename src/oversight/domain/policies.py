"""Who may do what: one pure policy per resource, as tables a reader checks at a glance.

A policy answers role x action x (the resource's state, the caller's relation to it) with
``None`` (allowed) or the reason it is refused. Services ask it at one point, after loading the
resource (404 when the caller may not see it at all) and checking its version (428/412), and
raise the reason as a 403 with ``services.common.authorize``. What the caller may *see* (rows,
fields, notes, timeline entries) is policy too, and lives here beside what they may *do*; the
status machines (``domain.machines``) say which role makes which move.

``role`` is ``None`` for an anonymous caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from oversight.domain.concerns import ConcernStatus, NoteVisibility
from oversight.domain.events import AuditAction
from oversight.domain.resolutions import ResolutionStatus
from oversight.domain.roles import Role
from oversight.domain.voice import CommentStatus

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role

#: None when allowed; otherwise why not, in words the caller is shown.
Refusal = str | None


@dataclass(frozen=True)
class Grant:
    """The roles an action is granted to, and what everyone else is told."""

    roles: frozenset[Role]
    refused: str
    anonymous: bool = False

    def check(self, role: Role | None) -> Refusal:
        if role is None:
            return None if self.anonymous else self.refused
        return None if role in self.roles else self.refused


def grant(roles: set[Role], refused: str, *, anonymous: bool = False) -> Grant:
    return Grant(frozenset(roles), refused, anonymous)


A = TypeVar("A", bound=StrEnum)


def _decide(grants: Mapping[A, Grant], role: Role | None, action: A) -> Refusal:
    return grants[action].check(role)


# Accounts, departments, categories, the audit log ----------------------------------------------


class AdminAction(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_CATEGORIES = "manage_categories"
    READ_DEPARTMENTS = "read_departments"
    READ_AUDIT = "read_audit"
    MANAGE_WEBHOOKS = "manage_webhooks"
    MANAGE_BUDGET = "manage_budget"
    MANAGE_OPEN311_KEYS = "manage_open311_keys"


ADMINISTRATION: dict[AdminAction, Grant] = {
    AdminAction.MANAGE_USERS: grant({ADMIN}, "Your role may not manage users."),
    AdminAction.MANAGE_DEPARTMENTS: grant({ADMIN}, "Your role may not manage departments."),
    AdminAction.MANAGE_CATEGORIES: grant({ADMIN}, "Your role may not manage categories."),
    AdminAction.MANAGE_WEBHOOKS: grant({ADMIN}, "Your role may not manage webhooks."),
    AdminAction.MANAGE_BUDGET: grant(
        {ADMIN}, "Your role may not import budgets or operational figures."
    ),
    AdminAction.MANAGE_OPEN311_KEYS: grant({ADMIN}, "Your role may not manage Open311 keys."),
    AdminAction.READ_DEPARTMENTS: grant(set(Role), "Your role may not read departments."),
    AdminAction.READ_AUDIT: grant({COMMISSIONER, ADMIN}, "Your role may not read audit."),
}


def administration(role: Role | None, action: AdminAction) -> Refusal:
    return _decide(ADMINISTRATION, role, action)


# Concerns ------------------------------------------------------------------------------------


class ConcernAction(StrEnum):
    SUBMIT = "submit"
    TAKE_FOR_RESIDENT = "take_for_resident"
    READ_NOTES = "read_notes"
    READ_RESPONSES = "read_responses"
    RESPOND = "respond"
    ADD_ALLEGATION = "add_allegation"
    CHANGE_ALLEGATION = "change_allegation"
    FIND_BY_CODE = "find_by_code"


CONCERNS: dict[ConcernAction, Grant] = {
    ConcernAction.SUBMIT: grant(
        {RESIDENT, COMMISSIONER, ADMIN},
        "Officers do not submit concerns: residents bring them, and commission staff take them "
        "for residents.",
        anonymous=True,
    ),
    ConcernAction.TAKE_FOR_RESIDENT: grant(
        {COMMISSIONER, ADMIN},
        "Only commission staff enter a concern taken by telephone, e-mail, letter or in person, "
        "or on a resident's behalf.",
    ),
    ConcernAction.READ_NOTES: grant(
        {COMMISSIONER, ADMIN, RESIDENT}, "Officers do not see notes on concerns."
    ),
    ConcernAction.READ_RESPONSES: grant(
        {COMMISSIONER, ADMIN, OFFICER},
        "Department responses are read by the commission and the department.",
    ),
    ConcernAction.RESPOND: grant(
        {OFFICER}, "Only an officer of the referred department answers a concern."
    ),
    ConcernAction.ADD_ALLEGATION: grant({COMMISSIONER}, "Only commissioners may add allegations."),
    ConcernAction.FIND_BY_CODE: grant(
        {COMMISSIONER, ADMIN},
        "Only the commission's staff look a concern up by its tracking code.",
    ),
    ConcernAction.CHANGE_ALLEGATION: grant(
        {COMMISSIONER}, "Only commissioners may change allegations."
    ),
}

#: Who reads every concern; residents read their own, officers their department's.
SEES_EVERY_CONCERN = frozenset({COMMISSIONER, ADMIN})
#: Fields of a concern each kind of editor may change.
COMMISSIONER_FIELDS = frozenset({"priority", "category", "assignee_id", "neighborhood"})
OWNER_FIELDS = frozenset({"description"})


def concerns(
    role: Role | None, action: ConcernAction, *, own_department: bool | None = None
) -> Refusal:
    """``own_department``: the concern is referred to the caller's department (for RESPOND)."""
    if refused := _decide(CONCERNS, role, action):
        return refused
    if action is ConcernAction.RESPOND and not own_department:
        return CONCERNS[action].refused
    return None


def editable_fields(role: Role, status: str, *, owner: bool) -> frozenset[str]:
    """What this caller may change in a concern that is ``status`` now: commissioners its
    triage fields; its owner the description while it is still ``submitted``."""
    if role is COMMISSIONER:
        return COMMISSIONER_FIELDS
    if role is RESIDENT and owner and status == ConcernStatus.SUBMITTED:
        return OWNER_FIELDS
    return frozenset()


class ConcernFields(StrEnum):
    """Groups of a concern's fields that not every reader sees."""

    #: Who complained and how to reach them, and the tracking code: never the police.
    IDENTITY = "identity"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"


CONCERN_FIELDS_SEEN: dict[Role, frozenset[ConcernFields]] = {
    COMMISSIONER: frozenset(ConcernFields),
    ADMIN: frozenset(ConcernFields),
    OFFICER: frozenset({ConcernFields.PRIORITY}),
    RESIDENT: frozenset({ConcernFields.IDENTITY}),
}

#: Which notes each role reads and writes; officers read none, so they never see a
#: resident's words.
NOTES_READ: dict[Role, frozenset[NoteVisibility]] = {
    COMMISSIONER: frozenset(NoteVisibility),
    ADMIN: frozenset(NoteVisibility),
    RESIDENT: frozenset({NoteVisibility.PUBLIC}),
    OFFICER: frozenset(),
}
NOTES_WRITTEN: dict[Role, frozenset[NoteVisibility]] = {
    COMMISSIONER: frozenset(NoteVisibility),
    RESIDENT: frozenset({NoteVisibility.PUBLIC}),
}
NOTE_DEFAULT: dict[Role, NoteVisibility] = {
    COMMISSIONER: NoteVisibility.INTERNAL,
    RESIDENT: NoteVisibility.PUBLIC,
}


def note_visibility(role: Role, asked: NoteVisibility | None) -> NoteVisibility:
    """The visibility a note by ``role`` gets when it asks for ``asked`` (or none)."""
    return asked or NOTE_DEFAULT.get(role, NoteVisibility.INTERNAL)


def write_note(role: Role, visibility: NoteVisibility) -> Refusal:
    if visibility in NOTES_WRITTEN.get(role, frozenset()):
        return None
    return f"A {role} may not add {visibility} notes."


STATUS_ACTIONS = (AuditAction.CONCERN_SUBMITTED, AuditAction.CONCERN_TRANSITION)
#: What each role's timeline of a concern shows (None: everything). Residents: status changes
#: and public notes only. Officers: status changes and allegations (never notes, never who
#: complained).
TIMELINE: dict[Role, tuple[AuditAction, ...] | None] = {
    COMMISSIONER: None,
    ADMIN: None,
    RESIDENT: (*STATUS_ACTIONS, AuditAction.NOTE_ADDED),
    OFFICER: (*STATUS_ACTIONS, AuditAction.ALLEGATION_ADDED, AuditAction.ALLEGATION_CHANGED),
}


# Meetings ------------------------------------------------------------------------------------


class MeetingAction(StrEnum):
    READ = "read"
    MANAGE = "manage"


MEETINGS: dict[MeetingAction, Grant] = {
    MeetingAction.READ: grant(
        {COMMISSIONER, ADMIN}, "Meetings are managed by the commission; see /public/meetings."
    ),
    MeetingAction.MANAGE: grant({COMMISSIONER}, "Only commissioners manage meetings."),
}


def meetings(role: Role | None, action: MeetingAction) -> Refusal:
    return _decide(MEETINGS, role, action)


# Resolutions and recommendations ---------------------------------------------------------------


class ResolutionAction(StrEnum):
    READ = "read"
    MANAGE = "manage"
    LIST_RECOMMENDATIONS = "list_recommendations"


RESOLUTIONS: dict[ResolutionAction, Grant] = {
    ResolutionAction.READ: grant(
        {COMMISSIONER, ADMIN},
        "Resolutions are the commission's; decided ones are at /public/resolutions.",
    ),
    ResolutionAction.MANAGE: grant(
        {COMMISSIONER}, "Only commissioners draft, propose and vote on resolutions."
    ),
    # Officers see their own department's, of adopted resolutions: the ones they answer.
    ResolutionAction.LIST_RECOMMENDATIONS: grant(
        {COMMISSIONER, ADMIN, OFFICER},
        "Recommendations are listed for the commission and the departments they address.",
    ),
}


def resolutions(role: Role | None, action: ResolutionAction) -> Refusal:
    return _decide(RESOLUTIONS, role, action)


#: Who reads every resolution, drafts included: the commission's staff.
SEES_EVERY_RESOLUTION = frozenset({COMMISSIONER, ADMIN})
#: What everyone may know exists: a resolution once it is proposed (on a public agenda, open
#: for comment) and once decided. A draft, and a draft withdrawn before it was ever proposed,
#: are the commission's, and known to the departments it addresses (their officers answer its
#: recommendations once adopted); to anyone else they are a 404, whatever is asked of them.
PUBLIC_RESOLUTIONS = frozenset(
    {ResolutionStatus.PROPOSED, ResolutionStatus.ADOPTED, ResolutionStatus.REJECTED}
)


def sees_resolution(
    role: Role | None, status: str, *, was_proposed: bool, addressed_to_caller: bool
) -> bool:
    """Whether a caller may know that a resolution (its recommendations, comments on it)
    exists. ``was_proposed``: it was put on a meeting's agenda (a withdrawn resolution keeps its
    meeting); ``addressed_to_caller``: one of its recommendations is to the caller's department.
    ``services.visibility.resolutions_visible_to`` is this rule as a query."""
    if role in SEES_EVERY_RESOLUTION or status in PUBLIC_RESOLUTIONS:
        return True
    if role is OFFICER and addressed_to_caller:
        return True
    return status == ResolutionStatus.WITHDRAWN and was_proposed


def answer_recommendation(role: Role, *, addressed_to_caller: bool) -> Refusal:
    """An officer answers only the recommendations addressed to their department (which role
    makes which answer is the recommendation machine's)."""
    if role is OFFICER and not addressed_to_caller:
        return "Only the department a recommendation is addressed to answers it."
    return None


# Community voice -----------------------------------------------------------------------------


class VoiceAction(StrEnum):
    COMMENT = "comment"
    MODERATE = "moderate"
    READ_OWN_COMMENTS = "read_own_comments"
    SIGN_UP_TO_SPEAK = "sign_up_to_speak"
    READ_SPEAKERS = "read_speakers"
    PROPOSE = "propose"
    SUPPORT = "support"


VOICE: dict[VoiceAction, Grant] = {
    VoiceAction.COMMENT: grant(
        {RESIDENT},
        "Comments are residents' voice; staff speak through the commission.",
        anonymous=True,
    ),
    VoiceAction.MODERATE: grant({COMMISSIONER}, "Only commissioners moderate comments."),
    VoiceAction.READ_OWN_COMMENTS: grant({RESIDENT}, "Only residents have comments of their own."),
    VoiceAction.SIGN_UP_TO_SPEAK: grant({RESIDENT}, "Residents sign up to speak."),
    VoiceAction.READ_SPEAKERS: grant(
        {COMMISSIONER, ADMIN}, "The speakers' list is the commission's; see /public/meetings."
    ),
    VoiceAction.PROPOSE: grant({RESIDENT}, "Proposals are brought by residents."),
    VoiceAction.SUPPORT: grant({RESIDENT}, "Proposals are supported by residents."),
}


def voice(role: Role | None, action: VoiceAction) -> Refusal:
    return _decide(VOICE, role, action)


#: Who reads every comment, whatever its status (the moderation queue).
SEES_EVERY_COMMENT = frozenset({COMMISSIONER})
#: What anyone may know of a comment: a published one whole, a hidden one by its reason only.
PUBLIC_COMMENTS = frozenset({CommentStatus.PUBLISHED, CommentStatus.HIDDEN})


def sees_comment(role: Role | None, status: str, *, own: bool) -> bool:
    """Whether a caller may know that a comment exists (else it is a 404): commissioners
    every one, authors their own, everyone the published and the hidden ones (a pending
    comment is nobody else's business until a commissioner publishes it)."""
    return role in SEES_EVERY_COMMENT or own or status in PUBLIC_COMMENTS


def comment_arrives_as(role: Role | None) -> CommentStatus:
    """Residents' comments are published at once; anonymous ones wait for a commissioner."""
    return CommentStatus.PUBLISHED if role is RESIDENT else CommentStatus.PENDING


def withdraw_proposal(role: Role, *, author: bool) -> Refusal:
    """Only its author withdraws a proposal (the machine says from which status)."""
    if role is RESIDENT and not author:
        return "Only the proposal's author withdraws it."
    return None
