"""Open311 GeoReport v2 through HTTP, on both databases: keys, services, definitions, filing a
request as an anonymous intake, the public request list with what the public record allows,
the specification's error shape for every kind of bad input, and public caching."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import requests as requests_lib
from georeport import GeoReport
from sqlalchemy import func, select

from oversight.concerns.models import Concern
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast, reach
from tests.conftest import make_settings
from tests.helpers import CONCERNS, Api, Person, assert_problem, moved, serve

V2 = "/open311/v2"
KEYS = "/api/v1/open311/keys"
#: What the public list never carries, though the specification has a field for it.
PRIVATE_FIELDS = {"description", "address", "address_id", "zipcode", "lat", "long", "media_url"}


async def issue(api: Api, admin: Person, name: str = "City 311") -> dict[str, Any]:
    response = await api.client.post(KEYS, json={"name": name}, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def form(api_key: str, /, **fields: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "use_of_force",
        "description": "Pushed against a car at the bus stop\nThen the officer drove off.",
        "lat": "37.9701",
        "long": "-122.0301",
        "address_string": "Clayton Rd and Oak Grove Rd",
        "email": "Resident@Example.org",
        "first_name": "Ana",
        "last_name": "Ruiz",
        "phone": "+1 925 555 0100",
        "media_url": "https://example.org/photo.jpg",
        "attribute[kind]": "complaint",
        "attribute[officer_badge]": "4711",
        **fields,
    }


async def file(api: Api, api_key: str, fmt: str = "json", /, **fields: str) -> httpx.Response:
    return await api.client.post(f"{V2}/requests.{fmt}", data=form(api_key, **fields))


async def concern_count(api: Api) -> int:
    async with api.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Concern)) or 0)


def spec_errors(response: httpx.Response, status: int) -> list[dict[str, Any]]:
    """The specification's error list, JSON or XML, with this status in the header and in
    every ``code``."""
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        errors = [
            {"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    else:
        assert response.headers["content-type"].startswith("application/json")
        errors = response.json()
    assert isinstance(errors, list) and errors, response.text
    for error in errors:
        assert set(error) == {"code", "description"}
        assert error["code"] == status and error["description"]
    return errors


@pytest.fixture
async def admin(api: Api) -> Person:
    return await api.person(Role.ADMIN)


@pytest.fixture
async def key(api: Api, admin: Person) -> str:
    return str((await issue(api, admin))["api_key"])


# Keys ----------------------------------------------------------------------------------------


async def test_an_admin_issues_lists_and_revokes_keys(api: Api, admin: Person) -> None:
    created = await api.client.post(KEYS, json={"name": "SeeClickFix"}, headers=admin.headers)
    assert created.status_code == 201
    body = created.json()
    assert body["api_key"].startswith("o311_") and len(body["api_key"]) > 40
    assert created.headers["location"] == f"{KEYS}/{body['id']}"
    listed = (await api.client.get(KEYS, headers=admin.headers)).json()["items"]
    assert [(k["id"], k["name"], k["revoked_at"]) for k in listed] == [
        (body["id"], "SeeClickFix", None)
    ]
    assert "api_key" not in listed[0]
    assert (await file(api, body["api_key"])).status_code == 201

    revoked = await api.client.delete(f"{KEYS}/{body['id']}", headers=admin.headers)
    assert revoked.status_code == 204
    again = await api.client.delete(f"{KEYS}/{body['id']}", headers=admin.headers)
    assert again.status_code == 204
    listed = (await api.client.get(KEYS, headers=admin.headers)).json()["items"]
    assert listed[0]["revoked_at"] is not None
    before = await concern_count(api)
    spec_errors(await file(api, body["api_key"]), 403)
    assert await concern_count(api) == before
    events = await api.audit_events(entity_type="open311_key")
    assert [e["action"] for e in events] == ["open311.key_issued", "open311.key_revoked"]
    assert "o311_" not in str(events)


async def test_only_admins_manage_keys(api: Api, cast: Cast, admin: Person) -> None:
    issued = await issue(api, admin)
    for person in (cast.resident, cast.officer, cast.commissioner):
        assert_problem(await api.client.post(KEYS, json={"name": "x"}, headers=person.headers), 403)
        assert_problem(await api.client.get(KEYS, headers=person.headers), 403)
        assert_problem(
            await api.client.delete(f"{KEYS}/{issued['id']}", headers=person.headers), 403
        )
    assert_problem(await api.client.get(KEYS), 401)
    assert_problem(await api.client.post(KEYS, json={"name": ""}, headers=admin.headers), 422)
    assert_problem(
        await api.client.post(KEYS, json={"name": "x", "api_key": "mine"}, headers=admin.headers),
        422,
    )
    assert_problem(await api.client.delete(f"{KEYS}/{uuid.uuid4()}", headers=admin.headers), 404)
    listed = (await api.client.get(KEYS, headers=admin.headers)).json()["items"]
    assert [k["id"] for k in listed] == [issued["id"]]
    assert listed[0]["revoked_at"] is None


# Discovery, services, definitions ------------------------------------------------------------


async def test_discovery_names_this_endpoint_and_its_formats(api: Api, settings: Settings) -> None:
    document = (await api.client.get(f"{V2}/discovery.json")).json()
    (endpoint,) = document["endpoints"]
    assert endpoint["url"] == settings.public_url + V2
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = await api.client.get(f"{V2}/discovery.xml")
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(xml.content)
    assert [f.text for f in root.iter("format")] == endpoint["formats"]


async def test_one_service_per_active_category_grouped_by_kind(api: Api, admin: Person) -> None:
    for body in (
        {"code": "thanks_unit", "label": "Thanks to a unit", "kind": "commendation"},
        {"code": "retired_one", "label": "Retired", "active": False},
    ):
        created = await api.client.post("/api/v1/categories", json=body, headers=admin.headers)
        assert created.status_code == 201, created.text
        assert created.json()["kind"] == body.get("kind", "complaint")
    categories = (await api.client.get("/api/v1/public/categories?limit=200")).json()["items"]
    active = {c["code"]: c for c in categories if c["active"]}
    services = (await api.client.get(f"{V2}/services.json")).json()
    assert [s["service_code"] for s in services] == sorted(active)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["thanks_unit"]["group"] == "commendation"
    assert by_code["commendation"]["group"] == "commendation"
    assert by_code["policy_procedure"]["group"] == "policy_concern"
    assert by_code["use_of_force"] | {"description": ""} == {
        "service_code": "use_of_force",
        "service_name": "Use of force",
        "description": "",
        "metadata": True,
        "type": "realtime",
        "keywords": "complaint, police, oversight",
        "group": "complaint",
    }
    xml = ET.fromstring((await api.client.get(f"{V2}/services.xml")).content)
    assert xml.tag == "services"
    assert [s.findtext("service_code") for s in xml.findall("service")] == sorted(active)
    assert {s.findtext("metadata") for s in xml.findall("service")} == {"true"}
    spec_errors(await api.client.get(f"{V2}/services/retired_one.json"), 404)


async def test_a_definition_lists_the_attributes_a_request_may_carry(api: Api) -> None:
    definition = (await api.client.get(f"{V2}/services/bias.json")).json()
    assert definition["service_code"] == "bias"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["kind", "occurred_at", "officer_badge"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3]
    assert attributes["kind"]["datatype"] == "singlevaluelist"
    assert [v["key"] for v in attributes["kind"]["values"]] == [
        "complaint",
        "commendation",
        "policy_concern",
        "inquiry",
    ]
    assert attributes["occurred_at"]["datatype"] == "datetime"
    assert not any(a["required"] for a in attributes.values())
    xml = ET.fromstring((await api.client.get(f"{V2}/services/bias.xml")).content)
    assert xml.tag == "service_definition"
    assert [a.findtext("code") for a in xml.iter("attribute")] == list(attributes)
    assert [v.findtext("key") for v in xml.iter("value")] == [
        v["key"] for v in attributes["kind"]["values"]
    ]
    (error,) = spec_errors(await api.client.get(f"{V2}/services/no_such.xml"), 404)
    assert "no_such" in error["description"]


# Filing a request ----------------------------------------------------------------------------


async def test_a_filed_request_is_an_anonymous_concern_on_the_open311_channel(
    api: Api, cast: Cast, admin: Person
) -> None:
    issued = await issue(api, admin)
    response = await file(api, issued["api_key"], "xml")
    assert response.status_code == 201, response.text
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    notice = root.findtext("request/service_notice") or ""
    assert request_id and response.headers["location"] == f"{V2}/requests/{request_id}.xml"

    concern = (
        await api.client.get(f"{CONCERNS}/{request_id}", headers=cast.commissioner.headers)
    ).json()
    assert concern["channel"] == "open311"
    assert concern["kind"] == "complaint" and concern["category"] == "use_of_force"
    assert concern["summary"] == "Pushed against a car at the bus stop"
    assert concern["description"].endswith("Then the officer drove off.")
    assert concern["contact_email"] == "resident@example.org"
    assert concern["location"]["address"] == "Clayton Rd and Oak Grove Rd"
    assert [a["officer_badge"] for a in concern["allegations"]] == ["4711"]
    # The tracking code goes to the person alone; the public id is not it.
    assert concern["tracking_code"] in notice
    assert concern["tracking_code"] not in request_id
    # Names, the device and the media are accepted and not kept.
    for dropped in ("Ana", "Ruiz", "photo.jpg"):
        assert dropped not in str(concern)
    (event,) = await api.audit_events(entity_id=request_id, action="concern.submitted")
    assert event["actor_id"] is None
    assert event["data"]["channel"] == "open311"
    assert event["data"]["open311_key"] == issued["id"]
    # The status view by tracking code works for the person, as for any anonymous intake.
    status = await api.client.get(f"/api/v1/public/concerns/{concern['tracking_code']}")
    assert status.status_code == 200 and status.json()["status"] == "submitted"


async def test_attributes_set_the_kind_and_when_it_happened(api: Api, cast: Cast, key: str) -> None:
    response = await file(
        api,
        key,
        service_code="commendation",
        description="Officer helped my father home",
        **{
            "attribute[occurred_at]": "2026-11-05T13:15:30-05:00",
            "attribute[kind]": "commendation",
        },
    )
    assert response.status_code == 201, response.text
    (created,) = response.json()
    concern = (
        await api.client.get(
            f"{CONCERNS}/{created['service_request_id']}", headers=cast.commissioner.headers
        )
    ).json()
    assert concern["kind"] == "commendation"
    assert concern["occurred_at"].startswith("2026-11-05T18:15:30")
    # A commendation carries no allegation; its officer is named in the description.
    assert concern["allegations"] == []
    assert concern["description"].endswith("Officer badge: 4711")

    asked = await file(api, key, service_code="other", **{"attribute[kind]": "inquiry"})
    (created,) = asked.json()
    concern = (
        await api.client.get(
            f"{CONCERNS}/{created['service_request_id']}", headers=cast.commissioner.headers
        )
    ).json()
    assert concern["kind"] == "inquiry"


@pytest.mark.parametrize(
    ("fields", "status", "names"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_not-a-key"}, 403, "api_key"),
        ({"service_code": "no_such"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
        ({"description": ""}, 400, "description"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": "east"}, 400, "long"),
        ({"long": ""}, 400, "lat and long"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"phone": "call me"}, 400, "phone"),
        ({"attribute[kind]": "grievance"}, 400, "attribute[kind]"),
        ({"attribute[occurred_at]": "last tuesday"}, 400, "attribute[occurred_at]"),
        ({"attribute[occurred_at]": "2026-02-30T10:00:00Z"}, 400, "attribute[occurred_at]"),
        ({"attribute[occurred_at]": "2099-01-01T00:00:00Z"}, 400, "attribute[occurred_at]"),
        ({"attribute[officer_badge]": "x" * 33}, 400, "attribute[officer_badge]"),
        ({"attribute[colour]": "blue"}, 400, "attribute[colour]"),
        ({"address_string": "x" * 301}, 400, "address_string"),
        ({"first_name": "a\x00b"}, 400, "first_name"),
        ({"last_name": "x" * 301}, 400, "last_name"),
        ({"address_id": "x" * 301}, 400, "address_id"),
        ({"device_id": "x" * 301}, 400, "device_id"),
        ({"account_id": "x" * 301}, 400, "account_id"),
        ({"media_url": "x" * 2001}, 400, "media_url"),
        ({"api_key": "x" * 201}, 403, "api_key"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_requests_are_refused_in_the_specifications_shape(
    api: Api, key: str, fields: dict[str, str], status: int, names: str, fmt: str
) -> None:
    before = await concern_count(api)
    errors = spec_errors(await file(api, key, fmt, **fields), status)
    assert any(names in e["description"] for e in errors), errors
    assert await concern_count(api) == before


async def test_a_missing_required_field_and_a_body_that_is_not_a_form(api: Api, key: str) -> None:
    missing = await api.client.post(f"{V2}/requests.json", data={"api_key": key})
    described = " ".join(e["description"] for e in spec_errors(missing, 400))
    assert "service_code" in described and "description" in described
    # A JSON body is no form: its key is not read.
    as_json = await api.client.post(f"{V2}/requests.json", json=form(key))
    spec_errors(as_json, 403)
    # The key is checked first: without a good one, nothing else is looked at.
    for bad in ({}, {"api_key": "o311_guess"}, {"api_key": "x" * 500}):
        spec_errors(await api.client.post(f"{V2}/requests.xml", data=bad), 403)
    assert await concern_count(api) == 0


async def test_requests_are_rate_limited_per_key(
    api: Api, settings: Settings, admin: Person
) -> None:
    limited = create_app(
        make_settings(
            settings.database_url, rate_limits_enabled=True, rate_limit_open311_key="2/hour"
        )
    )
    first = (await issue(api, admin, "A"))["api_key"]
    second = (await issue(api, admin, "B"))["api_key"]
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(2):
            assert (await client.post(f"{V2}/requests.json", data=form(first))).status_code == 201
        over = await client.post(f"{V2}/requests.xml", data=form(first))
        spec_errors(over, 429)
        assert int(over.headers["retry-after"]) > 0
        # Another system's key has its own count.
        assert (await client.post(f"{V2}/requests.json", data=form(second))).status_code == 201
    await limited.state.database.dispose()
    assert await concern_count(api) == 3


# The public list -----------------------------------------------------------------------------


def month_of(at: datetime) -> str:
    return at.strftime("%Y-%m-01T00:00:00Z")


async def test_the_public_list_shows_what_the_public_record_allows(
    api: Api, cast: Cast, key: str
) -> None:
    filed = (await file(api, key)).json()[0]["service_request_id"]
    referred = await reach(api, cast, "referred", kind="complaint", category="bias")
    closed = await reach(api, cast, "closed")
    listed = (await api.client.get(f"{V2}/requests.json")).json()
    by_id = {r["service_request_id"]: r for r in listed}
    assert set(by_id) == {filed, referred["id"], closed["id"]}
    this_month = month_of(datetime.now(UTC))
    for request in listed:
        assert not PRIVATE_FIELDS & set(request), request
        assert request["requested_datetime"] == this_month
        assert request["updated_datetime"] == this_month
    assert by_id[filed]["status"] == "open"
    assert by_id[filed]["service_code"] == "use_of_force"
    assert by_id[filed]["agency_responsible"] is None
    department = by_id[referred["id"]]
    assert department["agency_responsible"].startswith("Department ")
    assert (
        department["status_notes"]
        == f"Referred to {department['agency_responsible']} for a response."
    )
    assert by_id[closed["id"]]["status"] == "closed"
    assert by_id[closed["id"]]["status_notes"] == "Closed. Finding: acknowledged."
    # Without the random ids, in which a number like 4711 may turn up by chance.
    text = str([{k: v for k, v in r.items() if k != "service_request_id"} for r in listed])
    for secret in ("Pushed against", "Clayton", "resident@example.org", "4711", "OC-"):
        assert secret not in text

    xml = ET.fromstring((await api.client.get(f"{V2}/requests.xml")).content)
    assert xml.tag == "service_requests"
    assert {r.findtext("service_request_id") for r in xml.findall("request")} == set(by_id)
    assert not {child.tag for r in xml.findall("request") for child in r} & PRIVATE_FIELDS

    one = (await api.client.get(f"{V2}/requests/{closed['id']}.json")).json()
    assert one == [by_id[closed["id"]]]
    xml_one = ET.fromstring((await api.client.get(f"{V2}/requests/{filed}.xml")).content)
    assert xml_one.findtext("request/status") == "open"


async def test_public_notes_are_never_the_status_notes(api: Api, cast: Cast) -> None:
    """A "public" note is public to the submitter, who may have written it: never to all."""
    concern = await reach(api, cast, "triaged", kind="complaint")
    note = "Dear Ms Ruiz, we called you at home on Elm St."
    await moved(api, cast.commissioner, concern, "under_review", public_note=note)
    added = await api.client.post(
        f"{CONCERNS}/{concern['id']}/notes",
        json={"body": "I live at 12 Elm St.", "visibility": "public"},
        headers=cast.resident.headers,
    )
    assert added.status_code == 201, added.text
    (request,) = (await api.client.get(f"{V2}/requests/{concern['id']}.json")).json()
    assert request["status_notes"] == "Under review by the commission."
    assert "Elm" not in str(request)


async def test_filters_status_service_code_and_ids(api: Api, cast: Cast, key: str) -> None:
    opened = (await file(api, key, service_code="bias")).json()[0]["service_request_id"]
    other = (await file(api, key, service_code="discourtesy")).json()[0]["service_request_id"]
    closed = (await reach(api, cast, "closed", category="bias"))["id"]

    async def ids(**params: str) -> set[str]:
        response = await api.client.get(f"{V2}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return {r["service_request_id"] for r in response.json()}

    assert await ids(status="open") == {opened, other}
    assert await ids(status="closed") == {closed}
    assert await ids(status="open,closed") == {opened, other, closed}
    # "can be declared multiple times, comma delimited": both ways.
    repeated = await api.client.get(f"{V2}/requests.json?status=open&status=closed")
    assert {r["service_request_id"] for r in repeated.json()} == {opened, other, closed}
    codes = await api.client.get(f"{V2}/requests.json?service_code=bias&service_code=discourtesy")
    assert {r["service_request_id"] for r in codes.json()} == {opened, other, closed}
    assert await ids(service_code="bias") == {opened, closed}
    assert await ids(service_code="bias,discourtesy", status="open") == {opened, other}
    assert await ids(service_code="no_such") == set()
    # service_request_id overrides every other argument.
    assert await ids(service_request_id=f"{opened},{closed}", status="open") == {opened, closed}
    assert await ids(service_request_id=str(uuid.uuid4())) == set()


async def test_a_window_is_widened_to_whole_months(api: Api, key: str) -> None:
    """No query can place a request more finely than its month."""
    filed = (await file(api, key)).json()[0]["service_request_id"]
    now = datetime.now(UTC)
    later = now + timedelta(seconds=5)
    first_of_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    async def ids(**params: str) -> set[str]:
        response = await api.client.get(f"{V2}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return {r["service_request_id"] for r in response.json()}

    w3c = "%Y-%m-%dT%H:%M:%SZ"
    # A window that starts after it was filed, in the same month, still finds it.
    assert await ids(start_date=later.strftime(w3c)) == {filed}
    assert await ids(end_date=(first_of_month + timedelta(seconds=1)).strftime(w3c)) == {filed}
    assert await ids(start_date=now.strftime("%Y-%m-%d")) == {filed}
    last_month_end = first_of_month - timedelta(seconds=1)
    assert (
        await ids(
            start_date=(last_month_end - timedelta(days=20)).strftime(w3c),
            end_date=last_month_end.strftime(w3c),
        )
        == set()
    )
    assert await ids(start_date=(now + timedelta(days=40)).strftime(w3c)) == set()
    assert await ids(start_date=later.strftime("%Y-%m-%dT%H:%M:%S+05:30")) == {filed}
    # At the ends of the calendar: empty windows, not errors.
    for edge in ({"start_date": "9999-12-31"}, {"end_date": "0001-01-01T00:00:00-14:00"}):
        assert await ids(**edge) == set()


async def test_pages_of_requests_follow_the_link_header(api: Api, key: str) -> None:
    filed = {(await file(api, key)).json()[0]["service_request_id"] for _ in range(5)}
    seen: list[str] = []
    url: str | None = f"{V2}/requests.json?limit=2&status=open"
    pages = 0
    while url:
        response = await api.client.get(url)
        assert response.status_code == 200, response.text
        seen += [r["service_request_id"] for r in response.json()]
        link = response.headers.get("link")
        url = link.split(">")[0].removeprefix("<") if link else None
        assert link is None or 'rel="next"' in link
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(filed) and len(seen) == len(set(seen))
    # Within a month, by id: the order tells nothing of the hour.
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("query", "status", "names"),
    [
        ("start_date=2026-13-01T00:00:00Z", 400, "start_date"),
        ("start_date=yesterday", 400, "start_date"),
        ("end_date=2026-11-01T10:00:00", 400, "end_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", 400, "start_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400, "end_date"),
        ("status=pending", 400, "status"),
        ("service_request_id=not-an-id", 400, "service_request_id"),
        ("service_request_id=" + ",".join(str(uuid.UUID(int=i)) for i in range(101)), 400, "100"),
        ("after=garbage", 400, "after"),
        ("after=2026-11.not-an-id", 400, "after"),
        ("limit=0", 400, "limit"),
        ("limit=1001", 400, "limit"),
        ("limit=many", 400, "limit"),
        ("jurisdiction_id=elsewhere.gov", 404, "jurisdiction_id"),
        ("service_code=" + "x" * 4001, 400, "service_code"),
        ("status=%00", 400, "status"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_list_parameters_are_refused_in_the_specifications_shape(
    api: Api, query: str, status: int, names: str, fmt: str
) -> None:
    errors = spec_errors(await api.client.get(f"{V2}/requests.{fmt}?{query}"), status)
    assert any(names in e["description"] for e in errors), errors


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/requests/not-an-id.json", 404),
        (f"/requests/{uuid.uuid4()}.xml", 404),
        ("/services/.json", 404),
        ("/services.csv", 404),
        ("/requests.json.json", 404),
        ("", 404),
        ("/services.json?jurisdiction_id=elsewhere.gov", 404),
        ("/services/bias.xml?jurisdiction_id=elsewhere.gov", 404),
        ("/requests.json/extra", 404),
        ("/tokens/123.json", 404),
    ],
)
async def test_what_does_not_exist_is_a_404_in_the_specifications_shape(
    api: Api, path: str, status: int
) -> None:
    spec_errors(await api.client.get(V2 + path), status)


async def test_other_methods_are_refused_in_the_specifications_shape(api: Api) -> None:
    response = await api.client.delete(f"{V2}/requests.json")
    spec_errors(response, 405)
    assert response.headers["allow"] == "GET, POST"


async def test_a_jurisdiction_of_its_own_is_accepted(
    api: Api, settings: Settings, key: str
) -> None:
    assert settings.jurisdiction_id == "127.0.0.1"
    ours = {"jurisdiction_id": settings.jurisdiction_id}
    assert (await api.client.get(f"{V2}/services.json", params=ours)).status_code == 200
    assert (await file(api, key, **ours)).status_code == 201
    assert (await api.client.get(f"{V2}/requests.json", params=ours)).status_code == 200


# Caching -------------------------------------------------------------------------------------


async def test_public_open311_answers_follow_the_caching_rules(api: Api, key: str) -> None:
    first = await api.client.get(f"{V2}/requests.json")
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    cached = await api.client.get(f"{V2}/requests.json", headers={"If-None-Match": tag})
    assert cached.status_code == 304 and cached.content == b""
    assert (await file(api, key)).status_code == 201
    fresh = await api.client.get(f"{V2}/requests.json", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert len(fresh.json()) == 1
    xml = await api.client.get(f"{V2}/requests.xml")
    assert xml.headers["etag"] != fresh.headers["etag"]
    # Filing is never cached.
    filed = await file(api, key)
    assert "etag" not in filed.headers


# A client no one here wrote ------------------------------------------------------------------


async def test_the_georeport_client_reads_everything_in_json_and_xml(
    api: Api, cast: Cast, settings: Settings, key: str
) -> None:
    """``georeport`` (PyPI) against a real ``oversight serve``: the service list, a definition,
    the request list and one request, in both formats; and a POST written as the
    specification's example request (form-encoded, brackets percent-encoded or not)."""
    filed = (await file(api, key)).json()[0]["service_request_id"]
    closed = (await reach(api, cast, "closed"))["id"]
    codes = [s["service_code"] for s in (await api.client.get(f"{V2}/services.json")).json()]
    with serve(settings) as base:
        raw = (
            f"api_key={key}&jurisdiction_id={settings.jurisdiction_id}&service_code=bias"
            "&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street"
            "&email=smit333%40example.org&device_id=tt222111&account_id=123456"
            "&first_name=john&last_name=smith&phone=111111111"
            "&description=Stopped+twice+in+one+week+for+no+reason"
            "&media_url=http%3A%2F%2Fexample.org%2F2212426634.jpg"
            "&attribute%5Bofficer_badge%5D=123456&attribute[kind]=complaint"
        )
        async with httpx.AsyncClient(base_url=base) as live:
            posted = await live.post(
                f"{V2}/requests.xml",
                content=raw,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
        assert posted.status_code == 201, posted.text
        example = ET.fromstring(posted.content).findtext("request/service_request_id")
        for fmt in ("json", "xml"):
            client = GeoReport(
                f"{base}{V2}", jurisdiction=settings.jurisdiction_id, output_format=fmt
            )
            services = client.get_service_list()
            assert [s["service_code"] for s in services] == codes
            assert {s["type"] for s in services} == {"realtime"}
            definition = client.get_service_definition("use_of_force")
            attributes = definition["attributes"]
            listed = attributes if fmt == "json" else attributes["attribute"]
            assert [a["code"] for a in listed] == ["kind", "occurred_at", "officer_badge"]
            requests = client.get_service_requests()
            assert {r["service_request_id"] for r in requests} == {filed, closed, example}
            only_closed = client.get_service_requests(status="closed")
            closed_one = only_closed[0] if fmt == "json" else only_closed
            assert closed_one["service_request_id"] == closed
            one = client.get_service_request(filed)
            assert one["service_request_id"] == filed and one["status"] == "open"
            assert one["service_code"] == "use_of_force"
            assert not PRIVATE_FIELDS & set(one)
        with pytest.raises(requests_lib.HTTPError) as refused:
            GeoReport(f"{base}{V2}", jurisdiction="elsewhere.gov").get_service_list()
        answer = refused.value.response
        assert answer is not None and answer.status_code == 404
        assert answer.json()[0]["code"] == 404


async def drive_open311(api: Api) -> None:
    """Every audited Open311 change, for tests/audit/test_audit_event_data.py."""
    admin = await api.person(Role.ADMIN)
    issued = await issue(api, admin)
    assert (await file(api, issued["api_key"])).status_code == 201
    revoked = await api.client.delete(f"{KEYS}/{issued['id']}", headers=admin.headers)
    assert revoked.status_code == 204
