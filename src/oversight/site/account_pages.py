"""Accounts on the site: register, sign in and out, and the account page (my concerns, my
comments, my language and e-mail). The same services, limits and audit events as
`/api/v1/auth/...` and `/api/v1/users/me`; the session is a cookie naming the sign-in
(``sessions``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from oversight.accounts import auth, service
from oversight.accounts.schemas import AccountCreate, ProfileUpdate
from oversight.concerns.queue import ConcernFilters
from oversight.concerns.queue import page as concerns_page
from oversight.concerns.schemas import ConcernSort
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.engines import Reads
from oversight.core.errors import Conflict, TooManyRequests, Unauthorized
from oversight.core.http.deps import DatabaseDep, LimiterDep, SettingsDep
from oversight.core.language import N_
from oversight.core.ratelimit import RateLimit, RateLimiter, client_ip
from oversight.core.roles import Role
from oversight.meetings import public as meetings
from oversight.notifications import mail
from oversight.site import forms, i18n, sessions
from oversight.site.forms import FormErrors, form_page
from oversight.site.rendering import language_of
from oversight.voice import comments

router = APIRouter(include_in_schema=False, tags=["site"])

WRONG = N_("The e-mail address or the password is not right.")
SLOW_DOWN = N_("Too many attempts. Wait a few minutes and try again.")
TAKEN = N_("An account with this e-mail address exists already: sign in.")
PASSWORD = N_(
    "Choose a password of 12 to 128 characters that is not your e-mail address and not a "
    "common password."
)
NAME = N_("Enter the name to show (at most 200 characters).")
SIGN_IN_FIELDS = ("email", "password")
REGISTER_FIELDS = ("display_name", "email", "password")


def _signed_in_at(target: str) -> Response:
    return Response(status_code=303, headers={"Location": target})


async def _sign_in(
    request: Request,
    database: Database,
    settings: Settings,
    limiter: RateLimiter,
    email: str,
    password: str,
) -> tuple[auth.SignedIn, str | None]:
    """The API's sign-in (its limits, familiar devices and audit), then the caller it opened."""
    device = request.cookies.get(sessions.DEVICE)
    ip = client_ip(request)
    locked_for = await limiter.check_sign_in(email, ip)
    attempt = auth.Attempt(email, password, ip, device, locked_for)
    try:
        async with database.unit_of_work() as session:
            tokens = await auth.sign_in(session, database.direct, settings, attempt)
    except Unauthorized:
        await limiter.sign_in_failed(email, ip)
        raise
    signed = await auth.signed_in(database, settings, tokens.access_token)
    return signed, tokens.device_token


def _next(raw: object) -> str:
    """Where to go after signing in: a path of this site, else the account page."""
    target = str(raw or "")
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/account"


@router.get("/sign-in", name="site_sign_in_form")
async def sign_in_form(request: Request, settings: SettingsDep) -> Response:
    context = {"values": {}, "next": _next(request.query_params.get("next"))}
    return form_page(request, settings, "sign_in.html.j2", context, order=SIGN_IN_FIELDS)


@router.post("/sign-in", name="site_sign_in")
async def sign_in(
    request: Request, database: DatabaseDep, settings: SettingsDep, limiter: LimiterDep
) -> Response:
    form = await request.form()
    values = {"email": str(form.get("email", "")).strip()}
    gettext = i18n.translations(language_of(request)).gettext

    context = {"values": values, "next": _next(form.get("next"))}
    page = forms.Page(request, settings, "sign_in.html.j2", context, SIGN_IN_FIELDS)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        await limiter.hit(RateLimit.SIGN_IN_IP, client_ip(request))
        signed, device = await _sign_in(
            request, database, settings, limiter, values["email"], str(form.get("password", ""))
        )
    except TooManyRequests:
        return page.again(FormErrors({"email": gettext(SLOW_DOWN)}), 429)
    except Unauthorized:
        return page.again(FormErrors({"email": gettext(WRONG)}), 401)
    answer = _signed_in_at(_next(form.get("next")))
    sessions.start(answer, settings, signed, device)
    return answer


@router.get("/register", name="site_register_form")
async def register_form(request: Request, settings: SettingsDep) -> Response:
    return form_page(request, settings, "register.html.j2", {"values": {}}, order=REGISTER_FIELDS)


