"""Concerns: who reads which (``access``), how one reads (``view``), intake, the triage queue,
edits, and the moves through the concern machine. Import what you need from here."""

from oversight.services.concerns.access import load, visible_to
from oversight.services.concerns.edits import update
from oversight.services.concerns.intake import check_categories, submit, submit_alone
from oversight.services.concerns.moves import Moving, changed, make_move, transition
from oversight.services.concerns.queue import ConcernFilters, counts, page
from oversight.services.concerns.view import ConcernView, allegations_of, read

__all__ = [
    "ConcernFilters",
    "ConcernView",
    "Moving",
    "allegations_of",
    "changed",
    "check_categories",
    "counts",
    "load",
    "make_move",
    "page",
    "read",
    "submit",
    "submit_alone",
    "transition",
    "update",
    "visible_to",
]
