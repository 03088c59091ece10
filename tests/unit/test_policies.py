"""Every policy as a table: for each action, exactly the roles (and anonymous callers) it is
granted to, and the relation or state that narrows it further. A change to who may do what
fails here first."""

from __future__ import annotations

import pytest

from oversight.accounts import policy as account_policy
from oversight.accounts.policy import AdminAction
from oversight.concerns import policy as concern_policy
from oversight.concerns.enums import ConcernStatus, NoteVisibility
from oversight.concerns.policy import ConcernAction, ConcernFields
from oversight.core.events import AuditAction
from oversight.core.roles import Role
from oversight.meetings import policy as meeting_policy
from oversight.meetings.policy import MeetingAction
from oversight.resolutions import policy as resolution_policy
from oversight.resolutions.enums import ResolutionStatus
from oversight.resolutions.policy import ResolutionAction
from oversight.voice import policy as voice_policy
from oversight.voice.enums import CommentStatus
from oversight.voice.policy import VoiceAction

RES, OFF, COM, ADM = Role.RESIDENT, Role.OFFICER, Role.COMMISSIONER, Role.ADMIN
ANON = None


def allowed(decide: object, action: object) -> set[Role | None]:
    check = decide  # a policy function: (role, action) -> refusal
    return {
        role
        for role in (*Role, ANON)
        if check(role, action) is None  # type: ignore[operator]
    }


@pytest.mark.parametrize(
    ("action", "granted"),
    [
        (AdminAction.MANAGE_USERS, {ADM}),
        (AdminAction.MANAGE_DEPARTMENTS, {ADM}),
        (AdminAction.MANAGE_CATEGORIES, {ADM}),
        (AdminAction.READ_DEPARTMENTS, {RES, OFF, COM, ADM}),
        (AdminAction.READ_AUDIT, {COM, ADM}),
        (AdminAction.MANAGE_WEBHOOKS, {ADM}),
        (AdminAction.MANAGE_BUDGET, {ADM}),
        (AdminAction.MANAGE_OPEN311_KEYS, {ADM}),
    ],
)
def test_administration(action: AdminAction, granted: set[Role | None]) -> None:
    assert allowed(account_policy.administration, action) == granted


def test_every_action_has_a_row() -> None:
    assert set(account_policy.ADMINISTRATION) == set(AdminAction)
    assert set(concern_policy.CONCERNS) == set(ConcernAction)
    assert set(meeting_policy.MEETINGS) == set(MeetingAction)
    assert set(resolution_policy.RESOLUTIONS) == set(ResolutionAction)
    assert set(concern_policy.CONCERN_FIELDS_SEEN) == set(Role)
    assert set(concern_policy.NOTES_READ) == set(Role)
    assert set(concern_policy.TIMELINE) == set(Role)


@pytest.mark.parametrize(
    ("action", "granted"),
    [
        (ConcernAction.SUBMIT, {RES, ANON, COM, ADM}),
        (ConcernAction.TAKE_FOR_RESIDENT, {COM, ADM}),
        (ConcernAction.READ_NOTES, {RES, COM, ADM}),
        (ConcernAction.READ_RESPONSES, {OFF, COM, ADM}),
        (ConcernAction.ADD_ALLEGATION, {COM}),
        (ConcernAction.CHANGE_ALLEGATION, {COM}),
        (ConcernAction.FIND_BY_CODE, {COM, ADM}),
    ],
)
def test_concerns(action: ConcernAction, granted: set[Role | None]) -> None:
    assert allowed(concern_policy.concerns, action) == granted


@pytest.mark.parametrize(
    ("role", "own_department", "refused"),
    [
        (OFF, True, False),
        (OFF, False, True),
        (COM, True, True),
        (RES, True, True),
        (ADM, True, True),
    ],
)
def test_only_the_referred_department_responds(
    role: Role, own_department: bool, refused: bool
) -> None:
    verdict = concern_policy.concerns(role, ConcernAction.RESPOND, own_department=own_department)
    assert (verdict is not None) is refused


@pytest.mark.parametrize(
    ("role", "status", "owner", "fields"),
    [
        (COM, ConcernStatus.SUBMITTED, False, concern_policy.COMMISSIONER_FIELDS),
        (COM, ConcernStatus.CLOSED, False, concern_policy.COMMISSIONER_FIELDS),
        (RES, ConcernStatus.SUBMITTED, True, {"description"}),
        (RES, ConcernStatus.TRIAGED, True, set()),
        (RES, ConcernStatus.SUBMITTED, False, set()),
        (OFF, ConcernStatus.REFERRED, False, set()),
        (ADM, ConcernStatus.SUBMITTED, False, set()),
    ],
)
def test_editable_fields(role: Role, status: ConcernStatus, owner: bool, fields: set[str]) -> None:
    assert concern_policy.editable_fields(role, status, owner=owner) == fields


def test_officers_never_see_who_complained_nor_any_note() -> None:
    assert ConcernFields.IDENTITY not in concern_policy.CONCERN_FIELDS_SEEN[OFF]
    assert concern_policy.NOTES_READ[OFF] == frozenset()
    timeline = concern_policy.TIMELINE[OFF]
    assert timeline is not None
    assert AuditAction.NOTE_ADDED not in timeline
    assert {COM, ADM} == concern_policy.SEES_EVERY_CONCERN


