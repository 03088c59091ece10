"""Shared pieces of every shape: inputs that refuse unknown fields and unstorable text,
outputs read from rows, pages, and the common text types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def only(*allowed: E) -> AfterValidator:
    """For a field typed with an enum, accept only ``allowed`` of its members (422 otherwise).
    A ``Literal`` of the members would do the same but give the field an unnamed enum of its
    own in the OpenAPI document; this keeps the enum's one named schema."""
    expected = " or ".join(f"'{member.value}'" for member in allowed)

    def check(value: E) -> E:
        if value not in allowed:
            raise PydanticCustomError("enum", "Input should be {expected}", {"expected": expected})
        return value

    return AfterValidator(check)


Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def storable(value: str) -> str:
    """Refuse what no database column can hold: NUL characters (PostgreSQL text) and unpaired
    UTF-16 surrogates (not UTF-8), which JSON escapes can smuggle in."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain unpaired surrogate characters") from None
    return value


def _storable_everywhere(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _storable_everywhere(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_everywhere(key)
            _storable_everywhere(item)
    return value


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _storable_everywhere(value)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


NoteBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
