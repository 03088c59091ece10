"""Residents' voice on the site: comment on an agenda item, sign up to speak at a meeting, read a
proposal, propose, support and withdraw support. One form a page (the public pages they start
from stay cacheable); the same services, moderation and audit as the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from oversight.core.engines import Reads
from oversight.core.errors import Conflict, Forbidden, NotFound, ProblemCode, Unprocessable
from oversight.core.http.deps import DatabaseDep, SettingsDep
from oversight.core.language import N_
from oversight.meetings import public as public_meetings
from oversight.site import forms, i18n, sessions
from oversight.site.forms import FormErrors, form_page
from oversight.site.pages import not_found
from oversight.site.rendering import language_of, public_page
from oversight.voice import comments, proposals, speakers
from oversight.voice.comment_schemas import CommentCreate
from oversight.voice.proposal_schemas import ProposalCreate
from oversight.voice.speaker_schemas import SpeakerCreate

router = APIRouter(include_in_schema=False, tags=["site"])

CLOSED = N_("This is closed now.")
NOT_YOURS = N_("Sign in with a resident's account to do this.")
ONCE = N_("You are signed up already.")


def _see(target: str) -> Response:
    return Response(status_code=303, headers={"Location": target})


def _key(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


async def _meeting(database: DatabaseDep, meeting_id: uuid.UUID) -> Any:
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        return await public_meetings.read(session, meeting_id)


def _refusal(exc: Exception, language: str, field: str) -> FormErrors:
    gettext = i18n.translations(language).gettext
    words = {Conflict: CLOSED, Forbidden: NOT_YOURS}
    said = next((w for kind, w in words.items() if isinstance(exc, kind)), forms.ANYTHING)
    return FormErrors({field: gettext(said)})


@router.api_route("/meetings/{meeting_id}/comment", methods=["GET", "POST"], name="site_comment")
async def comment(
    request: Request, meeting_id: str, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """Comment on one of the meeting's agenda items (``?item=``): a resident's is published at
    once, an anonymous one waits for moderation."""
    key, item = _key(meeting_id), _key(request.query_params.get("item", ""))
    try:
        meeting = await _meeting(database, key) if key else None
    except NotFound:
        meeting = None
    chosen = next((i for i in meeting.agenda if i.id == item), None) if meeting else None
    if meeting is None or chosen is None:
        return not_found(request)
    signed = await sessions.visitor(request, database, settings)
    context: dict[str, Any] = {"meeting": meeting, "item": chosen, "values": {}, "visitor": signed}
    if request.method == "GET":
        return form_page(request, settings, "comment.html.j2", context, order=("body",))
    form = await request.form()
    values = {"body": str(form.get("body", "")).strip(), "show_name": form.get("show_name")}
    context["values"] = values
    language = language_of(request)

    page = forms.Page(request, settings, "comment.html.j2", context)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        body = CommentCreate.model_validate(
            {
                "target": {"type": "agenda_item", "id": str(chosen.id)},
                "body": values["body"],
                "show_name": values["show_name"] == "yes",
            }
        )
    except ValidationError as exc:
        return page.again(forms.from_validation(exc, language, {}), 422)
    actor = signed.actor if signed is not None else None
    try:
        async with database.unit_of_work() as session:
            made = await comments.create(session, actor, body)
    except (Conflict, Forbidden) as exc:
        return page.again(_refusal(exc, language, "body"), exc.status)
    return _see(f"/meetings/{meeting.id}?comment={made['status']}#item-{chosen.id}")


@router.api_route("/meetings/{meeting_id}/speak", methods=["GET", "POST"], name="site_speak")
async def speak(
    request: Request, meeting_id: str, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """Sign up to speak at a scheduled meeting (signed in), on an agenda item or in general."""
    key = _key(meeting_id)
    try:
        meeting = await _meeting(database, key) if key else None
    except NotFound:
        meeting = None
    if meeting is None:
        return not_found(request)
    signed = await sessions.visitor(request, database, settings)
    if signed is None:
        return _see(f"/sign-in?next=/meetings/{meeting.id}/speak")
    context: dict[str, Any] = {"meeting": meeting, "values": {}, "visitor": signed.profile}
    order = ("topic", "agenda_item_id")
    if request.method == "GET":
        return form_page(request, settings, "speak.html.j2", context, order=order)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in order}
    context["values"] = values
    language = language_of(request)

    page = forms.Page(request, settings, "speak.html.j2", context, order)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        body = SpeakerCreate.model_validate(
            {"topic": values["topic"], "agenda_item_id": values["agenda_item_id"] or None}
        )
    except ValidationError as exc:
        return page.again(forms.from_validation(exc, language, {}), 422)
    try:
        async with database.unit_of_work() as session:
            await speakers.sign_up(session, signed.actor, meeting.id, body)
    except Conflict as exc:
        said = ONCE if exc.code is ProblemCode.ALREADY_EXISTS else CLOSED
        return page.again(FormErrors({"topic": i18n.translations(language).gettext(said)}), 409)
    except (Forbidden, Unprocessable, NotFound) as exc:
        return page.again(
            _refusal(exc, language, "topic"), 403 if isinstance(exc, Forbidden) else 422
        )
    return _see(f"/meetings/{meeting.id}?spoken=1")


@router.api_route("/proposals/new", methods=["GET", "POST"], name="site_propose")
async def propose(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """A resident's proposal (signed in)."""
    signed = await sessions.visitor(request, database, settings)
    if signed is None:
        return _see("/sign-in")
    order = ("title", "body")
    context: dict[str, Any] = {"values": {}, "visitor": signed.profile}
    if request.method == "GET":
        return form_page(request, settings, "propose.html.j2", context, order=order)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in order}
    context["values"] = values
    language = language_of(request)

    page = forms.Page(request, settings, "propose.html.j2", context, order)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        body = ProposalCreate.model_validate(
            {**values, "show_name": form.get("show_name") == "yes"}
        )
    except ValidationError as exc:
        return page.again(forms.from_validation(exc, language, {}), 422)
    try:
        async with database.unit_of_work() as session:
            made = await proposals.create(session, settings, signed.actor, body)
    except Forbidden as exc:
        return page.again(_refusal(exc, language, "title"), 403)
    return _see(f"/proposals/{made['id']}")


