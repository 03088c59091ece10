"""The problem codes explained: every problem document's ``type`` is ``/problems/{code}``."""

from __future__ import annotations

from fastapi import APIRouter

from oversight.core.errors import EXPLANATIONS, NotFound, ProblemCode
from oversight.core.http.problem_schemas import ProblemType
from oversight.core.schemas import Page

router = APIRouter(prefix="/problems", tags=["problems"])


def _explained(code: ProblemCode) -> ProblemType:
    status, explanation = EXPLANATIONS[code]
    return ProblemType(code=code, status=status, explanation=explanation)


@router.get("", name="list", response_model=Page[ProblemType])
async def list_problems() -> object:
    """Every code a problem document may carry, with what it means (one page, the whole list)."""
    return {"items": [_explained(code) for code in ProblemCode], "next_cursor": None}


@router.get("/{code}", name="read", response_model=ProblemType)
async def explain(code: str) -> object:
    """What a problem code means and what to do about it."""
    if code not in ProblemCode.__members__.values():
        raise NotFound(f"No problem is called {code!r}; GET /problems lists them.")
    return _explained(ProblemCode(code))
