"""Random sequences of moves by random roles, through HTTP, against the machine's invariants:
no move outside the table succeeds, every move is audited, closed concerns have a disposition,
withdrawn is final."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import anyio.from_thread
import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from oversight.accounts import directory
from oversight.accounts import service as users
from oversight.accounts.directory_schemas import DepartmentCreate
from oversight.accounts.schemas import UserCreate
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.machine import CONCERN_MOVES
from oversight.core.config import Settings
from oversight.core.db import Database
from oversight.core.roles import Role
from oversight.main import create_app
from tests.helpers import CONCERNS, PASSWORD, concern_body

ROLES = ("resident", "commissioner", "officer", "admin")


def bootstrap(app_settings: Settings) -> tuple[uuid.UUID, dict[str, str]]:
    """A department and one account per role, made through the services."""

    async def make() -> tuple[uuid.UUID, dict[str, str]]:
        database = Database(app_settings)
        emails = {}
        async with database.unit_of_work() as session:
            department = await directory.create_department(
                session, None, DepartmentCreate(code="PROP", name="Property test")
            )
            for role in ROLES:
                email = f"{role}@props.example.org"
                await users.create(
                    session,
                    None,
                    UserCreate(
                        email=email,
                        display_name=role,
                        role=Role(role),
                        password=PASSWORD,
                        department_id=department.id if role == "officer" else None,
                    ),
                )
                emails[role] = email
        await database.dispose()
        return department.id, emails

    return asyncio.run(make())


class SyncClient:
    """httpx over ASGI, driven from synchronous Hypothesis rules through an anyio portal."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: Any) -> None:
        self.portal = portal
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.get(url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.post(url, **kwargs))


def test_random_walks_keep_the_invariants(settings: Settings) -> None:
    department_id, emails = bootstrap(settings)
    app = create_app(settings)
    with anyio.from_thread.start_blocking_portal() as portal:
        client = SyncClient(portal, app)
        headers = {}
        for role, email in emails.items():
            token = client.post(
                "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
            )
            headers[role] = {"Authorization": f"Bearer {token.json()['access_token']}"}

        class ConcernWalk(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                created = client.post(
                    CONCERNS, json=concern_body(kind="inquiry"), headers=headers["resident"]
                )
                assert created.status_code == 201
                self.id = created.json()["id"]
                self.status = "submitted"
                self.moves = 0
                self.referred = False

            def read(self) -> dict[str, Any]:
                response = client.get(f"{CONCERNS}/{self.id}", headers=headers["commissioner"])
                body: dict[str, Any] = response.json()
                return body

            @rule(
                to=st.sampled_from(tuple(ConcernStatus)),
                who=st.sampled_from(ROLES),
                complete=st.booleans(),
            )
            def attempt(self, to: str, who: str, complete: bool) -> None:
                target = to
                version = self.read()["version"]
                found = next(
                    (m for m in CONCERN_MOVES if self.status in m.source and m.target == target),
                    None,
                )
                if target == "responded" and who == "officer" and found is not None:
                    response = client.post(
                        f"{CONCERNS}/{self.id}/responses",
                        json={"body": "Answer", "action_taken": "none"},
                        headers=headers["officer"],
                    )
                    expected = 201
                else:
                    body: dict[str, Any] = {"to": target}
                    if complete and found is not None:
                        fill = {
                            "reason": "because",
                            "department_id": str(department_id),
                            "disposition": "acknowledged",
                            "meeting_id": str(uuid.uuid4()),
                        }
                        body |= {k: fill[k] for k in found.needs if k in fill}
                    response = client.post(
                        f"{CONCERNS}/{self.id}/transitions",
                        json=body,
                        headers={**headers[who], "If-Match": f'"{version}"'},
                    )
                    if who == "officer" and not self.referred:
                        expected = 404
                    elif found is None:
                        expected = 409
                    elif Role(who) not in found.roles:
                        expected = 403
                    elif found.via or "meeting_id" in found.needs or (found.needs and not complete):
                        expected = 422
                    else:
                        expected = 200
                assert response.status_code == expected, (self.status, target, who, response.text)
                if expected in (200, 201):
                    self.status = target
                    self.moves += 1
                    self.referred = self.referred or target == "referred"
                else:
                    assert self.read()["version"] == version  # a refusal changes nothing

            @invariant()
            def stored_status_matches(self) -> None:
                concern = self.read()
                assert concern["status"] == self.status
                if self.status == "closed":
                    assert concern["disposition"] is not None
                if self.status == "withdrawn":
                    assert concern["allowed_transitions"] == []

            @invariant()
            def every_move_is_audited(self) -> None:
                events = client.get(
                    "/api/v1/audit/events",
                    params={"entity_id": self.id, "action": "concern.transition", "limit": 200},
                    headers=headers["admin"],
                ).json()["items"]
                assert len(events) == self.moves
                if events:
                    assert events[-1]["to_status"] == self.status

        run_state_machine_as_test(ConcernWalk, settings=settings_for_walks)
        portal.call(app.state.database.dispose)


settings_for_walks = settings(
    max_examples=20,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
