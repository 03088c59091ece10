"""The areas' reactions to recorded changes (``core.audit.on``), registered by importing each
area's ``handlers`` module. The application and the CLI import this before they serve."""

from oversight.intervention import handlers as intervention
from oversight.notifications import handlers as notifications

__all__ = ["intervention", "notifications"]
