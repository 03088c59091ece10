"""Public surfaces are cacheable: strong ETags from the record's state, 304s, freshness, the
private status view, downloads named, and the summary served from a shared cache."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from oversight.core.config import Settings
from oversight.core.http.caching import MemoryCache, RedisCache
from oversight.main import create_app
from tests.conftest import make_settings
from tests.helpers import Api, assert_problem, submit

PUBLIC = "/api/v1/public"
SUMMARY = f"{PUBLIC}/reports/summary"


async def test_a_public_answer_is_revalidated_until_the_record_changes(api: Api) -> None:
    first = await api.client.get(f"{PUBLIC}/categories")
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"

    again = await api.client.get(f"{PUBLIC}/categories", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert "public" in again.headers["cache-control"]
    # Another query is another answer.
    other = await api.client.get(f"{PUBLIC}/categories", params={"limit": 1})
    assert other.headers["etag"] != tag

    # Any audited change moves every public tag: the stored copy is no longer current.
    await submit(api)
    changed = await api.client.get(f"{PUBLIC}/categories", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert changed.json() == first.json()


async def test_errors_are_not_tagged_and_writes_are_not_cached(api: Api) -> None:
    missing = await api.client.get(f"{PUBLIC}/meetings/{uuid.uuid4()}")
    assert_problem(missing, 404)
    assert "etag" not in missing.headers
    assert "public" not in missing.headers.get("cache-control", "")


async def test_the_status_view_is_private(api: Api) -> None:
    concern = await submit(api)
    found = await api.client.get(f"{PUBLIC}/concerns/{concern['tracking_code']}")
    assert found.status_code == 200
    assert found.headers["cache-control"] == "private, no-store"
    assert "etag" not in found.headers
    unknown = await api.client.get(f"{PUBLIC}/concerns/OC-0000-0000-0000")
    assert unknown.status_code == 404
    assert unknown.headers["cache-control"] == "private, no-store"


async def test_each_format_of_the_summary_is_its_own_url_and_old_links_redirect(
    api: Api,
) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    answers = {
        suffix: await api.client.get(f"{SUMMARY}{suffix}", params={"from": month})
        for suffix in ("", ".csv", ".html")
    }
    assert len({answer.headers["etag"] for answer in answers.values()}) == 3
    for suffix, media_type in (
        ("", "application/json"),
        (".csv", "text/csv"),
        (".html", "text/html"),
    ):
        assert answers[suffix].status_code == 200
        assert answers[suffix].headers["content-type"].startswith(media_type)
    assert answers[""].headers["vary"] == "Accept"
    assert (
        answers[".csv"]
        .headers["content-disposition"]
        .startswith('attachment; filename="oversight-summary-')
    )
    assert answers[".html"].headers["content-disposition"].startswith("inline; filename=")
    assert "content-disposition" not in answers[""].headers
    csv = answers[".csv"]
    not_modified = await api.client.get(
        f"{SUMMARY}.csv", params={"from": month}, headers={"If-None-Match": csv.headers["etag"]}
    )
    assert not_modified.status_code == 304
    # The same tag for another representation is not a match.
    json_again = await api.client.get(
        SUMMARY, params={"from": month}, headers={"If-None-Match": csv.headers["etag"]}
    )
    assert json_again.status_code == 200

    # Links made before: `?format=` and a browser's Accept are a 303 to the file's own URL,
    # the period kept.
    for params, headers, target in (
        ({"format": "csv", "from": month}, {}, f"{SUMMARY}.csv?from={month}"),
        ({"format": "html"}, {}, f"{SUMMARY}.html"),
        ({}, {"Accept": "text/csv"}, f"{SUMMARY}.csv"),
        ({}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, f"{SUMMARY}.html"),
    ):
        moved = await api.client.get(SUMMARY, params=params, headers=headers)
        assert moved.status_code == 303, (params, headers)
        assert moved.headers["location"] == target
        followed = await api.client.get(
            SUMMARY, params=params, headers=headers, follow_redirects=True
        )
        assert followed.status_code == 200
        assert followed.headers["content-type"].startswith(("text/csv", "text/html"))
    assert (await api.client.get(SUMMARY, params={"format": "json"})).status_code == 200

    for path, name in (
        ("/data/concerns.csv", "oversight-concerns-"),
        ("/meetings.ics", "oversight-meetings.ics"),
    ):
        download = await api.client.get(f"{PUBLIC}{path}")
        assert download.status_code == 200
        assert f'attachment; filename="{name}' in download.headers["content-disposition"]
        assert download.headers["etag"]


@pytest.fixture
async def cached_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(make_settings(settings.database_url, summary_cache_seconds=60))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, app.state.database)
    await app.state.database.dispose()


async def test_the_summary_is_served_from_the_cache_and_says_which_state(
    cached_api: Api,
) -> None:
    api = cached_api
    await submit(api)
    first = await api.client.get(SUMMARY)
    head = first.json()["audit_head"]
    await submit(api)  # the record moves on; the cached figures still describe `head`
    second = await api.client.get(SUMMARY)
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert (await api.client.get(f"{PUBLIC}/audit/head")).json()["seq"] > head["seq"]
    # A client holding the cached figures' tag is told they are still what is served.
    revalidated = await api.client.get(SUMMARY, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    # Another period is another entry, computed now.
    other = await api.client.get(SUMMARY, params={"from": "2026-01", "to": "2026-06"})
    assert other.json()["audit_head"]["seq"] > head["seq"]


async def test_without_the_cache_every_summary_is_current(api: Api) -> None:
    """The suite's settings cache for 0 seconds: each request computes afresh."""
    first = (await api.client.get(SUMMARY)).json()
    await submit(api)
    assert (await api.client.get(SUMMARY)).json()["audit_head"] != first["audit_head"]


async def test_concurrent_misses_share_one_computation() -> None:
    cache = MemoryCache(60)
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return b"figures"

    results = await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(50)))
    assert results == [b"figures"] * 50
    assert calls == 1
    assert await cache.get_or_compute("k", compute) == b"figures"
    assert calls == 1


async def test_a_failed_computation_is_not_cached() -> None:
    cache = MemoryCache(60)

    async def fail() -> bytes:
        await asyncio.sleep(0.01)
        raise RuntimeError("database down")

    outcomes = await asyncio.gather(
        *(cache.get_or_compute("k", fail) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)

    async def succeed() -> bytes:
        return b"ok"

    assert await cache.get_or_compute("k", succeed) == b"ok"


async def test_processes_share_one_computation_through_redis() -> None:
    """Two caches as two processes would hold them, on the real Redis: one computes."""
    key = f"test-{uuid.uuid4().hex}"
    processes = [
        RedisCache("redis://127.0.0.1:6379/0", 5),
        RedisCache("redis://127.0.0.1:6379/0", 5),
    ]
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        return b"figures"

    results = await asyncio.gather(
        *(processes[i % 2].get_or_compute(key, compute) for i in range(20))
    )
    assert results == [b"figures"] * 20
    assert calls == 1
