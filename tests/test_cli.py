"""The ``oversight`` command, run as an operator would, against the test's database."""

from __future__ import annotations

import json
import subprocess
import sys

from oversight.core.config import Settings
from oversight.core.roles import Role
from tests.evidence.files import gps_of
from tests.helpers import PASSWORD, Api, run_cli


async def test_create_department_and_officer_then_sign_in(api: Api, settings: Settings) -> None:
    made = run_cli(settings, "departments", "create", "--code", "PATROL-N", "--name", "North")
    assert made.returncode == 0, made.stderr
    officer = run_cli(
        settings,
        "users",
        "create",
        "--email",
        "Officer@City.example.org",
        "--role",
        "officer",
        "--display-name",
        "Sgt. Kim",
        "--department",
        "PATROL-N",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert officer.returncode == 0, officer.stderr
    token = await api.client.post(
        "/api/v1/auth/token", data={"username": "officer@city.example.org", "password": PASSWORD}
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = (await api.client.get("/api/v1/users/me", headers=headers)).json()
    assert me["role"] == "officer" and me["id"] == officer.stdout.strip()
    events = await api.audit_events(action="user.created", entity_id=me["id"])
    assert events[0]["actor_id"] is None  # the operator's CLI has no account


async def test_cli_errors_are_one_line_and_change_nothing(api: Api, settings: Settings) -> None:
    cases = [
        (
            "users",
            "create",
            "--email",
            "a@example.org",
            "--role",
            "officer",
            "--display-name",
            "A",
            "--department",
            "NOPE",
            "--password-stdin",
        ),
        (
            "users",
            "create",
            "--email",
            "a@example.org",
            "--role",
            "resident",
            "--display-name",
            "A",
            "--password-stdin",
        ),  # password too short (stdin below)
    ]
    for args in cases:
        result = run_cli(settings, *args, stdin="short\n")
        assert result.returncode != 0
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    bad_role = run_cli(
        settings,
        "users",
        "create",
        "--email",
        "a@example.org",
        "--role",
        "king",
        "--display-name",
        "A",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert bad_role.returncode != 0
    admin = await api.person(Role.ADMIN)
    listed = await api.client.get("/api/v1/users", headers=admin.headers)
    assert [user["email"] for user in listed.json()["items"]] == [admin.email]


async def test_duplicate_user_from_cli_fails(api: Api, settings: Settings) -> None:
    person = await api.person(sign_in=False)
    result = run_cli(
        settings,
        "users",
        "create",
        "--email",
        person.email,
        "--role",
        "resident",
        "--display-name",
        "Again",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert result.returncode == 1
    assert "already exists" in result.stderr


async def test_seed_demo_fills_an_empty_database_once(api: Api, settings: Settings) -> None:
    first = run_cli(settings, "seed-demo", "--concerns", "60")
    assert first.returncode == 0, first.stderr
    second = run_cli(settings, "seed-demo", "--concerns", "5")
    assert second.returncode == 1 and "not empty" in second.stderr
    tolerant = run_cli(settings, "seed-demo", "--if-empty")
    assert tolerant.returncode == 0
    token = await api.client.post(
        "/api/v1/auth/token",
        data={
            "username": "chair@demo.oversight.example.org",
            "password": "oversight-demo-password",
        },
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    listed = await api.client.get("/api/v1/concerns", params={"limit": 200}, headers=headers)
    concerns = listed.json()["items"]
    assert len(concerns) == 60
    assert len({c["status"] for c in concerns}) >= 4
    assert len({c["created_at"][:7] for c in concerns}) >= 6  # spread over the past year
    meetings = (await api.client.get("/api/v1/public/meetings")).json()["items"]
    assert {m["status"] for m in meetings} == {"scheduled", "adjourned"}
    assert all(m["minutes"] for m in meetings if m["status"] == "adjourned")
    # The roster, the allegations linked to it, and flags for the commission to review.
    roster = await api.client.get("/api/v1/officers", params={"limit": 200}, headers=headers)
    assert len(roster.json()["items"]) == 120
    linked = [a for c in concerns for a in c["allegations"] if a.get("officer")]
    assert linked, "no allegation was linked to a roster officer"
    flags = await api.client.get("/api/v1/early-intervention/flags", headers=headers)
    assert flags.json()["items"], "no early-intervention flag to review"
    # Residents' photos, their originals with GPS data; an agenda packet in public.
    photos = [
        a
        for c in concerns
        for a in (
            await api.client.get(f"/api/v1/concerns/{c['id']}/attachments", headers=headers)
        ).json()
    ]
    originals = [a for a in photos if a["derived_from"] is None]
    assert len(originals) == 3 and all(a["media_type"] == "image/jpeg" for a in originals)
    original = await api.client.get(originals[0]["content_url"], headers=headers)
    assert gps_of(original.content)
    packets = [d for m in meetings for d in m["documents"]]
    assert [d["media_type"] for d in packets] == ["application/pdf"]
    assert run_cli(settings, "attachments", "verify").returncode == 0
    verify = run_cli(settings, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_openapi_prints_the_document(settings: Settings) -> None:
    result = run_cli(settings, "openapi")
    assert result.returncode == 0
    assert json.loads(result.stdout)["info"]["title"] == "Oversight API"


def test_production_refuses_to_start_without_a_real_secret(settings: Settings) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "OVERSIGHT_ENV": "production",
        "OVERSIGHT_SECRET_KEY": "changeme",
        "OVERSIGHT_DATABASE_URL": settings.database_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "oversight", "openapi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "OVERSIGHT_SECRET_KEY" in result.stderr


def test_the_command_starts_without_the_application() -> None:
    """``oversight --help`` (and a command's parsing) must not import the application: the
    handlers, FastAPI, the ORM load with the settings (bench/startup.py: --help 0.165 s)."""
    heavy = ("fastapi", "sqlalchemy", "pydantic", "cryptography", "oversight.wiring")
    probe = f"import sys, oversight.cli; print([m for m in {heavy!r} if m in sys.modules])"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"
