"""A cast of people around one department, and how to bring a concern to any status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import CONCERNS, Api, Person, moved, submit


@dataclass
class Cast:
    resident: Person
    commissioner: Person
    officer: Person
    department: uuid.UUID


# How to bring a fresh concern to each status: (by whom, to, body).
PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "submitted": [],
    "triaged": [("commissioner", "triaged", {})],
    "dismissed": [("commissioner", "dismissed", {"reason": "outside our remit"})],
    "withdrawn": [("resident", "withdrawn", {})],
    "referred": [
        ("commissioner", "triaged", {}),
        ("commissioner", "referred", {"department_id": "D"}),
    ],
    "responded": [
        ("commissioner", "triaged", {}),
        ("commissioner", "referred", {"department_id": "D"}),
        ("officer", "response", {}),
    ],
    "under_review": [("commissioner", "triaged", {}), ("commissioner", "under_review", {})],
    "resolved": [
        ("commissioner", "triaged", {}),
        ("commissioner", "under_review", {}),
        ("commissioner", "resolved", {"disposition": "acknowledged"}),
    ],
    "closed": [
        ("commissioner", "triaged", {}),
        ("commissioner", "under_review", {}),
        ("commissioner", "resolved", {"disposition": "acknowledged"}),
        ("commissioner", "closed", {}),
    ],
}


async def respond(api: Api, officer: Person, concern: dict[str, Any]) -> httpx.Response:
    return await api.client.post(
        f"{CONCERNS}/{concern['id']}/responses",
        json={
            "body": "We reviewed the stop and retrained the officer.",
            "action_taken": "training",
        },
        headers=officer.headers,
    )


async def reach(api: Api, cast: Cast, status: str, **intake: Any) -> dict[str, Any]:
    concern = await submit(api, cast.resident, **({"kind": "inquiry"} | intake))
    for who, to, body in PATHS[status]:
        person = getattr(cast, who)
        body = {k: (str(cast.department) if v == "D" else v) for k, v in body.items()}
        if to == "response":
            assert (await respond(api, person, concern)).status_code == 201
        else:
            await moved(api, person, concern, to, **body)
    read = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert read.json()["status"] == status
    result: dict[str, Any] = read.json()
    return result
