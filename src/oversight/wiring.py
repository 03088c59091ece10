"""The areas' reactions to recorded changes (``core.audit.on``) and the worker's background
tasks (``core.background``), registered by importing each area's ``handlers`` module (and the
audit log's tree, the summary's aggregates). The application and the CLI import this before
they serve."""

from oversight.audit import tree as audit_tree
from oversight.intervention import handlers as intervention
from oversight.notifications import handlers as notifications
from oversight.reports import aggregates

__all__ = ["aggregates", "audit_tree", "intervention", "notifications"]