@router.post("/register", name="site_register")
async def register(
    request: Request, database: DatabaseDep, settings: SettingsDep, limiter: LimiterDep
) -> Response:
    """A resident's account, then signed in to it."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("display_name", "email")}
    password = str(form.get("password", ""))
    gettext = i18n.translations(language_of(request)).gettext

    page = forms.Page(request, settings, "register.html.j2", {"values": values}, REGISTER_FIELDS)
    if not forms.checked(request, settings, form):
        return page.expired()
    try:
        body = AccountCreate.model_validate({**values, "password": password})
    except ValidationError as exc:
        words = {"display_name": NAME, "password": PASSWORD}
        errors = forms.from_validation(exc, language_of(request), {})
        return page.again(
            FormErrors({k: gettext(words.get(k, "")) or v for k, v in errors.items()}), 422
        )
    ip = client_ip(request)
    try:
        await limiter.hit(RateLimit.REGISTER_ATTEMPTS_IP, ip)
        await limiter.check(RateLimit.REGISTER_IP, ip)
        async with database.unit_of_work() as session:
            await service.register(session, database.direct, body)
        await limiter.count(RateLimit.REGISTER_IP, ip)
        signed, device = await _sign_in(request, database, settings, limiter, body.email, password)
    except TooManyRequests:
        return page.again(FormErrors({"email": gettext(SLOW_DOWN)}), 429)
    except Conflict:
        return page.again(FormErrors({"email": gettext(TAKEN)}), 409)
    answer = _signed_in_at("/account")
    sessions.start(answer, settings, signed, device)
    return answer


@router.post("/sign-out", name="site_sign_out")
async def sign_out(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """End this sign-in (server-side: the cookie names nothing any more)."""
    form = await request.form()
    if not forms.checked(request, settings, form):
        return _signed_in_at("/account")
    signed = await sessions.visitor(request, database, settings)
    if signed is not None:
        async with database.unit_of_work() as session:
            await auth.end_session(session, signed.actor)
    answer = _signed_in_at("/")
    sessions.end(answer)
    return answer


@router.get("/account", name="site_account")
async def account(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """The signed-in resident's page: their concerns and comments, newest first, their
    language and e-mail, and signing out."""
    signed = await sessions.visitor(request, database, settings)
    if signed is None:
        return _signed_in_at("/sign-in?next=/account")
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        concerns, _ = await concerns_page(
            session,
            signed.actor,
            ConcernFilters(),
            sort=ConcernSort.NEWEST,
            limit=50,
            cursor=None,
        )
        said: list[Any] = []
        if signed.actor.role is Role.RESIDENT:
            said, _ = await comments.mine(session, signed.actor, limit=50, cursor=None)
        emailed = await mail.subscribed(session, signed.profile["email"])
    context = {
        "profile": signed.profile,
        "concerns": concerns,
        "comments": said,
        "values": {"locale": signed.profile["locale"], "email": "yes" if emailed else "no"},
        "saved": request.query_params.get("saved") == "1",
        "visitor": signed.profile,
    }
    return form_page(request, settings, "account.html.j2", context)


@router.post("/account", name="site_account_preferences")
async def preferences(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Save the account's language (the site's and the e-mails') and whether it is e-mailed
    about its concerns; the site then speaks the language chosen."""
    form = await request.form()
    signed = await sessions.visitor(request, database, settings)
    if signed is None or not forms.checked(request, settings, form):
        return _signed_in_at("/account")
    try:
        choice = ProfileUpdate.model_validate({"locale": form.get("locale")})
    except ValidationError:
        return _signed_in_at("/account")
    async with database.unit_of_work() as session:
        await service.change_own(session, signed.actor, choice)
        email = signed.profile["email"]
        if form.get("email") == "yes":
            await mail.resubscribe(session, email)
        else:
            await mail.unsubscribe(session, email)
    answer = _signed_in_at("/account?saved=1")
    i18n.remember(answer, str(choice.locale))
    return answer


@router.get("/agenda-items/{item_id}", name="site_agenda_item")
async def agenda_item(item_id: uuid.UUID, database: DatabaseDep) -> Response:
    """An agenda item in its meeting's page (where a comment on it is shown)."""
    async with database.unit_of_work(Reads.STATEMENTS) as session:
        meeting_id = await meetings.meeting_of_item(session, item_id)
    return Response(status_code=303, headers={"Location": f"/meetings/{meeting_id}#item-{item_id}"})
