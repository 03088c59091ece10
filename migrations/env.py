"""Alembic environment: the URL comes from the app's settings; SQLite gets batch mode."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import oversight.tables  # noqa: F401  (every table on Base.metadata)
from oversight.core.config import Settings, get_settings
from oversight.core.db import Base
from oversight.core.engines import create_sync_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("quiet_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

settings: Settings = config.attributes.get("settings") or get_settings()

# PostgreSQL-only expression indexes written by hand in the migrations; autogenerate cannot
# compare expressions, so it leaves them alone instead of proposing to drop them.
HAND_WRITTEN_INDEXES = frozenset({"ix_concerns_search", "ix_concerns_clock_running"})
#: SQLite's full-text index (migration 20261126_09) and the tables FTS5 keeps for it.
SEARCH_TABLES = "concerns_fts"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "table" and (name or "").startswith(SEARCH_TABLES):
        return False
    return not (type_ == "index" and name in HAND_WRITTEN_INDEXES)


def run_migrations_offline() -> None:
    context.configure(
        url=settings.database_url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=settings.database_url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_sync_engine(settings)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
