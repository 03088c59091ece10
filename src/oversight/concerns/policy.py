"""Who may do what with concerns, and what each role sees of one."""

from __future__ import annotations

from enum import StrEnum

from oversight.concerns.enums import ConcernStatus, NoteVisibility
from oversight.core.events import AuditAction
from oversight.core.policy import Grant, Refusal, decide, grant
from oversight.core.roles import Role

RESIDENT, OFFICER, COMMISSIONER, ADMIN = Role


class ConcernAction(StrEnum):
    SUBMIT = "submit"
    TAKE_FOR_RESIDENT = "take_for_resident"
    READ_NOTES = "read_notes"
    READ_RESPONSES = "read_responses"
    RESPOND = "respond"
    ADD_ALLEGATION = "add_allegation"
    CHANGE_ALLEGATION = "change_allegation"
    FIND_BY_CODE = "find_by_code"
    RECOMMEND_DISCIPLINE = "recommend_discipline"
    IMPOSE_DISCIPLINE = "impose_discipline"
    CORRECT_DISCIPLINE = "correct_discipline"


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
    ConcernAction.RECOMMEND_DISCIPLINE: grant(
        {COMMISSIONER}, "Only commissioners recommend discipline."
    ),
    ConcernAction.IMPOSE_DISCIPLINE: grant(
        {OFFICER}, "Only an officer of the referred department records the discipline imposed."
    ),
    ConcernAction.CORRECT_DISCIPLINE: grant(
        {COMMISSIONER}, "Only commissioners open a correction of the discipline imposed."
    ),
}

#: Who reads every concern; residents read their own, officers their department's.
SEES_EVERY_CONCERN = frozenset({COMMISSIONER, ADMIN})
#: Fields of a concern each kind of editor may change.
COMMISSIONER_FIELDS = frozenset(
    {"priority", "category", "assignee_id", "neighborhood", "commended_officer_ids"}
)
OWNER_FIELDS = frozenset({"description"})


def concerns(
    role: Role | None, action: ConcernAction, *, own_department: bool | None = None
) -> Refusal:
    """``own_department``: the concern is referred to the caller's department (for RESPOND
    and IMPOSE_DISCIPLINE)."""
    if refused := decide(CONCERNS, role, action):
        return refused
    by_department = (ConcernAction.RESPOND, ConcernAction.IMPOSE_DISCIPLINE)
    if action in by_department and not own_department:
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
    #: The roster officer an allegation is linked to: the commission, and the officer
    #: accounts of the department it was referred to (they investigate it); never residents.
    ACCUSED = "accused"


CONCERN_FIELDS_SEEN: dict[Role, frozenset[ConcernFields]] = {
    COMMISSIONER: frozenset(ConcernFields),
    ADMIN: frozenset(ConcernFields),
    OFFICER: frozenset({ConcernFields.PRIORITY, ConcernFields.ACCUSED}),
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
    OFFICER: (
        *STATUS_ACTIONS,
        AuditAction.ALLEGATION_ADDED,
        AuditAction.ALLEGATION_CHANGED,
        AuditAction.DISCIPLINE_RECOMMENDED,
        AuditAction.DISCIPLINE_IMPOSED,
        AuditAction.DISCIPLINE_CORRECTION_OPENED,
    ),
}
