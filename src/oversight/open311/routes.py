"""Open311 GeoReport v2 under ``/open311/v2`` (JSON and XML, the specification's names and
error shape), and the admin's keys for it under ``/api/v1/open311/keys``.

Every answer is written twice-capable: the same tree as JSON, or as the specification's XML
(``.xml``). Errors under ``/open311/v2`` are ``[{code, description}]`` (``<errors>`` in XML),
whatever raised them: ``install`` registers that dialect with the app's error handlers. The
public GETs are cached like every other public answer (``core.http.caching``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, Response, status
from pydantic import StringConstraints
from pydantic_core import to_json
from starlette.convertors import Convertor, register_url_convertor

from oversight.accounts.deps import CurrentActor
from oversight.core.errors import ProblemCode
from oversight.core.http.deps import Cursor, Limit, LimiterDep, SessionDep, SettingsDep, Storable
from oversight.core.http.documentation import documented
from oversight.core.http.responses import created_at, json_response
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.ratelimit import RateLimit
from oversight.core.schemas import Page
from oversight.open311 import keys as open311_keys
from oversight.open311 import service as open311
from oversight.open311.rules import MAX_REQUESTS, Format
from oversight.open311.schemas import (
    Discovery,
    Open311Error,
    Open311KeyCreate,
    Open311KeyCreated,
    Open311KeyOut,
    RequestCreated,
    Service,
    ServiceDefinition,
    ServiceRequest,
    ServiceRequestForm,
)
from oversight.open311.service import PREFIX


class FormatConvertor(Convertor[str]):
    """``json`` or ``xml`` only: another suffix names no resource, so it is a 404."""

    regex = "json|xml"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("open311_format", FormatConvertor())

router = APIRouter(prefix=PREFIX, tags=["open311"])
keys = APIRouter(prefix="/open311/keys", tags=["open311"])

MEDIA = {Format.JSON: "application/json; charset=utf-8", Format.XML: "text/xml; charset=utf-8"}
#: The XML element of each list's items (the specification's names).
_ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for name, item in value.items():
            _fill(SubElement(element, name), item)
    elif isinstance(value, list):
        for item in value:
            _fill(SubElement(element, _ITEM[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def render(
    fmt: Format,
    root: str,
    content: Any,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``content`` as JSON, or as XML under ``root`` (a list's items named by ``_ITEM``)."""
    if fmt is Format.XML:
        element = Element(root)
        _fill(element, content)
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode")
        body = text.encode()
    else:
        body = to_json(content)
    return Response(body, status_code, headers=dict(headers or {}), media_type=MEDIA[fmt])


#: The specification's statuses: 403 for a missing or bad key, 404 for what does not exist,
#: 400 for any other request that cannot be fulfilled; the rest keep their HTTP meaning.
_SPEC_STATUS = {401: 403, 409: 400, 422: 400}


def errors(
    path: str, status_code: int, descriptions: list[str], headers: Mapping[str, str]
) -> Response:
    """The error dialect of ``/open311/v2``: ``[{code, description}]``."""
    fmt = Format.XML if path.endswith(".xml") else Format.JSON
    code = _SPEC_STATUS.get(status_code, status_code)
    listed = [{"code": code, "description": text} for text in descriptions]
    kept = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
    return render(fmt, "errors", listed, code, kept)


Jurisdiction = Annotated[
    str | None,
    Query(max_length=300, description="Optional: this endpoint serves one jurisdiction."),
    Storable,
]


async def in_jurisdiction(settings: SettingsDep, jurisdiction_id: Jurisdiction = None) -> None:
    open311.check_jurisdiction(settings, jurisdiction_id)


#: GET's ``jurisdiction_id``: optional, since one jurisdiction is served; another is a 404.
IN_JURISDICTION = [Depends(in_jurisdiction)]
#: "can be declared multiple times, comma delimited": both, joined.
Listed = Annotated[
    list[Annotated[str, StringConstraints(max_length=4000), Storable]] | None,
    Query(max_length=100),
]
When = Annotated[str | None, Query(max_length=64), Storable]


@router.get("/discovery.{fmt:open311_format}", name="discovery", response_model=Discovery)
async def discovery(fmt: Format, settings: SettingsDep) -> Response:
    """The service discovery document: where this endpoint is and what it speaks."""
    return render(fmt, "discovery", open311.discovery(settings))


@router.get(
    "/services.{fmt:open311_format}",
    name="services",
    response_model=list[Service],
    dependencies=IN_JURISDICTION,
)
async def services(fmt: Format, session: SessionDep) -> Response:
    """One service per active concern category; `group` is the kind of concern it files."""
    return render(fmt, "services", await open311.services(session))


@router.get(
    "/services/{service_code}.{fmt:open311_format}",
    name="service_definition",
    response_model=ServiceDefinition,
    dependencies=IN_JURISDICTION,
)
async def service_definition(
    service_code: Annotated[str, Storable], fmt: Format, session: SessionDep
) -> Response:
    """The attributes a request may carry, none required: `kind` (left out: the service's
    group), `occurred_at`, `officer_badge`."""
    return render(fmt, "service_definition", await open311.definition(session, service_code))


async def open311_key(request: Request, session: SessionDep, limiter: LimiterDep) -> uuid.UUID:
    """The filing system's key, checked before the form is (403 first, as the specification
    lists it), then counted against its rate limit."""
    sent = (await request.form()).get("api_key")  # parsed once: the route reads it again
    key_id = await open311_keys.key_of(session, sent if isinstance(sent, str) else None)
    await limiter.hit(RateLimit.OPEN311_KEY, str(key_id))
    return key_id


