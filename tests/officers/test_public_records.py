"""Officer-level public records where the law makes them public
(``PUBLIC_OFFICER_RECORDS=sustained``): officers with a sustained allegation, those allegations
and nothing else; the allegations open data names the officer on sustained rows only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from oversight.core.clock import utcnow
from oversight.core.config import Settings
from tests.cases import Cast
from tests.conftest import make_settings
from tests.helpers import Api, moved
from tests.officers.test_accused import World, allegation_url, world

__all__ = ["world"]  # the fixture, used by name


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, public_officer_records="sustained")


async def sustain(api: Api, cast: Cast, world: World) -> None:
    """Smith: linked, sustained, training recommended and imposed. Okafor: linked to a second
    allegation that is not sustained."""
    smith, okafor = world.officers["John Smith"], world.officers["Grace Okafor"]
    change = {"officer_id": smith, "finding": "sustained"}
    commissioner = cast.commissioner.headers
    assert (
        await api.client.patch(allegation_url(world), json=change, headers=commissioner)
    ).is_success
    url = allegation_url(world)
    training = {"level": "training"}
    put = api.client.put
    assert (
        await put(f"{url}/discipline/recommendation", json=training, headers=commissioner)
    ).is_success
    decided = await put(
        f"{url}/discipline/decision",
        json={**training, "reason": "A private reason."},
        headers=world.investigator.headers,
    )
    assert decided.status_code == 200, decided.text
    added = await api.client.post(
        f"/api/v1/concerns/{world.concern['id']}/allegations",
        json={"category": "discourtesy", "officer_name": "G. Okafor"},
        headers=commissioner,
    )
    assert added.status_code == 201, added.text
    other = f"/api/v1/concerns/{world.concern['id']}/allegations/{added.json()['id']}"
    linked = await api.client.patch(
        other, json={"officer_id": okafor, "finding": "not_sustained"}, headers=commissioner
    )
    assert linked.status_code == 200, linked.text
    # A finding is public once final: not while the concern is still under review.
    assert (await api.client.get("/api/v1/public/officers")).json()["items"] == []
    await moved(api, cast.commissioner, world.concern, "under_review", reason="Reviewed.")
    await moved(api, cast.commissioner, world.concern, "resolved", disposition="sustained")


def rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_sustained_allegations_are_public_and_nothing_else(
    api: Api, cast: Cast, world: World
) -> None:
    await sustain(api, cast, world)
    smith, okafor = world.officers["John Smith"], world.officers["Grace Okafor"]
    listed = await api.client.get("/api/v1/public/officers")
    assert listed.status_code == 200, listed.text
    assert [o["display_name"] for o in listed.json()["items"]] == ["John Smith"]
    assert (await api.client.get("/api/v1/public/officers", params={"q": "okafor"})).json()[
        "items"
    ] == []
    record = await api.client.get(f"/api/v1/public/officers/{smith}")
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["department"]["code"] == "NORTH"
    assert body["sustained"] == [
        {
            "category": "discourtesy",
            "month": utcnow().strftime("%Y-%m"),
            "finding": "sustained",
            "recommended": "training",
            "recommended_days": None,
            "imposed": "training",
            "imposed_days": None,
        }
    ]
    assert world.concern["id"] not in record.text and "private reason" not in record.text
    assert (await api.client.get(f"/api/v1/public/officers/{okafor}")).status_code == 404

    month = utcnow().strftime("%Y-%m")
    period = {"from": month, "to": month}
    allegations = rows(
        (await api.client.get("/api/v1/public/data/allegations.csv", params=period)).text
    )
    concerns = rows((await api.client.get("/api/v1/public/data/concerns.csv", params=period)).text)
    assert {a["concern_record_id"] for a in allegations} == {c["record_id"] for c in concerns}
    by_finding = {a["finding"]: a for a in allegations}
    assert (by_finding["sustained"]["officer_badge"], by_finding["sustained"]["officer_name"]) == (
        "1002",
        "John Smith",
    )
    assert by_finding["sustained"]["imposed"] == "training"
    assert by_finding["sustained"]["department"] == "NORTH"
    assert (
        by_finding["not_sustained"]["officer_badge"],
        by_finding["not_sustained"]["officer_name"],
    ) == ("", "")
