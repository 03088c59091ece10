"""Accounts and sign-in: registration, users, tokens. Passwords follow
``oversight.core.passwords``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

from oversight.core import passwords
from oversight.core.roles import Role
from oversight.core.schemas import In, Out, Text200
from oversight.notifications.enums import Locale


def _password_policy(password: str) -> str:
    """The rules that need no e-mail: a 422 naming the rule broken."""
    if broken := passwords.broken_rule(password):
        raise ValueError(broken)
    return password


Password = Annotated[
    str,
    Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH),
    AfterValidator(_password_policy),
]


Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]


def _password_is_not_email(password: str, info: ValidationInfo) -> str:
    """A field validator for ``password``, declared after ``email`` (a bad e-mail is its own
    422 and is not compared): the 422 points at the password."""
    email = info.data.get("email")
    if email and (broken := passwords.broken_rule(password, email)):
        raise ValueError(broken)
    return password


class AccountCreate(In):
    email: Email
    password: Password
    display_name: Text200

    _policy = field_validator("password")(_password_is_not_email)


class UserCreate(In):
    email: Email
    display_name: Text200
    role: Role
    password: Password
    department_id: uuid.UUID | None = None

    _policy = field_validator("password")(_password_is_not_email)


class UserUpdate(In):
    role: Role | None = None
    is_active: bool | None = None
    department_id: uuid.UUID | None = None


class ProfileUpdate(In):
    display_name: Text200 | None = None
    locale: Locale | None = Field(
        default=None, description="The language of the e-mails this account receives."
    )


class UserOut(Out):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    department_id: uuid.UUID | None
    is_active: bool
    locale: Locale
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    device_token: str | None = Field(
        default=None,
        description="After a sign-in: send it back as `device_token` with the next sign-ins "
        "from this device (it stays valid 30 days after its last use). While the account is "
        "under attack (too many wrong passwords), only clients it knows still sign in.",
    )


class TokenRefresh(In):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]
