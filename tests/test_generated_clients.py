"""A front-end team generates its clients from openapi/openapi.json: the Python one with
openapi-python-client, the TypeScript one with openapi-typescript. Both are generated here and
their names checked: operations `<tag>_<verb>`, every enum one named type, statuses typed.

The generators are installed once into `.tools/` (PyPI and npm); the test runs once per CI run,
in its PostgreSQL pass (it does not depend on the database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        [str(generator), "generate", "--path", str(DOCUMENT), "--meta", "none"],
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


def test_python_operations_and_enums_have_readable_names(python_client: Path) -> None:
    api = python_client / "api"
    for tag, operation in (
        ("concerns", "concerns_move"),
        ("concerns", "concerns_counts"),
        ("concerns", "concerns_submit"),
        ("meetings", "meetings_take_attendance"),
        ("public", "public_report_summary"),
        ("resolutions", "resolutions_list_recommendations"),
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
