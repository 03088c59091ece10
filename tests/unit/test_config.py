import pytest
from pydantic import ValidationError

from oversight.core.config import Settings


def test_dev_makes_its_own_key() -> None:
    settings = Settings(env="dev", secret_key=None)
    assert len(settings.signing_key) >= 32


@pytest.mark.parametrize("key", [None, "changeme", "short-key"])
@pytest.mark.parametrize("env", ["test", "production"])
def test_outside_dev_a_real_key_is_required(env: str, key: str | None) -> None:
    with pytest.raises(ValidationError, match="OVERSIGHT_SECRET_KEY"):
        Settings(env=env, secret_key=key)


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSIGHT_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_a_replica_is_of_a_postgresql_primary() -> None:
    with pytest.raises(ValidationError, match="OVERSIGHT_REPLICA_URL needs a PostgreSQL"):
        Settings(database_url="sqlite:///x.db", replica_url="postgresql://h/db")
    with pytest.raises(ValidationError, match="replica_url"):
        Settings(database_url="postgresql://h/db", replica_url="mysql://h/db")
    replica = Settings(database_url="postgresql://h/db", replica_url="postgresql://r/db")
    assert replica.replica_max_lag_seconds == 30
