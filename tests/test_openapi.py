import json
from pathlib import Path

from oversight.main import create_app
from tests.conftest import make_settings

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_app() -> None:
    served = create_app(make_settings("sqlite:///unused.db")).openapi()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "run `make openapi` and commit openapi/openapi.json"
