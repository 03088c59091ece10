"""Open311 GeoReport v2 shapes (the specification's names, JSON side; the XML is the same
tree), and the admin's API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from oversight.accounts.schemas import Email
from oversight.concerns.enums import Kind
from oversight.concerns.schemas import Badge, Phone
from oversight.core.schemas import In, Out, Text200
from oversight.open311.rules import PublicStatus

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class Open311KeyCreate(In):
    name: Text200 = Field(description="Who the key is for, e.g. the city's 311 app.")


class Open311KeyOut(Out):
    id: uuid.UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None


class Open311KeyCreated(Open311KeyOut):
    api_key: str = Field(description="The key itself: shown in this answer only.")


class ServiceRequestForm(In):
    """POST requests: the specification's form fields. An empty field is one left out, as the
    specification says. Where it happened is optional here (a concern may have no place)."""

    api_key: Annotated[str, StringConstraints(max_length=200)] | None = None
    jurisdiction_id: Line | None = None
    service_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    long: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    address_string: Line | None = None
    address_id: Line | None = None
    email: Email | None = None
    device_id: Line | None = None
    account_id: Line | None = None
    first_name: Line | None = None
    last_name: Line | None = None
    phone: Phone | None = None
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ] = Field(description="What happened; the first line becomes the concern's summary.")
    media_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    kind: Kind | None = Field(
        default=None,
        alias="attribute[kind]",
        description="Optional: left out, the service's group (its category's usual kind).",
    )
    occurred_at: Line | None = Field(default=None, alias="attribute[occurred_at]")
    officer_badge: Badge | None = Field(default=None, alias="attribute[officer_badge]")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data

    @model_validator(mode="after")
    def _both_coordinates(self) -> ServiceRequestForm:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long must be sent together")
        return self


class Endpoint(Out):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(Out):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(Out):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: Kind


class AttributeValue(Out):
    key: str
    name: str


class ServiceAttribute(Out):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(Out):
    service_code: str
    attributes: list[ServiceAttribute]


class RequestCreated(Out):
    service_request_id: str
    service_notice: str


class ServiceRequest(Out):
    """What the public record allows of a concern: no description, address, coordinates,
    media or contact; dates are the first instant of their month."""

    service_request_id: str
    status: PublicStatus
    status_notes: str
    service_name: str
    service_code: str
    agency_responsible: str | None
    requested_datetime: str
    updated_datetime: str


class Open311Error(Out):
    code: int
    description: str
