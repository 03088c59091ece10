"""Reference data: departments and the concern category taxonomy."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
)

from oversight.concerns.enums import Kind
from oversight.core.schemas import In, Out, Text200

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"
    ),
]


CategoryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$"),
]


class DepartmentCreate(In):
    code: Code
    name: Text200


class DepartmentOut(Out):
    id: uuid.UUID
    code: str
    name: str


class CategoryCreate(In):
    code: CategoryCode
    label: Text200
    active: bool = True
    kind: Kind = Field(
        default=Kind.COMPLAINT,
        description="The kind of concern usually filed under it (its Open311 service's group).",
    )


class PublicCommissioner(Out):
    """A commissioner, a public official: who takes part in meetings and votes."""

    id: uuid.UUID
    display_name: str
    active: bool


class CategoryOut(Out):
    code: str
    label: str
    active: bool
    kind: Kind
