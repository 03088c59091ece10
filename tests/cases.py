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
    "scheduled": [
        ("commissioner", "triaged", {}),
        ("commissioner", "under_review", {}),
        ("commissioner", "scheduled", {"meeting_id": "M"}),
    ],
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


async def new_meeting(api: Api, cast: Cast, **fields: Any) -> dict[str, Any]:
    body = {"title": "Regular meeting", "scheduled_at": "2030-01-15T18:00:00Z"} | fields
    response = await api.client.post(
        "/api/v1/meetings", json=body, headers=cast.commissioner.headers
    )
    assert response.status_code == 201, response.text
    meeting: dict[str, Any] = response.json()
    return meeting


async def fill(api: Api, cast: Cast, body: dict[str, Any]) -> dict[str, Any]:
    """Replace the placeholders "D" (the cast's department) and "M" (a new meeting)."""
    filled = {}
    for key, value in body.items():
        if value == "D":
            value = str(cast.department)
        elif value == "M":
            value = (await new_meeting(api, cast))["id"]
        filled[key] = value
    return filled


async def reach(api: Api, cast: Cast, status: str, **intake: Any) -> dict[str, Any]:
    concern = await submit(api, cast.resident, **({"kind": "inquiry"} | intake))
    for who, to, body in PATHS[status]:
        person = getattr(cast, who)
        body = await fill(api, cast, body)
        if to == "response":
            assert (await respond(api, person, concern)).status_code == 201
        else:
            await moved(api, person, concern, to, **body)
    read = await api.client.get(f"{CONCERNS}/{concern['id']}", headers=cast.commissioner.headers)
    assert read.json()["status"] == status
    result: dict[str, Any] = read.json()
    return result