@pytest.mark.parametrize(
    ("role", "visibility", "refused"),
    [
        (COM, NoteVisibility.INTERNAL, False),
        (COM, NoteVisibility.PUBLIC, False),
        (RES, NoteVisibility.PUBLIC, False),
        (RES, NoteVisibility.INTERNAL, True),
        (OFF, NoteVisibility.PUBLIC, True),
        (ADM, NoteVisibility.INTERNAL, True),
    ],
)
def test_notes_written(role: Role, visibility: NoteVisibility, refused: bool) -> None:
    assert (concern_policy.write_note(role, visibility) is not None) is refused


def test_note_defaults() -> None:
    assert concern_policy.note_visibility(COM, None) is NoteVisibility.INTERNAL
    assert concern_policy.note_visibility(RES, None) is NoteVisibility.PUBLIC
    assert concern_policy.note_visibility(COM, NoteVisibility.PUBLIC) is NoteVisibility.PUBLIC


@pytest.mark.parametrize(
    ("decide", "action", "granted"),
    [
        (meeting_policy.meetings, MeetingAction.READ, {COM, ADM}),
        (meeting_policy.meetings, MeetingAction.MANAGE, {COM}),
        (resolution_policy.resolutions, ResolutionAction.READ, {COM, ADM}),
        (resolution_policy.resolutions, ResolutionAction.MANAGE, {COM}),
        (resolution_policy.resolutions, ResolutionAction.LIST_RECOMMENDATIONS, {COM, ADM, OFF}),
    ],
)
def test_the_commission_s_own_work(decide: object, action: object, granted: set[Role]) -> None:
    assert allowed(decide, action) == granted


@pytest.mark.parametrize(
    ("role", "addressed", "refused"), [(OFF, True, False), (OFF, False, True), (COM, False, False)]
)
def test_recommendations_are_answered_by_their_department(
    role: Role, addressed: bool, refused: bool
) -> None:
    verdict = resolution_policy.answer_recommendation(role, addressed_to_caller=addressed)
    assert (verdict is not None) is refused


@pytest.mark.parametrize(
    ("action", "granted"),
    [
        (VoiceAction.COMMENT, {RES, None}),
        (VoiceAction.MODERATE, {COM}),
        (VoiceAction.READ_OWN_COMMENTS, {RES}),
        (VoiceAction.SIGN_UP_TO_SPEAK, {RES}),
        (VoiceAction.READ_SPEAKERS, {COM, ADM}),
        (VoiceAction.PROPOSE, {RES}),
        (VoiceAction.SUPPORT, {RES}),
    ],
)
def test_community_voice(action: VoiceAction, granted: set[Role | None]) -> None:
    assert allowed(voice_policy.voice, action) == granted
    assert set(voice_policy.VOICE) == set(VoiceAction)


@pytest.mark.parametrize(
    ("role", "status", "own", "seen"),
    [
        (COM, CommentStatus.PENDING, False, True),
        (RES, CommentStatus.PENDING, True, True),
        (RES, CommentStatus.PENDING, False, False),
        (None, CommentStatus.PENDING, False, False),
        (ADM, CommentStatus.PENDING, False, False),
        (None, CommentStatus.PUBLISHED, False, True),
        (OFF, CommentStatus.HIDDEN, False, True),
    ],
)
def test_who_knows_a_comment_exists(
    role: Role | None, status: CommentStatus, own: bool, seen: bool
) -> None:
    assert voice_policy.sees_comment(role, status, own=own) is seen


def test_comments_arrive_published_from_residents_and_pending_from_anyone_else() -> None:
    assert voice_policy.comment_arrives_as(RES) is CommentStatus.PUBLISHED
    assert voice_policy.comment_arrives_as(None) is CommentStatus.PENDING


@pytest.mark.parametrize(("role", "author", "refused"), [(RES, True, False), (RES, False, True)])
def test_only_the_author_withdraws_a_proposal(role: Role, author: bool, refused: bool) -> None:
    assert (voice_policy.withdraw_proposal(role, author=author) is not None) is refused


DRAFT, PROPOSED, ADOPTED, REJECTED, WITHDRAWN = ResolutionStatus


@pytest.mark.parametrize(
    ("status", "was_proposed", "addressed", "seen_by"),
    [
        # Drafts: the commission's, and the officers of a department they address.
        (DRAFT, False, False, {COM, ADM}),
        (DRAFT, False, True, {COM, ADM, OFF}),
        # A draft again after its meeting was cancelled: the same.
        (DRAFT, True, False, {COM, ADM}),
        (WITHDRAWN, False, False, {COM, ADM}),
        (WITHDRAWN, False, True, {COM, ADM, OFF}),
        # Once proposed (on a public agenda) or decided: everyone.
        (WITHDRAWN, True, False, {RES, OFF, COM, ADM, ANON}),
        (PROPOSED, True, False, {RES, OFF, COM, ADM, ANON}),
        (ADOPTED, True, False, {RES, OFF, COM, ADM, ANON}),
        (REJECTED, True, False, {RES, OFF, COM, ADM, ANON}),
    ],
)
def test_who_knows_a_resolution_exists(
    status: ResolutionStatus, was_proposed: bool, addressed: bool, seen_by: set[Role | None]
) -> None:
    assert {
        role
        for role in (*Role, ANON)
        if resolution_policy.sees_resolution(
            role, status, was_proposed=was_proposed, addressed_to_caller=addressed
        )
    } == seen_by
