"""Which requests the read replica may answer (``core.http.replicas.for_the_replica``)."""

from __future__ import annotations

import pytest

from oversight.core.http.replicas import for_the_replica


def scope(method: str, path: str, headers: dict[str, str] | None = None) -> dict[str, object]:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return {"type": "http", "method": method, "path": path, "headers": raw}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/meetings",
        "/api/v1/public/reports/summary",
        "/api/v1/public/audit/checkpoints",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/",
        "/meetings",
        "/resolutions/5a2b",
        "/report",
        "/budget",
        "/data",
    ],
)
def test_anonymous_reads_of_the_record_go_to_the_replica(path: str) -> None:
    assert for_the_replica(scope("GET", path))
    assert for_the_replica(scope("HEAD", path))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/public/concerns/OC-123",  # a tracking code's status view
        "/api/v1/public/unsubscribe",
        "/api/v1/public/data/concerns.csv",  # a long streamed snapshot
        "/open311/v2/requests/6f1c.json",  # a submitter reads what they just sent
        "/track",
        "/account",
        "/sign-in",
        "/concerns/new",
        "/api/v1/concerns",
        "/readyz",
    ],
)
def test_these_stay_on_the_primary(path: str) -> None:
    assert not for_the_replica(scope("GET", path))


def test_a_signed_in_caller_and_every_write_stay_on_the_primary() -> None:
    path = "/api/v1/public/meetings"
    assert not for_the_replica(scope("GET", path, {"Authorization": "Bearer x"}))
    assert not for_the_replica(scope("GET", "/meetings", {"Cookie": "lang=es; session=abc"}))
    assert for_the_replica(scope("GET", "/meetings", {"Cookie": "lang=es"}))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not for_the_replica(scope(method, path))