@router.get("/proposals/{proposal_id}", name="site_proposal")
async def proposal(
    request: Request, proposal_id: str, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """A proposal, its supporters and the commission's answer; support it (signed in)."""
    key = _key(proposal_id)
    try:
        if key is None:
            raise NotFound("no such proposal")
        async with database.unit_of_work(Reads.STATEMENTS) as session:
            found = await proposals.read_public(session, key)
    except NotFound:
        return not_found(request)
    signed = await sessions.visitor(request, database, settings)
    if signed is None:

        async def build() -> dict[str, Any]:
            return {"proposal": found}

        return await public_page(request, database, settings, "proposal.html.j2", build)
    context = {"proposal": found, "visitor": signed.profile, "values": {}}
    return form_page(request, settings, "proposal.html.j2", context)


@router.post("/proposals/{proposal_id}/support", name="site_support")
async def support(
    request: Request, proposal_id: str, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """Support (``support=yes``) or withdraw one's support (``support=no``)."""
    key = _key(proposal_id)
    signed = await sessions.visitor(request, database, settings)
    form = await request.form()
    if key is None:
        return not_found(request)
    if signed is None or not forms.checked(request, settings, form):
        return _see(f"/proposals/{key}")
    try:
        async with database.unit_of_work() as session:
            if form.get("support") == "no":
                await proposals.withdraw_support(session, signed.actor, key)
            else:
                await proposals.support(session, signed.actor, key)
    except NotFound:
        return not_found(request)
    except (Conflict, Forbidden):
        return _see(f"/proposals/{key}?refused=1")
    return _see(f"/proposals/{key}")