@router.post(
    "/requests.{fmt:open311_format}",
    name="file_request",
    status_code=status.HTTP_201_CREATED,
    response_model=list[RequestCreated],
)
@documented(raises=(ProblemCode.FORBIDDEN,), located=True)
async def file_request(
    fmt: Format,
    form: Annotated[ServiceRequestForm, Form()],
    key_id: Annotated[uuid.UUID, Depends(open311_key)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """File a concern, anonymously, for the person a 311 system speaks for (`api_key`
    required; requests counted per key). The answer's `service_notice` carries the private
    tracking code; `service_request_id` is the public id. `first_name`, `last_name`,
    `device_id`, `account_id` and `media_url` are accepted and not kept."""
    created = await open311.file_request(session, settings, key_id, form)
    location = f"{PREFIX}/requests/{created['service_request_id']}.{fmt.value}"
    return render(fmt, "service_requests", [created], 201, {"Location": location})


@router.get(
    "/requests.{fmt:open311_format}",
    name="requests",
    response_model=list[ServiceRequest],
    dependencies=IN_JURISDICTION,
)
async def requests(
    fmt: Format,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    service_request_id: Listed = None,
    service_code: Listed = None,
    start_date: When = None,
    end_date: When = None,
    status: Listed = None,
    after: Annotated[
        str | None,
        Query(max_length=100, description="Extension: the next page, from the `Link` header."),
        Storable,
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_REQUESTS, description="Extension: at most this many.")
    ] = MAX_REQUESTS,
) -> Response:
    """Requests of a window of at most 90 days (the last 90 by default), widened to whole
    months; what the public record allows of each. More than `limit`: a `Link` header with
    `rel="next"`."""
    found, next_after = await open311.requests(
        session,
        settings,
        service_request_id=",".join(service_request_id or ()),
        service_code=",".join(service_code or ()),
        start_date=start_date,
        end_date=end_date,
        status=",".join(status or ()),
        after=after,
        limit=limit,
        now=datetime.now(UTC),
    )
    headers = {}
    if next_after:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        link = f"{request.url.path}?{urlencode([*query, ('after', next_after)])}"
        headers["Link"] = f'<{link}>; rel="next"'
    return render(fmt, "service_requests", found, headers=headers)


@router.get(
    "/requests/{service_request_id}.{fmt:open311_format}",
    name="request",
    response_model=list[ServiceRequest],
    dependencies=IN_JURISDICTION,
)
async def request_by_id(
    service_request_id: Annotated[str, Storable],
    fmt: Format,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """One request, as a list of one (as the specification writes it)."""
    found = await open311.request(session, settings, service_request_id)
    return render(fmt, "service_requests", [found])


@keys.post("", name="issue_key", status_code=201, response_model=Open311KeyCreated)
@documented(located=True)
async def issue_key(
    body: Open311KeyCreate, request: Request, session: SessionDep, actor: CurrentActor
) -> Response:
    """A key for one 311 system: `api_key` is in this answer only (the service keeps its
    SHA-256)."""
    key = await open311_keys.issue_key(session, actor, body)
    return json_response(key, 201, {"Location": created_at(request, key["id"])})


@keys.get("", name="keys", response_model=Page[Open311KeyOut])
async def list_keys(
    session: SessionDep, actor: CurrentActor, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    items, next_cursor = await open311_keys.keys(session, actor, limit=limit, cursor=cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@keys.delete("/{key_id}", name="revoke_key", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(key_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> Response:
    """Refused from now on (the key stays listed, with `revoked_at`)."""
    await open311_keys.revoke_key(session, actor, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def install(app: FastAPI) -> None:
    """Errors under ``/open311/v2`` in the specification's shape."""
    app.state.error_dialects = ((PREFIX, errors),)


_ERROR_TEXT = {
    "400": "The request cannot be fulfilled: a parameter is missing or wrong.",
    "403": "`api_key` is missing or not valid.",
    "404": "No such service, request or jurisdiction.",
    "413": "The request body is over the size limit.",
    "429": "Too many requests with this key; wait for `Retry-After` seconds.",
    "503": "The database is unavailable; retry after `Retry-After` seconds.",
    "default": "An error, as `[{code, description}]` (`<errors>` in XML).",
}
_ERRORS = {
    "application/json": {
        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Open311Error"}}
    },
    "text/xml": {"schema": {"type": "string"}},
}


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """The Open311 operations answer errors as ``[{code, description}]`` (JSON) or
    ``<errors>`` (XML), with the specification's statuses, and every answer in both formats."""
    openapi["components"]["schemas"]["Open311Error"] = Open311Error.model_json_schema()
    for path, item in openapi["paths"].items():
        if not path.startswith(PREFIX + "/"):
            continue
        for operation in item.values():
            responses: dict[str, Any] = operation["responses"]
            for old, new in _SPEC_STATUS.items():
                if str(old) in responses:
                    moved = responses.pop(str(old))
                    responses.setdefault(str(new), moved)
            for code, response in responses.items():
                if code == "default" or int(code) >= 400:
                    response["content"] = _ERRORS
                    response["description"] = _ERROR_TEXT.get(code, "An error.")
                elif "content" in response:  # not a 304: it has no body
                    response["content"]["text/xml"] = {"schema": {"type": "string"}}
    listed = openapi["paths"][PREFIX + "/requests.{fmt}"]["get"]["responses"]["200"]
    listed["headers"]["Link"] = {
        "description": 'The next page, `<...>; rel="next"`, when there are more.',
        "schema": {"type": "string"},
    }
    return openapi
