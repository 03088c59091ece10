"""Work an area leaves for ``oversight worker``: each registered task runs once a round, in the
worker's process, after the outbox's deliveries (early intervention evaluates the officers whose
record changed). A task takes the database and says how many things it handled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from oversight.core.db import Database

Task = Callable[[Database], Awaitable[int]]

#: In the order the areas registered them (``oversight.wiring``).
TASKS: list[Task] = []


def every_round(task: Task) -> Task:
    """Register ``task`` to run once in every round of the worker."""
    TASKS.append(task)
    return task
