"""A GeoReport client that sends no attributes files a concern of its service's kind: the
``kind`` attribute is optional (the definition says ``required: false``) and defaults to the
category's kind, the ``group`` of the service list. Against a real ``oversight serve``."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from georeport import GeoReport

from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.cases import Cast
from tests.helpers import CONCERNS, Api, serve
from tests.open311.test_open311 import V2, issue

#: The specification's example request, as a plain client posts it: no ``attribute[...]``.
EXAMPLE = {
    "lat": "37.76524078",
    "long": "-122.4212043",
    "address_string": "1234 5th street",
    "email": "smit333@example.org",
    "device_id": "tt222111",
    "account_id": "123456",
    "first_name": "john",
    "last_name": "smith",
    "phone": "111111111",
    "description": "Stopped twice in one week for no reason",
    "media_url": "http://example.org/2212426634.jpg",
}


@pytest.fixture
async def key(api: Api) -> str:
    return str((await issue(api, await api.person(Role.ADMIN)))["api_key"])


async def kind_of(api: Api, cast: Cast, request_id: str) -> str:
    concern = await api.client.get(f"{CONCERNS}/{request_id}", headers=cast.commissioner.headers)
    assert concern.status_code == 200, concern.text
    kind: str = concern.json()["kind"]
    return kind


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_request_without_attributes_takes_its_services_kind(
    api: Api, cast: Cast, settings: Settings, key: str, fmt: str
) -> None:
    with serve(settings) as base:
        client = GeoReport(f"{base}{V2}", jurisdiction=settings.jurisdiction_id, api_key=key)
        groups = {s["service_code"]: s["group"] for s in client.get_service_list()}
        definition = client.get_service_definition("commendation")
        kind = next(a for a in definition["attributes"] if a["code"] == "kind")
        assert kind["required"] is False
        filed = {}
        for code in ("use_of_force", "commendation", "policy_procedure"):
            # georeport (0.3.1) has no POST of its own: the form a GeoReport client sends,
            # with the key and jurisdiction the client holds.
            async with httpx.AsyncClient() as live:
                posted = await live.post(
                    f"{client.root_address}/requests.{fmt}",
                    data={
                        "api_key": client.api_key or "",
                        "jurisdiction_id": client.jurisdiction or "",
                        "service_code": code,
                        **EXAMPLE,
                    },
                    timeout=30,
                )
            assert posted.status_code == 201, posted.text
            if fmt == "json":
                filed[code] = posted.json()[0]["service_request_id"]
            else:
                found = ET.fromstring(posted.content).findtext("request/service_request_id")
                assert found is not None
                filed[code] = found
    for code, request_id in filed.items():
        assert await kind_of(api, cast, request_id) == groups[code]
    assert {code: groups[code] for code in filed} == {
        "use_of_force": "complaint",
        "commendation": "commendation",
        "policy_procedure": "policy_concern",
    }


async def test_an_empty_kind_is_left_out_and_a_sent_kind_wins(
    api: Api, cast: Cast, key: str
) -> None:
    base = {"api_key": key, "service_code": "commendation", **EXAMPLE}
    empty = await api.client.post(f"{V2}/requests.json", data={**base, "attribute[kind]": ""})
    assert empty.status_code == 201, empty.text
    assert await kind_of(api, cast, empty.json()[0]["service_request_id"]) == "commendation"
    sent = await api.client.post(f"{V2}/requests.json", data={**base, "attribute[kind]": "inquiry"})
    assert sent.status_code == 201, sent.text
    assert await kind_of(api, cast, sent.json()[0]["service_request_id"]) == "inquiry"


async def test_the_definition_marks_no_attribute_required(api: Api) -> None:
    definition = (await api.client.get(f"{V2}/services/bias.json")).json()
    assert {a["code"]: a["required"] for a in definition["attributes"]} == {
        "kind": False,
        "occurred_at": False,
        "officer_badge": False,
    }
    kind = definition["attributes"][0]
    assert "group" in kind["description"]
    xml = ET.fromstring((await api.client.get(f"{V2}/services/bias.xml")).content)
    assert {a.findtext("required") for a in xml.iter("attribute")} == {"false"}
