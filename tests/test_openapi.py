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
