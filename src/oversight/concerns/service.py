"""Concerns: who reads which (``access``), how one reads (``view``), intake, the triage queue,
edits, and the moves through the concern machine. Import what you need from here."""

from oversight.concerns.edits import update
from oversight.concerns.intake import check_categories, submit, submit_alone
from oversight.concerns.moves import Moving, changed, make_move, transition
from oversight.concerns.queue import ConcernFilters, counts, page
from oversight.concerns.view import ConcernView, allegations_of, read
from oversight.concerns.visibility import load, visible_to

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
