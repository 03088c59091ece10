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
        ("public_report_summary", {200, 422, 503}, set()),
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
    assert ("security" in operation) == (
        operation_id not in {"auth_token", "public_report_summary"}
    )


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
