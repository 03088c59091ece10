"""The roster: imported by CSV over HTTP or the command line, all or nothing with every bad row
named, searched by badge or name similarity, read by commissioners and admins, corrected by
admins with its assignments dated."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.core.similarity import similarity
from tests.cases import Cast
from tests.helpers import Api, Person, assert_problem, run_cli

HEADER = "department,badge,first_name,last_name,rank,unit,status,hired_on,separated_on\n"
ROSTER = HEADER + (
    "NORTH,1001,Maria,Gonzalez,Officer,Patrol North,active,2015-06-01,\n"
    "NORTH,1002,John,Smith,Sergeant,Patrol North,active,2010-01-15,\n"
    "NORTH,1003,Jon,Smyth,Officer,Traffic,leave,2018-09-30,\n"
    "SOUTH,1001,Grace,Okafor,Lieutenant,Investigations,active,2008-03-03,\n"
    "SOUTH,2040,Peter,Novak,Officer,Patrol South,separated,2012-05-05,2024-02-29\n"
)
OFFICERS = "/api/v1/officers"


async def post_roster(api: Api, person: Person, body: str) -> Any:
    headers = {**person.headers, "Content-Type": "text/csv"}
    return await api.client.post(f"{OFFICERS}/import", content=body.encode(), headers=headers)


async def listed(api: Api, person: Person, **params: str) -> list[dict[str, Any]]:
    response = await api.client.get(OFFICERS, params=params, headers=person.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture
async def roster(api: Api) -> Person:
    """The two departments and the roster above, imported by an admin."""
    await api.department("NORTH")
    await api.department("SOUTH")
    admin = await api.person(Role.ADMIN)
    response = await post_roster(api, admin, ROSTER)
    assert response.status_code == 200, response.text
    return admin


async def test_an_import_creates_then_updates_and_is_audited_once(api: Api, roster: Person) -> None:
    officers = await listed(api, roster)
    assert [(o["last_name"], o["badge"]) for o in officers] == [
        ("Gonzalez", "1001"),
        ("Novak", "2040"),
        ("Okafor", "1001"),
        ("Smith", "1002"),
        ("Smyth", "1003"),
    ]
    # Smith is promoted and moves unit; Smyth is unchanged; Gonzalez is left out of the file.
    second = HEADER + (
        "NORTH,1002,John,Smith,Lieutenant,Internal Affairs,active,2010-01-15,\n"
        "NORTH,1003,Jon,Smyth,Officer,Traffic,leave,2018-09-30,\n"
        "NORTH,1004,Ana,Reyes,Officer,Patrol North,active,,\n"
    )
    response = await post_roster(api, roster, second)
    assert response.status_code == 200, response.text
    digest = hashlib.sha256(second.encode()).hexdigest()
    assert response.json() == {"sha256": digest, "created": 1, "updated": 1, "unchanged": 1}
    events = await api.audit_events(action="officer.roster_imported")
    assert len(events) == 2
    latest = next(e for e in events if e["data"]["sha256"] == digest)
    (change,) = latest["data"]["changes"]
    assert change["before"] == {"rank": "Sergeant", "unit": "Patrol North"}
    assert change["after"] == {"rank": "Lieutenant", "unit": "Internal Affairs"}
    smith = next(o for o in await listed(api, roster, q="1002"))
    detail = await api.client.get(f"{OFFICERS}/{smith['id']}", headers=roster.headers)
    assert detail.status_code == 200, detail.text
    assert detail.headers["ETag"] == '"2"'
    current, former = detail.json()["assignments"]
    assert (current["rank"], current["unit"], current["ends_on"]) == (
        "Lieutenant",
        "Internal Affairs",
        None,
    )
    assert (former["rank"], former["starts_on"]) == ("Sergeant", "2010-01-15")
    assert former["ends_on"] is not None and former["ends_on"] < current["starts_on"]
    assert len(await listed(api, roster)) == 6  # Gonzalez stays


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (
            "NORTH,1001,Ana,Reyes,Officer,Patrol,active,,",
            "line 3: badge '1001' of NORTH is also on line 2",
        ),
        ("WEST,9,Ana,Reyes,Officer,Patrol,active,,", "line 3: unknown department 'WEST'"),
        (
            "NORTH,9,Ana,Reyes,Officer,Patrol,active,2999-01-01,",
            "line 3: hired_on 2999-01-01 is in the future",
        ),
        ("NORTH,9,Ana,Reyes,Officer,Patrol,retired,,", "line 3: status 'retired' is not one of"),
        ("NORTH,9,,Reyes,Officer,Patrol,active,,", "line 3: first_name is empty"),
        ("NORTH,9,Ana,Reyes,Officer,Patrol,separated,,", "line 3: a separated officer needs"),
        (
            "NORTH,9,Ana,Reyes,Officer,Patrol,active,2020-13-01,",
            "line 3: hired_on '2020-13-01' is not a date",
        ),
    ],
)
async def test_a_bad_row_is_named_and_nothing_is_imported(api: Api, row: str, said: str) -> None:
    await api.department("NORTH")
    admin = await api.person(Role.ADMIN)
    good = "NORTH,1001,Maria,Gonzalez,Officer,Patrol North,active,2015-06-01,\n"
    problem = assert_problem(await post_roster(api, admin, HEADER + good + row + "\n"), 422)
    assert said in problem["detail"]
    assert await listed(api, admin) == []
    assert await api.audit_events(action="officer.roster_imported") == []


async def test_a_wrong_header_is_refused(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    problem = assert_problem(await post_roster(api, admin, "badge,name\n1,Ann\n"), 422)
    assert "line 1: the header must be department,badge," in problem["detail"]


async def test_the_command_line_imports_the_same_way(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    await api.department("NORTH")
    await api.department("SOUTH")
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    done = run_cli(settings, "officers", "import", "--file", str(path))
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256(ROSTER.encode()).hexdigest()
    assert done.stdout.strip() == f"5 created, 0 updated, 0 unchanged; sha256 {digest}"
    again = run_cli(settings, "officers", "import", "--file", str(path))
    assert again.stdout.startswith("0 created, 0 updated, 5 unchanged")
    path.write_text(ROSTER + "EAST,1,Ann,Lee,Officer,Patrol,active,,\n")
    refused = run_cli(settings, "officers", "import", "--file", str(path))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == ["error: line 7: unknown department 'EAST'"]
    admin = await api.person(Role.ADMIN)
    assert len(await listed(api, admin)) == 5


async def test_search_by_badge_or_a_similar_name(api: Api, roster: Person) -> None:
    def names(found: list[dict[str, Any]]) -> list[str]:
        return [f"{o['first_name']} {o['last_name']}" for o in found]

    assert names(await listed(api, roster, q="1001")) == ["Maria Gonzalez", "Grace Okafor"]
    assert names(await listed(api, roster, q="Jon Smith")) == ["John Smith", "Jon Smyth"]
    assert names(await listed(api, roster, q="gonzales")) == ["Maria Gonzalez"]
    assert names(await listed(api, roster, q="Zimmerman")) == []
    assert names(await listed(api, roster, status="separated")) == ["Peter Novak"]
    assert names(await listed(api, roster, unit="Traffic")) == ["Jon Smyth"]
    page = await api.client.get(OFFICERS, params={"limit": 2}, headers=roster.headers)
    second = await api.client.get(
        OFFICERS, params={"limit": 2, "cursor": page.json()["next_cursor"]}, headers=roster.headers
    )
    assert names(page.json()["items"] + second.json()["items"]) == [
        "Maria Gonzalez",
        "Peter Novak",
        "Grace Okafor",
        "John Smith",
    ]


async def test_name_similarity_is_pg_trgm_s_on_either_database(api: Api) -> None:
    """On PostgreSQL this compares with pg_trgm itself; on SQLite, with the registered copy."""
    pairs = [
        ("John Smith", "Jon Smith"),
        ("John Smith", "smith"),
        ("Maria Gonzalez", "gonzales"),
        ("Grace Okafor", "O'Kafor, Grace"),
        ("Ana Reyes", "Zimmerman"),
        ("Ana Reyes", ""),
    ]
    async with api.database.unit_of_work() as session:
        for left, right in pairs:
            stored = await session.scalar(
                text("SELECT similarity(:a, :b)"), {"a": left, "b": right}
            )
            assert stored == pytest.approx(similarity(left, right), abs=1e-6), (left, right)
    # "  j", " jo" and the six of "smith" shared, of 11 + 10 trigrams
    assert similarity("John Smith", "Jon Smith") == pytest.approx(8 / 13)


async def test_who_reads_and_who_writes_the_roster(api: Api, cast: Cast, roster: Person) -> None:
    (officer,) = await listed(api, roster, q="2040")
    url = f"{OFFICERS}/{officer['id']}"
    for caller in (cast.resident, cast.officer):
        assert_problem(await api.client.get(OFFICERS, headers=caller.headers), 403)
        assert_problem(await api.client.get(url, headers=caller.headers), 404)
        assert_problem(await post_roster(api, caller, ROSTER), 403)
    assert_problem(await api.client.get(OFFICERS), 401)
    read = await api.client.get(url, headers=cast.commissioner.headers)
    assert read.status_code == 200, read.text
    edit = {"unit": "Training"}
    refused = await api.client.patch(
        url, json=edit, headers={**cast.commissioner.headers, "If-Match": '"1"'}
    )
    assert_problem(refused, 403)
    assert_problem(await post_roster(api, cast.commissioner, ROSTER), 403)


async def test_an_admin_corrects_an_officer_with_if_match(api: Api, roster: Person) -> None:
    (officer,) = await listed(api, roster, q="1003")
    url = f"{OFFICERS}/{officer['id']}"
    assert_problem(await api.client.patch(url, json={"unit": "K9"}, headers=roster.headers), 428)
    stale = {**roster.headers, "If-Match": '"7"'}
    assert_problem(await api.client.patch(url, json={"unit": "K9"}, headers=stale), 412)
    fresh = {**roster.headers, "If-Match": '"1"'}
    future = await api.client.patch(url, json={"hired_on": "2999-01-01"}, headers=fresh)
    assert "hired_on 2999-01-01 is in the future" in assert_problem(future, 422)["detail"]
    moved = await api.client.patch(
        url, json={"unit": "K9", "effective_on": "2025-01-01"}, headers=fresh
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["ETag"] == '"2"'
    assert [(a["unit"], a["starts_on"], a["ends_on"]) for a in moved.json()["assignments"]] == [
        ("K9", "2025-01-01", None),
        ("Traffic", "2018-09-30", "2024-12-31"),
    ]
    (event,) = await api.audit_events(action="officer.changed")
    assert event["data"] == {"before": {"unit": "Traffic"}, "after": {"unit": "K9"}}


async def drive_officers(api: Api) -> Person:
    """Every roster event, for the audit log's checks: an import, an admin's edit, and a
    commissioner reading a history. The admin who imported it."""
    await api.department("NORTH")
    await api.department("SOUTH")
    admin = await api.person(Role.ADMIN)
    assert (await post_roster(api, admin, ROSTER)).status_code == 200
    (officer,) = await listed(api, admin, q="1003")
    edited = await api.client.patch(
        f"{OFFICERS}/{officer['id']}",
        json={"rank": "Sergeant"},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    commissioner = await api.person(Role.COMMISSIONER)
    history = await api.client.get(
        f"{OFFICERS}/{officer['id']}/history", headers=commissioner.headers
    )
    assert history.status_code == 200, history.text
    return admin
