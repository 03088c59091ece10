from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from oversight.core.config import Settings
from oversight.core.engines import create_sync_engine


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A synchronous engine on the test's database: for reading it, or tampering with it."""
    engine = create_sync_engine(settings)
    yield engine
    engine.dispose()
