"""A front-end team generates its clients from openapi/openapi.json: the Python one with
openapi-python-client, the TypeScript one with openapi-typescript. Both are generated here and
their names checked: operations `<tag>_<verb>`, every enum one named type, statuses typed; and
the Python one is run against a real server (anonymous intake, a 304).

The generators are installed once into `.tools/` (PyPI and npm); the test runs once per CI run,
in its PostgreSQL pass (it does not depend on the database).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from oversight.core.config import Settings
from tests.helpers import concern_body, serve

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "openapi.json"
TOOLS = ROOT / ".tools"
PYTHON_GENERATOR = "openapi-python-client==0.29.1"
TYPESCRIPT_GENERATOR = "openapi-typescript@7.13.0"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("OVERSIGHT_TEST_DATABASE_URL"),
        reason="once per CI run, in its PostgreSQL pass",
    ),
]


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = TOOLS / "python-client"
    generator = venv / "bin" / "openapi-python-client"
    if not generator.exists():
        _run(sys.executable, "-m", "venv", venv)
        _run(venv / "bin" / "pip", "install", "-q", PYTHON_GENERATOR)
    out = tmp_path_factory.mktemp("python-client")
    env_path = f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"  # its ruff formats the code
    result = subprocess.run(
        [
            *(str(generator), "generate", "--path", str(DOCUMENT), "--meta", "none"),
            *("--config", str(DOCUMENT.parent / "python-client.yaml")),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PATH": env_path},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    return out / "oversight_api_client"


@pytest.fixture(scope="module")
def typescript_types(tmp_path_factory: pytest.TempPathFactory) -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    tools = TOOLS / "typescript-client"
    generator = tools / "node_modules" / ".bin" / "openapi-typescript"
    if not generator.exists():
        tools.mkdir(parents=True, exist_ok=True)
        _run(npm, "install", "--silent", "--prefix", tools, TYPESCRIPT_GENERATOR)
    out = tmp_path_factory.mktemp("typescript-client") / "api.d.ts"
    _run(generator, DOCUMENT, "--output", out)
    return out.read_text()


@pytest.fixture(scope="module")
def typescript_enums(typescript_types: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same types generated with `--enum`: TypeScript enums, named by `x-enum-varnames`."""
    generator = TOOLS / "typescript-client" / "node_modules" / ".bin" / "openapi-typescript"
    out = tmp_path_factory.mktemp("typescript-enums") / "api.ts"
    _run(generator, DOCUMENT, "--enum", "--output", out)
    return out.read_text()


def test_python_operations_and_enums_have_readable_names(python_client: Path) -> None:
    api = python_client / "api"
    for tag, operation in (
        ("concerns", "concerns_move"),
        ("concerns", "concerns_counts"),
        ("concerns", "concerns_submit"),
        ("meetings", "meetings_take_attendance"),
        ("public", "public_report_summary"),
        ("recommendations", "recommendations_list"),
        ("recommendations", "recommendations_answer"),
        ("health", "health_live"),
        ("budget", "budget_set_comment_period"),
        ("public", "public_report_summary_csv"),
    ):
        assert (api / tag / f"{operation}.py").exists(), operation
    models = {path.stem for path in (python_client / "models").glob("*.py")}
    assert {"concern_status", "meeting_status", "channel", "problem_code", "concern_sort"} <= models
    # No enum named after an inline schema (`ListConcernsApiV1ConcernsGetSort`).
    assert not [m for m in models if "api_v1" in m or m.endswith("_get_sort")]
    concern = (python_client / "models" / "concern_out.py").read_text()
    assert "status: ConcernStatus" in concern
    assert "allowed_transitions: list[ConcernStatus]" in concern


def test_typescript_operations_and_enums_have_readable_names(typescript_types: str) -> None:
    for name in ("concerns_move:", "concerns_counts:", "public_report_summary:"):
        assert name in typescript_types, name
    for schema in ("ConcernStatus:", "MeetingStatus:", "ProblemCode:", "Channel:"):
        assert schema in typescript_types, schema
    # Headers a client reads, declared on the responses.
    for header in ('"Parent-ETag"', '"Retry-After"', '"X-Request-ID"', "ETag"):
        assert header in typescript_types, header
    # CSV, HTML and iCalendar answers are text, not JSON.
    assert '"text/csv"' in typescript_types and '"text/calendar"' in typescript_types


