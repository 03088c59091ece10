"""The areas' reactions to recorded changes (``core.audit.on``), registered by importing each
area's ``handlers`` module. The application and the CLI import this before they serve."""

from oversight.notifications import handlers

__all__ = ["handlers"]
