import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oversight.main import create_app
from tests.conftest import make_settings

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_app() -> None:
    served = create_app(make_settings("sqlite:///unused.db")).openapi()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "run `make openapi` and commit openapi/openapi.json"


def _document() -> dict[str, Any]:
    document: dict[str, Any] = create_app(make_settings("sqlite:///unused.db")).openapi()
    return document


def _inline_enums(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if "enum" in value:
            yield path
        for key, inner in value.items():
            yield from _inline_enums(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _inline_enums(inner, f"{path}[{i}]")


def test_operation_ids_are_tag_and_verb() -> None:
    """What a generated client calls each operation: `concerns_move`, not FastAPI's
    `move_concern_api_v1_concerns__concern_id__transitions_post`."""
    operations = [op for path in _document()["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for operation in operations:
        tag = operation["tags"][0]
        assert re.fullmatch(rf"{tag}_[a-z]+(_[a-z]+)*", operation["operationId"]), operation
        assert len(operation["operationId"]) <= len(tag) + 26, operation["operationId"]


def test_every_enum_is_one_named_schema() -> None:
    """No parameter or property carries an enum of its own: a generated client gets one type
    per enumeration (ConcernStatus), not one per place it appears."""
    document = _document()
    inline = list(_inline_enums(document["paths"], "paths"))
    for name, schema in document["components"]["schemas"].items():
        inline += [p for p in _inline_enums(schema, name) if p != f"{name}"]
    assert inline == []


@pytest.mark.parametrize(
    ("schema", "field", "enum"),
    [
        ("ConcernOut", "status", "ConcernStatus"),
        ("ConcernOut", "allowed_transitions", "ConcernStatus"),
        ("ConcernEventOut", "to_status", "ConcernStatus"),
        ("PublicConcernStatus", "status", "ConcernStatus"),
        ("MeetingOut", "allowed_transitions", "MeetingStatus"),
        ("ResolutionTransition", "to", "ResolutionStatus"),
        ("ProposalTransition", "to", "ProposalStatus"),
    ],
)
def test_statuses_are_typed(schema: str, field: str, enum: str) -> None:
    properties = _document()["components"]["schemas"][schema]["properties"]
    assert f'"#/components/schemas/{enum}"' in json.dumps(properties[field])


def _operation(operation_id: str) -> dict[str, Any]:
    for item in _document()["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                found: dict[str, Any] = operation
                return found
    raise AssertionError(operation_id)


@pytest.mark.parametrize(
    ("operation_id", "statuses", "headers"),
    [
        # Anonymous intake: a token is optional; staff-only channels are a 403.
        ("concerns_submit", {201, 400, 401, 403, 413, 422, 429, 503}, {"Location", "ETag"}),
        ("concerns_move", {200, 401, 403, 404, 409, 412, 422, 428, 503}, {"ETag"}),
        ("concerns_add_allegation", {201, 403, 404, 409}, {"Parent-ETag"}),
        ("resolutions_vote", {200, 403, 404, 409}, {"ETag"}),
        ("auth_token", {200, 401, 429}, set()),
        ("users_me", {200, 401}, set()),
        ("public_report_summary", {200, 303, 304, 422, 503}, {"ETag", "Cache-Control", "Vary"}),
        ("public_report_summary_csv", {200, 304, 422}, {"ETag", "Content-Disposition"}),
        ("public_resolution", {200, 304, 404}, {"ETag", "Cache-Control"}),
        ("proposals_create", {201}, {"Location", "ETag"}),
        ("comments_moderate", {200, 404, 409, 412, 428}, {"ETag"}),
        ("recommendations_answer", {200, 404, 409}, {"Parent-ETag"}),
    ],
)
def test_operations_document_their_statuses_and_headers(
    operation_id: str, statuses: set[int], headers: set[str]
) -> None:
    """The contract check (tests/contract.py) proves the suite sees no undocumented status;
    this proves the document says what a client needs for these."""
    operation = _operation(operation_id)
    documented = {int(s) for s in operation["responses"] if s != "default"}
    assert statuses <= documented, sorted(documented)
    success = operation["responses"][str(min(documented))]
    assert headers | {"X-Request-ID"} <= set(success["headers"])
    if 429 in documented:
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    if 409 in documented:
        assert "`" in operation["responses"]["409"]["description"]  # names its codes
    assert ("security" in operation) == (not operation_id.startswith(("auth_token", "public_")))


def test_a_token_is_optional_where_anonymous_callers_are_served() -> None:
    assert _operation("concerns_submit")["security"] == [{}, {"OAuth2PasswordBearer": []}]
    assert {} not in _operation("concerns_list")["security"]
    assert 403 not in {int(s) for s in _operation("users_me")["responses"] if s != "default"}


def test_text_answers_are_strings_not_json() -> None:
    """A generated client reads CSV, HTML and iCalendar as text (it crashed decoding JSON)."""
    found = 0
    for item in _document()["paths"].values():
        for operation in item.values():
            ok = operation["responses"].get("200", {})
            for media_type, content in ok.get("content", {}).items():
                if media_type.startswith("text/"):
                    assert content["schema"] == {"type": "string"}
                    found += 1
    assert found >= 5  # summary CSV and HTML, open data, calendar, budget CSV


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_public_gets_document_their_304_and_a_validator_not_a_version() -> None:
    """Every public GET answers `If-None-Match` with 304 (`core.http.caching`): documented, with the
    ETag described as the cache's validator, never as the version to send as `If-Match`."""
    found = 0
    for path, method, operation in _operations():
        if method != "get" or not path.startswith(("/api/v1/public/", "/open311/v2/")):
            continue
        responses = operation["responses"]
        if path.startswith(("/api/v1/public/concerns/", "/api/v1/public/unsubscribe")):
            assert "304" not in responses, path  # capability URLs: never stored
            assert all("Cache-Control" in r["headers"] for r in responses.values()), path
            continue
        found += 1
        assert "content" not in responses["304"], path
        assert {"ETag", "Cache-Control"} <= set(responses["304"]["headers"]), path
        etag = responses["200"]["headers"]["ETag"]["description"]
        assert "If-None-Match" in etag and "If-Match`" not in etag, path
    assert found >= 20


def test_each_success_carries_one_media_type() -> None:
    """A generated client types one answer per status: JSON, CSV and HTML are operations of
    their own (Open311's `{fmt}` path is the specification's, JSON or XML by the path)."""
    for path, method, operation in _operations():
        if path.startswith("/open311/v2/"):
            continue
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                assert len(response.get("content", {})) <= 1, (method, path, status)


def test_operations_are_named_for_what_they_do() -> None:
    ids = {operation["operationId"] for _, _, operation in _operations()}
    renamed = {
        "operations_healthz": "health_live",
        "operations_readyz": "health_ready",
        "budget_set_comments": "budget_set_comment_period",
        "resolutions_list_recommendations": "recommendations_list",
        "resolutions_answer_recommendation": "recommendations_answer",
    }
    assert set(renamed.values()) <= ids
    assert not set(renamed) & ids
    assert {"public_report_summary_csv", "public_report_summary_html"} <= ids
    assert "public_budget_year_csv" in ids
    # A write that sends no ETag documents none.
    answer = _operation("recommendations_answer")["responses"]["200"]["headers"]
    assert "ETag" not in answer


def test_enum_values_that_are_not_names_are_named() -> None:
    schemas = _document()["components"]["schemas"]
    for name, schema in schemas.items():
        if any(not str(value).isidentifier() for value in schema.get("enum", ())):
            assert len(schema["x-enum-varnames"]) == len(schema["enum"]), name
    assert schemas["ConcernSort"]["x-enum-varnames"][1] == "NEWEST"


def test_a_request_field_with_a_default_is_optional_for_every_generator() -> None:
    """openapi-typescript makes a property with a `default` required: request bodies say their
    defaults in words."""
    create = _document()["components"]["schemas"]["ProposalCreate"]
    assert "show_name" not in create["required"]
    assert "default" not in create["properties"]["show_name"]
    assert "Default: `false`" in create["properties"]["show_name"]["description"]
