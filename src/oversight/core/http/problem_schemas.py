"""What each problem code means (``GET /problems/{code}``, a problem document's ``type``)."""

from __future__ import annotations

from pydantic import BaseModel

from oversight.core.errors import ProblemCode


class ProblemType(BaseModel):
    code: ProblemCode
    status: int
    explanation: str
