"""`q` gives the same matches on SQLite and PostgreSQL: one table of queries, run on whichever
database the suite runs on (CI runs it on both), each with the concerns it must find."""

from __future__ import annotations

import pytest

from tests.cases import Cast
from tests.helpers import CONCERNS, Api, submit

DOCUMENTS = {
    "crowd": ("Crowd pushed back", "They were pushing the crowd away from the rally."),
    "taser": ("Taser at a protest", "An officer used a taser on a protester; he pushes people."),
    "email": ("No reply by e-mail", "I wrote an e-mail to O'Brien about case 4217."),
    "dogs": ("Noise at night", "The officers' dogs barked at the children."),
    "cafe": ("Stop near the cafe", "Stopped and searched outside the café on Elm."),
}

QUERIES: list[tuple[str, set[str]]] = [
    ("pushed", {"crowd", "taser"}),  # stems: pushed, pushing, pushes
    ("pushing", {"crowd", "taser"}),
    ("PUSH", {"crowd", "taser"}),  # case
    ("the", set()),  # a stop word alone matches nothing
    ("the crowd", {"crowd"}),  # stop words ignored
    ("dog", {"dogs"}),
    ("officer", {"taser", "dogs"}),  # officer's, officers'
    ("searching", {"cafe"}),
    ('"pushing the crowd"', {"crowd"}),  # a phrase across a stop word
    ('"away crowd"', set()),  # a phrase keeps its order
    ('"crowd away"', {"crowd"}),
    ("taser or dogs", {"taser", "dogs"}),
    ("pushed -taser", {"crowd"}),  # excluded
    ("4217", {"email"}),
    ("e-mail", {"email"}),
    ("O'Brien", {"email"}),
    ("helicopter", set()),
    ("%", set()),  # no wildcards
    ("rally pushing", {"crowd"}),  # every word
]


@pytest.fixture
async def documents(api: Api, cast: Cast) -> dict[str, str]:
    ids = {}
    for name, (summary, description) in DOCUMENTS.items():
        ids[name] = (await submit(api, cast.resident, summary=summary, description=description))[
            "id"
        ]
    return ids


@pytest.mark.parametrize(("q", "expected"), QUERIES)
async def test_the_same_matches_on_every_database(
    api: Api, cast: Cast, documents: dict[str, str], q: str, expected: set[str]
) -> None:
    response = await api.client.get(
        CONCERNS, params={"q": q, "limit": 50}, headers=cast.commissioner.headers
    )
    assert response.status_code == 200, response.text
    names = {
        name
        for name, id_ in documents.items()
        if id_ in {c["id"] for c in response.json()["items"]}
    }
    assert names == expected


async def test_edits_reach_the_index(api: Api, cast: Cast, documents: dict[str, str]) -> None:
    """The submitter may rewrite the description while the concern is submitted."""
    concern = documents["cafe"]
    read = await api.client.get(f"{CONCERNS}/{concern}", headers=cast.resident.headers)
    edited = await api.client.patch(
        f"{CONCERNS}/{concern}",
        json={"description": "A helicopter circled for an hour."},
        headers={**cast.resident.headers, "If-Match": read.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    for q, expected in (("helicopter", {concern}), ("searching", set())):
        found = await api.client.get(CONCERNS, params={"q": q}, headers=cast.commissioner.headers)
        assert {c["id"] for c in found.json()["items"]} == expected
