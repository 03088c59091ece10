"""What every resource with a version and a status machine shares."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from oversight.domain import machines
from oversight.domain.roles import Role
from oversight.errors import (
    Conflict,
    Forbidden,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)


class Versioned(Protocol):
    version: int


def check_version(resource: Versioned, if_match: str | None) -> None:
    """428 without If-Match, 412 when it names another version than the stored one."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag you last read.")
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    if "*" not in tags and str(resource.version) not in tags:
        raise PreconditionFailed(
            f"It changed since you read it (now version {resource.version}).",
            extra={"current_version": resource.version},
        )


def enforce_move(
    moves: tuple[machines.Move, ...],
    noun: str,
    current: str,
    target: str,
    role: Role,
    given: Collection[str],
    via: str | None = None,
) -> machines.Move:
    """The machine's verdict, or its refusal as the contract's problem (409, 403 or 422)."""
    try:
        return machines.check_move(moves, current, target, role, given, via)
    except machines.NotAMove as exc:
        raise Conflict(
            f"A {noun} that is {exc.current} cannot move to {exc.target}.",
            extra={"allowed": exc.allowed},
        ) from exc
    except machines.NotYourMove as exc:
        raise Forbidden(str(exc).capitalize() + ".") from exc
    except machines.ElsewhereMove as exc:
        raise Unprocessable(f"This move is made by {exc.via}.", loc=("body", "to")) from exc
    except machines.Missing as exc:
        raise Unprocessable(f"{str(exc).capitalize()}.", loc=("body", exc.field)) from exc
