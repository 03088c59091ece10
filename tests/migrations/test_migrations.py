"""Migrations build the schema, undo it, build it again, and agree with the models."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from oversight.core.engines import create_sync_engine
from oversight.core.migrations_info import alembic_config
from tests.conftest import make_settings, migrate


def tables(url: str) -> set[str]:
    engine = create_sync_engine(make_settings(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    config = alembic_config(make_settings(fresh_database_url))
    config.attributes["quiet_logging"] = True
    migrate(fresh_database_url)
    assert {"users", "audit_events", "categories"} <= tables(fresh_database_url)
    command.downgrade(config, "base")
    assert tables(fresh_database_url) <= {"alembic_version"}
    migrate(fresh_database_url)
    assert {"users", "audit_events", "categories"} <= tables(fresh_database_url)


def test_models_and_migrations_agree(fresh_database_url: str) -> None:
    migrate(fresh_database_url)
    config = alembic_config(make_settings(fresh_database_url))
    config.attributes["quiet_logging"] = True
    command.check(config)  # raises when autogenerate would emit anything


#: Triggers that keep derived data in the database itself; a later migration that rebuilds
#: ``concerns`` on SQLite drops them unless it creates them again.
TRIGGERS = {
    "sqlite": {
        "concern_counts_added",
        "concern_counts_removed",
        "concern_counts_moved",
        "concern_aggregates_added",
        "concern_aggregates_removed",
        "concern_aggregates_changed",
        "concerns_fts_added",
        "concerns_fts_removed",
        "concerns_fts_changed",
    },
    "postgresql": {
        "concern_counts_added",
        "concern_counts_removed",
        "concern_counts_moved",
        "concern_aggregates_added",
        "concern_aggregates_removed",
        "concern_aggregates_changed",
    },
}


def test_the_triggers_on_concerns_exist_at_head(fresh_database_url: str) -> None:
    migrate(fresh_database_url)
    engine = create_sync_engine(make_settings(fresh_database_url))
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'concerns'"
            else:
                query = (
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'concerns'::regclass "
                    "AND NOT tgisinternal"
                )
            found = set(connection.execute(text(query)).scalars())
        assert TRIGGERS[engine.dialect.name] <= found
    finally:
        engine.dispose()
