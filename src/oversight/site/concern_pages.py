"""Bringing a concern through the site: the form (anonymous, or signed in; with a file if the
resident has one), its refusals beside each field, the receipt with the tracking code shown
once; adding information by code. The same intake service, limits and audit as
`POST /api/v1/concerns`, and the same upload checks as `POST .../attachments` (streamed,
typed by its bytes, scanned, kept by its hash, a copy without location data)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.requests import ClientDisconnect

from oversight.accounts import directory
from oversight.concerns import intake, notes
from oversight.concerns.enums import Kind
from oversight.concerns.schemas import ConcernCreate, PublicNoteCreate
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.engines import Reads
from oversight.core.errors import (
    NotFound,
    OversightError,
    ProblemCode,
    TooManyRequests,
    Unprocessable,
)
from oversight.core.http.deps import DatabaseDep, LimiterDep, SettingsDep
from oversight.core.language import N_
from oversight.core.ratelimit import RateLimit, client_ip
from oversight.core.roles import Role
from oversight.evidence import service as evidence
from oversight.evidence import upload
from oversight.site import csrf, forms, i18n, sessions
from oversight.site.forms import FormErrors, form_page
from oversight.site.rendering import language_of
from oversight.site.words import WORDS, words_for

router = APIRouter(include_in_schema=False, tags=["site"])

FIELDS = (
    "kind",
    "category",
    "summary",
    "description",
    "occurred_on",
    "occurred_time",
    "address",
    "neighborhood",
    "contact_email",
    "contact_phone",
)
#: Everything the form sends.
SENT = (*FIELDS, csrf.FIELD)
#: Where a schema's refusal points in the form.
LOCATIONS: dict[tuple[object, ...], str] = {
    ("occurred_at",): "occurred_on",
    ("location", "address"): "address",
    ("location", "neighborhood"): "neighborhood",
}
LIMITED = N_("Too many concerns from your connection. Wait an hour and try again.")
#: What a refused file's field says, by the problem's status.
FILE_SAYS: dict[int, str] = {
    413: N_("The file is too large: send one of at most %(size)s."),
    415: N_(
        "This kind of file is not accepted: send a photo, a PDF, a text, a sound or a video file."
    ),
    503: N_(
        "The file cannot be checked just now: try again in a few minutes, or send the concern "
        "without it."
    ),
}
FILE_HARMFUL = N_("The virus scanner found something harmful in the file.")
FILE_CUT = N_("The file did not arrive whole: choose it again.")
FILE_AGAIN = N_("Choose your file again: the browser does not keep it after an error.")


async def _options(request: Request, database: Database, settings: Settings) -> dict[str, Any]:
    gettext = i18n.translations(language_of(request)).gettext
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        categories, _ = await directory.list_categories(session, limit=200, cursor=None)
    return {
        "file_limit": settings.attachment_max_bytes,
        "kinds": [(k.value, gettext(words_for("kind", k))) for k in Kind],
        "categories": [
            (
                c.code,
                gettext(WORDS[("category", c.code)]) if ("category", c.code) in WORDS else c.label,
            )
            for c in categories
            if c.active
        ],
    }


def _when(values: dict[str, str], errors: FormErrors, language: str) -> datetime | None:
    """The date and time given, in the commission's time zone, else None; an unreadable one
    is an error beside its field."""
    gettext = i18n.translations(language).gettext
    day, hour = values.get("occurred_on", ""), values.get("occurred_time", "")
    if not day:
        if hour:
            errors["occurred_on"] = gettext(forms.SAYS["occurred_on"])
        return None
    try:
        when = time.fromisoformat(hour) if hour else time(12, 0)
    except ValueError:
        errors["occurred_time"] = gettext(forms.SAYS["occurred_time"])
        return None
    try:
        return datetime.combine(date.fromisoformat(day), when, ZoneInfo(i18n.TIMEZONE))
    except ValueError:
        errors["occurred_on"] = gettext(forms.SAYS["occurred_on"])
        return None


def _body(values: dict[str, str], occurred_at: datetime | None, language: str) -> dict[str, Any]:
    location = {k: values[k] for k in ("address", "neighborhood") if values.get(k)}
    body: dict[str, Any] = {
        "kind": values.get("kind") or None,
        "category": values.get("category") or None,
        "summary": values.get("summary", ""),
        "description": values.get("description", ""),
        "occurred_at": occurred_at,
        "location": location or None,
        "contact_email": values.get("contact_email") or None,
        "contact_phone": values.get("contact_phone") or None,
        "locale": language,
    }
    return body


@router.get("/concerns/new", name="site_concern_form")
async def concern_form(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    context = {"values": {}, **await _options(request, database, settings)}
    return form_page(request, settings, "concern_new.html.j2", context, order=FIELDS)


async def _sent(
    request: Request, settings: Settings
) -> tuple[dict[str, str], upload.Received | None, OversightError | None]:
    """The form as sent: a browser's multipart (its file streamed into staging and checked
    like every upload), or url-encoded without a file; a refused file is the problem."""
    if not request.headers.get("content-type", "").startswith("multipart/"):
        form = await request.form()
        return {name: str(form.get(name, "")) for name in SENT}, None, None
    parts = upload.Parts(texts=SENT, about=None)
    try:
        received = await upload.receive_form(
            request.stream(),
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.app.state.store,
            settings,
            parts,
        )
    except ClientDisconnect:
        cut = Unprocessable("The upload was cut off before its end.")
        return {name: parts.text(name) for name in SENT}, None, cut
    except OversightError as exc:
        return {name: parts.text(name) for name in SENT}, None, exc
    return {name: parts.text(name) for name in SENT}, received, None


def _file_error(exc: OversightError, settings: Settings, language: str) -> str:
    gettext = i18n.translations(language).gettext
    harmful = exc.code is ProblemCode.MALWARE_FOUND
    says = FILE_HARMFUL if harmful else FILE_SAYS.get(exc.status)
    if says is None:
        return gettext(FILE_CUT)
    return gettext(says) % {"size": i18n.filesize(settings.attachment_max_bytes, language)}


@router.post("/concerns/new", name="site_concern_submit")
async def concern_submit(
    request: Request, database: DatabaseDep, settings: SettingsDep, limiter: LimiterDep
) -> Response:
    """Check the form, count it against the intake limit, file it (and its file), show the
    receipt."""
    sent, received, refused = await _sent(request, settings)
    values = {name: sent[name].strip() for name in FIELDS}
    language = language_of(request)
    gettext = i18n.translations(language).gettext
    context = {"values": values, **await _options(request, database, settings)}

    page = forms.Page(request, settings, "concern_new.html.j2", context, (*FIELDS, "file"))

    def again(errors: FormErrors, status_code: int = 422) -> Response:
        """The form again; a file sent with it is not kept (the browser forgets it too)."""
        if received is not None:
            received.staged.unlink(missing_ok=True)
            errors.setdefault("file", gettext(FILE_AGAIN))
        return page.again(errors, status_code)

    if not csrf.valid(request, settings, sent[csrf.FIELD]):
        return again(FormErrors({"csrf": gettext(forms.EXPIRED)}), 403)
    errors = FormErrors()
    if refused is not None:
        errors["file"] = _file_error(refused, settings, language)
    occurred_at = _when(values, errors, language)
    try:
        body = ConcernCreate.model_validate(_body(values, occurred_at, language))
    except ValidationError as exc:
        errors.update(forms.from_validation(exc, language, LOCATIONS))
    if errors:
        return again(errors, refused.status if refused is not None else 422)
    signed = await sessions.visitor(request, database, settings)
    # A resident's own concern; staff file theirs through the staff tools, with a channel.
    actor = signed.actor if signed is not None and signed.actor.role is Role.RESIDENT else None
    try:
        if actor is None:
            await limiter.hit(RateLimit.INTAKE_IP, client_ip(request))
        else:
            await limiter.hit(RateLimit.SUBMIT_ACCOUNT, str(actor.user_id))
    except TooManyRequests:
        return again(FormErrors({"limit": gettext(LIMITED)}), 429)
    try:
        concern = await intake.submit_alone(database, settings, actor, body)
    except Unprocessable:  # a category withdrawn meanwhile
        return again(forms.for_field("category", language))
    kept = None
    if received is not None:
        async with database.unit_of_work() as session:
            target = await evidence.by_code(session, concern["tracking_code"])
            kept = await evidence.add(
                session,
                actor,
                target,
                received,
                store=request.app.state.store,
                settings=settings,
            )
    return form_page(
        request, settings, "concern_receipt.html.j2", {"concern": concern, "kept": kept}
    )


@router.post("/track/notes", name="site_track_note")
async def add_information(
    request: Request, database: DatabaseDep, settings: SettingsDep, limiter: LimiterDep
) -> Response:
    """Add information to a concern by its tracking code, as the submitter."""
    form = await request.form()
    code = str(form.get("code", "")).strip()
    text = str(form.get("body", "")).strip()
    language = language_of(request)
    gettext = i18n.translations(language).gettext
    context = {"code": code, "found": None, "values": {"body": text}}

    page = forms.Page(request, settings, "track.html.j2", context)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        note = PublicNoteCreate.model_validate({"body": text})
    except ValidationError as exc:
        return page.again(forms.from_validation(exc, language, {}), 422)
    try:
        await limiter.hit(RateLimit.TRACKING_IP, client_ip(request))
        async with database.unit_of_work() as session:
            await notes.add_note_by_code(session, code, note.body)
    except (NotFound, TooManyRequests) as exc:
        status = 429 if isinstance(exc, TooManyRequests) else 404
        return page.again(FormErrors({"code": gettext(forms.SAYS["code"])}), status)
    target = f"/track?{urlencode({'code': code, 'added': 1})}"
    return Response(status_code=303, headers={"Location": target})
