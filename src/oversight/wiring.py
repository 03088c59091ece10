"""The areas' reactions to recorded changes (``core.audit.on``) and the worker's background
tasks (``core.background``), registered by importing each area's ``handlers`` module (and the
audit log's tree). The application and the CLI import this before they serve."""

from oversight.audit import tree as audit_tree
from oversight.intervention import handlers as intervention
from oversight.notifications import handlers as notifications

__all__ = ["audit_tree", "intervention", "notifications"]
