"""Access tokens are verified once and remembered (security._verified): what is remembered must
never outlive the token, and nothing is remembered for a token that failed."""

import time
import uuid
from datetime import UTC, datetime

import pytest

from oversight.core import security
from oversight.core.config import Settings
from oversight.core.security import InvalidToken, decode_access_token, issue_access_token

SETTINGS = Settings(env="test", secret_key="k" * 40, access_token_minutes=1)


def _token() -> str:
    return issue_access_token(
        SETTINGS,
        user_id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        role="resident",
        now=datetime.now(UTC),
    )


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = _token()
    assert decode_access_token(SETTINGS, token) == decode_access_token(SETTINGS, token)
    assert security._verified.cache_info().hits >= 1
    later = time.time() + 60 + security.CLOCK_SKEW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidToken):
        decode_access_token(SETTINGS, token)


def test_a_token_is_remembered_only_under_its_key() -> None:
    token = _token()
    decode_access_token(SETTINGS, token)
    other = Settings(env="test", secret_key="o" * 40, access_token_minutes=1)
    with pytest.raises(InvalidToken):
        decode_access_token(other, token)


def test_a_forged_token_is_refused_every_time() -> None:
    head, body, _ = _token().split(".")
    forged = f"{head}.{body}.{'A' * 43}"
    size = security._verified.cache_info().currsize
    for _ in range(2):
        with pytest.raises(InvalidToken):
            decode_access_token(SETTINGS, forged)
    assert security._verified.cache_info().currsize == size
