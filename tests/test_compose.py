"""docker-compose.yml is valid compose for this app: it parses, every service the deployment
needs is there with a health check, and every setting it passes is one the app reads, with
values the app accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from oversight.core.config import Settings

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
SECRET = "compose-test-secret-0123456789-0123456789"


def substitute(value: str) -> str:
    """Compose's ${VAR:?message} and ${VAR:-default}, with the secret the operator must set."""

    def one(match: re.Match[str]) -> str:
        name, _, fallback = match.group(1).partition(":-")
        name = name.split(":?")[0]
        return SECRET if name == "OVERSIGHT_SECRET_KEY" else fallback

    return re.sub(r"\$\{([^}]+)\}", one, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(document, dict)
    return document


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: substitute(str(value)) for key, value in env.items()}


def test_the_stack_has_its_services_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    apis = [name for name, s in services.items() if "OVERSIGHT_DATABASE_URL" in environment(s)]
    workers = [name for name in apis if services[name].get("command") == ["oversight", "worker"]]
    replicas = [name for name in apis if name != "migrate" and name not in workers]
    assert len(workers) >= 1  # the outbox is sent
    for name in workers:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "ports" not in services[name]
    assert len(replicas) >= 2
    for name in ("postgres", "redis", *replicas):
        check = services[name]["healthcheck"]["test"]
        assert check and check[0] in {"CMD", "CMD-SHELL"}, name
    for name in replicas:
        needs = services[name]["depends_on"]
        assert needs["postgres"]["condition"] == "service_healthy"
        assert needs["redis"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["oversight", "migrate"]
    ports = [p for name in replicas for p in services[name].get("ports", [])]
    assert len(set(ports)) == len(ports)  # two replicas never bind the same host port


def test_every_setting_passed_is_one_the_app_reads_and_accepts(compose: dict[str, Any]) -> None:
    known = {f"OVERSIGHT_{name.upper()}" for name in Settings.model_fields}
    for name, service in compose["services"].items():
        env = environment(service)
        passed = {key for key in env if key.startswith("OVERSIGHT_")}
        assert passed <= known, (name, passed - known)
        if not passed:
            continue
        values = {key.removeprefix("OVERSIGHT_").lower(): value for key, value in env.items()}
        settings = Settings.model_validate(values)
        assert settings.env == "production"
        assert settings.database_url.startswith("postgresql://")
        if name != "migrate":
            # Replicas share rate-limit counters, or each would allow the full rate.
            assert settings.rate_limit_storage.startswith("redis://")


def test_the_stack_stays_under_postgresqls_connections(compose: dict[str, Any]) -> None:
    """Every pool full at once fits PostgreSQL's default max_connections (100, 3 kept for
    superusers): each API worker process has three pools (transactions, reads outside one, the
    bare driver's), each outbox worker two, each of up to DB_POOL_SIZE connections."""
    dockerfile = (COMPOSE.parent / "Dockerfile").read_text()
    found = re.search(r'"--workers", "(\d+)"', dockerfile)
    assert found is not None
    processes = int(found.group(1))
    opened = 0
    for service in compose["services"].values():
        env = environment(service)
        if "OVERSIGHT_DATABASE_URL" not in env or service.get("command") == [
            "oversight",
            "migrate",
        ]:
            continue
        size = Settings.model_validate(
            {k.removeprefix("OVERSIGHT_").lower(): v for k, v in env.items()}
        ).db_pool_size
        worker = service.get("command") == ["oversight", "worker"]
        opened += 2 * size if worker else processes * 3 * size
    assert opened <= 97, opened


def test_the_public_reads_from_a_streaming_replica(compose: dict[str, Any]) -> None:
    """The replica is a standby cloned with ``pg_basebackup -R`` from a primary that lets it
    replicate, and every API process names it; none waits for it (reads fall back)."""
    services = compose["services"]
    replica = services["replica"]
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert replica["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_basebackup -h postgres" in replica["command"][-1]
    assert " -R " in replica["command"][-1]
    mounted = services["postgres"]["configs"][0]
    assert mounted["target"].startswith("/docker-entrypoint-initdb.d/")
    assert "host replication" in compose["configs"][mounted["source"]]["content"]
    for name, service in services.items():
        env = environment(service)
        if "OVERSIGHT_REPLICA_URL" in env:
            assert "@replica:5432/" in env["OVERSIGHT_REPLICA_URL"], name
            assert "replica" not in service.get("depends_on", {}), name
    apis = [
        s for s in services.values() if "ports" in s and "OVERSIGHT_REPLICA_URL" in environment(s)
    ]
    assert len(apis) >= 2
