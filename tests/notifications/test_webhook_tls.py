"""The worker connects to the address it checked, yet speaks TLS to the URL's name: SNI, the
certificate's check and ``Host`` are the name's, never the address's. A real https endpoint,
started here, with a certificate for one name from a certificate authority made here."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.requests import Request
from starlette.responses import Response

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications.destinations import PinnedTransport
from oversight.notifications.worker import Worker
from tests.cases import Cast
from tests.helpers import Api, free_port, submit

NAME = "hooks.pinned.test"


def _certificate(
    subject: str, key: Any, issuer: x509.Name, signer: Any, *, ca: bool
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@dataclass
class Endpoint:
    port: int
    trust: ssl.SSLContext
    requests: list[dict[str, Any]]


@pytest.fixture
async def endpoint(tmp_path: Path) -> AsyncIterator[Endpoint]:
    """https on 127.0.0.1 with a certificate for ``NAME`` only."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    authority = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = _certificate("Test CA", ca_key, authority, ca_key, ca=True)
    leaf = _certificate(NAME, key, ca.subject, ca_key, ca=False)
    (tmp_path / "cert.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    requests: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        await request.body()
        requests.append(dict(request.headers))
        await Response(status_code=204)(scope, receive, send)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ssl_certfile=str(tmp_path / "cert.pem"),
            ssl_keyfile=str(tmp_path / "key.pem"),
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    trust = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    yield Endpoint(port, trust, requests)
    server.should_exit = True
    await task


def worker_trusting(settings: Settings, api: Api, trust: ssl.SSLContext) -> Worker:
    """A worker whose transport trusts the test's authority (and every name resolves to
    127.0.0.1, where the endpoint listens)."""

    async def here(host: str) -> list[str]:
        return ["127.0.0.1"]

    worker = Worker(settings, api.database, resolve=here)
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    worker.client = httpx.AsyncClient(transport=PinnedTransport(limits, ssl_context=trust))
    return worker


async def deliveries_of(api: Api, admin: Any, webhook_id: str) -> list[dict[str, Any]]:
    response = await api.client.get(
        f"/api/v1/webhooks/{webhook_id}/deliveries", headers=admin.headers
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize(("name", "delivered"), [(NAME, True), ("other.pinned.test", False)])
async def test_tls_is_verified_for_the_urls_name_not_the_address(
    api: Api, cast: Cast, settings: Settings, endpoint: Endpoint, name: str, delivered: bool
) -> None:
    admin = await api.person(Role.ADMIN)
    created = await api.client.post(
        "/api/v1/webhooks",
        json={"url": f"https://{name}:{endpoint.port}/hook", "events": ["concern.submitted"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    await submit(api, cast.resident)
    worker = worker_trusting(settings, api, endpoint.trust)
    try:
        await worker.run_once()
    finally:
        await worker.close()
    [attempt] = await deliveries_of(api, admin, created.json()["id"])
    if delivered:
        assert attempt["status"] == "delivered", attempt
        [headers] = endpoint.requests
        assert headers["host"] == f"{NAME}:{endpoint.port}"
    else:  # the same address, another name: its certificate does not match
        assert attempt["status"] == "pending" and endpoint.requests == []
        assert "CERTIFICATE_VERIFY_FAILED" in attempt["last_error"], attempt