def test_python_names_sort_orders_and_leaves_defaults_optional(python_client: Path) -> None:
    sort = (python_client / "models" / "concern_sort.py").read_text()
    assert 'NEWEST = "-created_at"' in sort and "VALUE_" not in sort
    proposals = (python_client / "models" / "proposal_sort.py").read_text()
    assert 'MOST_SUPPORTED = "-supports"' in proposals
    create = (python_client / "models" / "proposal_create.py").read_text()
    assert "show_name: bool | Unset = UNSET" in create


def test_typescript_request_defaults_are_optional_and_enums_named(
    typescript_types: str, typescript_enums: str
) -> None:
    # A request body's field with a default may be left out; a response's is always there.
    create = typescript_types.split("ProposalCreate: {", 1)[1].split("};", 1)[0]
    assert "show_name?: boolean;" in create
    assert "title: string;" in create
    out = typescript_types.split("CommentOut: {", 1)[1].split("};", 1)[0]
    assert "status: components" in out
    # With `--enum`: the members' names, not `ValueMinuscreated_at`.
    assert 'NEWEST = "-created_at"' in typescript_enums
    assert 'MOST_SUPPORTED = "-supports"' in typescript_enums
    assert "ValueMinus" not in typescript_enums
    # A map keyed by months or priorities says so (openapi-typescript 7 still types the key as
    # `string`: it reads neither `propertyNames` nor the pattern's keys).
    operations = json.loads(DOCUMENT.read_text())["components"]["schemas"]["OperationsOut"]
    assert list(operations["properties"]["by_month"]["patternProperties"]) == [
        r"^[0-9]{4}-(0[1-9]|1[0-2])$"
    ]
    assert operations["properties"]["by_priority"]["propertyNames"] == {
        "$ref": "#/components/schemas/CallPriority"
    }


@pytest.fixture(scope="module")
def generated(python_client: Path) -> Iterator[ModuleType]:
    """The generated package, imported from where it was generated."""
    sys.path.insert(0, str(python_client.parent))
    try:
        yield importlib.import_module(python_client.name)
    finally:
        sys.path.remove(str(python_client.parent))
        for name in [n for n in sys.modules if n.startswith(python_client.name)]:
            del sys.modules[name]


def test_python_client_anonymous_intake_and_a_304(
    generated: ModuleType, settings: Settings
) -> None:
    """The README's recipe, run: anonymous intake through `AuthenticatedClient(token="",
    prefix="")`; `token=""` alone sends `Bearer ` (a trailing space), which httpx refuses. A
    public GET's 304 is documented, so the client returns it instead of failing to decode it."""
    name = generated.__name__
    submit: Any = importlib.import_module(f"{name}.api.concerns.concerns_submit")
    meetings: Any = importlib.import_module(f"{name}.api.public.public_meetings")
    models: Any = importlib.import_module(f"{name}.models")
    body = models.ConcernCreate.from_dict(concern_body())
    with serve(settings) as base:
        anonymous = generated.AuthenticatedClient(base_url=base, token="", prefix="")
        filed = submit.sync_detailed(client=anonymous, body=body)
        assert filed.status_code == 201, filed.content
        assert filed.parsed.tracking_code.startswith("OC-")
        with pytest.raises(httpx.LocalProtocolError):
            old = generated.AuthenticatedClient(base_url=base, token="")
            submit.sync_detailed(client=old, body=body)

        first = meetings.sync_detailed(client=generated.Client(base_url=base))
        assert first.status_code == 200
        tag = first.headers["etag"]
        cached = generated.Client(base_url=base, headers={"If-None-Match": tag})
        again = meetings.sync_detailed(client=cached)
        assert again.status_code == 304
        assert again.parsed is None
