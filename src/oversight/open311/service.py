"""Open311 GeoReport v2: an adapter over the concern services, with no rule of its own beyond
what the specification and the public record ask (``open311.rules``).

A filed request is an ordinary anonymous intake (``concerns.intake.submit``) on the ``open311``
channel; the public list reads the same rows the open data does, with what the public record
allows of them. The API keys that 311 systems file with are ``open311.keys``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import Category, Department
from oversight.concerns import intake
from oversight.concerns.enums import Kind
from oversight.concerns.models import Concern
from oversight.concerns.schemas import AllegationCreate, ConcernCreate, LocationCreate
from oversight.core.config import Settings
from oversight.core.errors import NotFound, Unprocessable
from oversight.core.periods import Month, Period, PeriodError
from oversight.open311.rules import (
    ATTRIBUTES,
    CHANGESET,
    MAX_IDS,
    SPECIFICATION,
    PublicStatus,
    month_start,
    parse_w3c,
    public_status,
    status_notes,
    statuses_of,
    summary_of,
    w3c,
    window,
)
from oversight.open311.schemas import ServiceRequestForm

PREFIX = "/open311/v2"


# Discovery and services ----------------------------------------------------------------------


def check_jurisdiction(settings: Settings, jurisdiction_id: str | None) -> None:
    """One jurisdiction is served: any other is not found (an empty one is left out)."""
    if jurisdiction_id and jurisdiction_id != settings.jurisdiction_id:
        raise NotFound(f"jurisdiction_id {jurisdiction_id} was not found.")


def discovery(settings: Settings) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": settings.open311_contact,
        "key_service": "API keys for filing requests are issued by the commission's "
        "administrators.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": settings.public_url.rstrip("/") + PREFIX,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _service(category: Category) -> dict[str, Any]:
    kind = Kind(category.kind)
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": f"{category.label}: a concern for the police oversight commission.",
        "metadata": True,
        "type": "realtime",
        "keywords": f"{kind.value.replace('_', ' ')}, police, oversight",
        "group": kind,
    }


async def services(session: AsyncSession) -> list[dict[str, Any]]:
    """One service per active category, by code."""
    rows = await session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.code)
    )
    return [_service(category) for category in rows]


async def _active_category(session: AsyncSession, code: str) -> Category:
    category = await session.get(Category, code)
    if category is None or not category.active:
        raise NotFound(f"service_code {code} was not found.")
    return category


async def definition(session: AsyncSession, code: str) -> dict[str, Any]:
    await _active_category(session, code)
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": key, "name": name} for key, name in a.values],
            }
            for a in ATTRIBUTES
        ],
    }


# Filing a request ----------------------------------------------------------------------------

#: ConcernCreate's fields as the form names them, for errors found when the concern is built.
_FORM_NAMES = {
    "occurred_at": "attribute[occurred_at]",
    "kind": "attribute[kind]",
    "category": "service_code",
    "location": "address_string",
    "contact_email": "email",
    "contact_phone": "phone",
}


def _concern(form: ServiceRequestForm, category: Category) -> ConcernCreate:
    # Optional, as the definition says: a plain GeoReport client sends no attributes, and
    # the category's kind (the service's group) is what it files.
    kind = form.kind or Kind(category.kind)
    description = form.description
    if form.officer_badge and kind is not Kind.COMPLAINT:
        # Only complaints carry allegations; a commendation still names its officer.
        description += f"\n\nOfficer badge: {form.officer_badge}"
    address = form.address_string or (f"address_id {form.address_id}" if form.address_id else None)
    located = address is not None or form.lat is not None
    try:
        occurred_at = (
            parse_w3c(form.occurred_at, "attribute[occurred_at]") if form.occurred_at else None
        )
        return ConcernCreate(
            kind=kind,
            category=category.code,
            summary=summary_of(description),
            description=description,
            occurred_at=occurred_at,
            location=LocationCreate(address=address, latitude=form.lat, longitude=form.long)
            if located
            else None,
            allegations=[AllegationCreate(category=category.code, officer_badge=form.officer_badge)]
            if form.officer_badge and kind is Kind.COMPLAINT
            else [],
            contact_email=form.email,
            contact_phone=form.phone,
        )
    except PeriodError as exc:
        raise Unprocessable(exc.message, loc=("body", exc.field)) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "description"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise Unprocessable(message, loc=("body", _FORM_NAMES.get(field, field))) from None


async def file_request(
    session: AsyncSession, settings: Settings, key_id: uuid.UUID, form: ServiceRequestForm
) -> dict[str, Any]:
    """An anonymous concern filed by the 311 system holding ``key_id``. The answer carries the
    tracking code in ``service_notice``, for the person alone: the public id is not it."""
    check_jurisdiction(settings, form.jurisdiction_id)
    category = await _active_category(session, form.service_code)
    concern = await intake.submit(
        session, settings, None, _concern(form, category), open311_key=key_id
    )
    code = concern["tracking_code"]
    notice = (
        f"Received. Your tracking code is {code}: keep it private; with it you can follow "
        f"your concern and add information at {settings.public_url.rstrip('/')}"
        f"/api/v1/public/concerns/{code}. The public list shows this request without your "
        "words, contact or whereabouts."
    )
    return {"service_request_id": str(concern["id"]), "service_notice": notice}


# The public list -----------------------------------------------------------------------------

_PUBLIC_COLUMNS: tuple[Any, ...] = (
    Concern.id,
    Concern.status,
    Concern.disposition,
    Concern.category,
    Concern.created_at,
    Concern.updated_at,
    Category.label,
    Department.name.label("department"),
)


def _public() -> Select[Any]:
    return (
        select(*_PUBLIC_COLUMNS)
        .join(Category, Category.code == Concern.category)
        .outerjoin(Department, Department.id == Concern.department_id)
    )


def _public_view(row: Any, settings: Settings) -> dict[str, Any]:
    return {
        "service_request_id": str(row.id),
        "status": public_status(row.status),
        "status_notes": status_notes(
            row.status, row.disposition, row.department, settings.triage_sla_days
        ),
        "service_name": row.label,
        "service_code": row.category,
        "agency_responsible": row.department,
        "requested_datetime": w3c(month_start(row.created_at)),
        "updated_datetime": w3c(month_start(row.updated_at)),
    }


def _ids(text: str, name: str) -> list[uuid.UUID]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > MAX_IDS:
        raise Unprocessable(f"at most {MAX_IDS} ids at once.", loc=("query", name))
    try:
        return [uuid.UUID(part) for part in parts]
    except ValueError:
        raise Unprocessable("each id is a service_request_id.", loc=("query", name)) from None


def _listed(text: str | None) -> set[str]:
    return {part.strip() for part in (text or "").split(",") if part.strip()}


def _cursor(after: str | None) -> tuple[Month, uuid.UUID] | None:
    """``after``: the ``YYYY-MM.<id>`` a Link header gave for the next page."""
    if not after:
        return None
    month, _, last = after.partition(".")
    try:
        return Month.parse(month, "after"), uuid.UUID(last)
    except (PeriodError, ValueError):
        raise Unprocessable("not a cursor this service gave.", loc=("query", "after")) from None


async def requests(
    session: AsyncSession,
    settings: Settings,
    *,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    after: str | None,
    limit: int,
    now: datetime,
) -> tuple[list[dict[str, Any]], str | None]:
    """The requests asked for, newest month first and by id within a month (never by the
    hour: the order must not tell more than the month does), and the ``after`` of the next
    page, if any."""
    if service_request_id:
        ids = _ids(service_request_id, "service_request_id")
        rows = await session.execute(_public().where(Concern.id.in_(ids)).order_by(Concern.id))
        return [_public_view(row, settings) for row in rows], None
    publics = _listed(status)
    if unknown := publics - set(PublicStatus):
        raise Unprocessable(
            f"is open or closed, not {', '.join(sorted(unknown))}.", loc=("query", "status")
        )
    try:
        months = window(start_date, end_date, now)
    except PeriodError as exc:
        raise Unprocessable(exc.message, loc=("query", exc.field)) from None
    position = _cursor(after)
    stmt = _public()
    if codes := _listed(service_code):
        stmt = stmt.where(Concern.category.in_(sorted(codes)))
    if publics:
        stmt = stmt.where(Concern.status.in_(statuses_of({PublicStatus(s) for s in publics})))
    found: list[dict[str, Any]] = []
    last = ""
    for month in months:
        if position and month > position[0]:
            continue
        period = Period(month, month)
        page = stmt.where(Concern.created_at >= period.lower, Concern.created_at < period.upper)
        if position and month == position[0]:
            page = page.where(Concern.id > position[1])
        rows = await session.execute(page.order_by(Concern.id).limit(limit - len(found) + 1))
        for row in rows:
            if len(found) == limit:
                return found, last
            found.append(_public_view(row, settings))
            last = f"{month}.{row.id}"
    return found, None


async def request(session: AsyncSession, settings: Settings, request_id: str) -> dict[str, Any]:
    try:
        concern_id = uuid.UUID(request_id)
    except ValueError:
        raise NotFound(f"service_request_id {request_id} was not found.") from None
    row = (await session.execute(_public().where(Concern.id == concern_id))).first()
    if row is None:
        raise NotFound(f"service_request_id {request_id} was not found.")
    return _public_view(row, settings)
