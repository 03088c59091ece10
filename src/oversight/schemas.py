"""Request and response shapes. Inputs forbid unknown fields, so a client that sends
``role`` or ``status`` where it may not learns so instead of being silently ignored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_serializer,
    model_validator,
)

from oversight.domain.roles import Role

T = TypeVar("T")

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, Field(min_length=12, max_length=128)]
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
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


def _password_is_not_email(password: str, email: str) -> None:
    if password.strip().lower() == email.lower():
        raise ValueError("the password must not be the e-mail address")


class RegisterIn(In):
    email: Email
    password: Password
    display_name: Text200

    @model_validator(mode="after")
    def _policy(self) -> Self:
        _password_is_not_email(self.password, self.email)
        return self


class UserCreate(In):
    email: Email
    display_name: Text200
    role: Role
    password: Password
    department_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _policy(self) -> Self:
        _password_is_not_email(self.password, self.email)
        return self


class UserUpdate(In):
    role: Role | None = None
    is_active: bool | None = None
    department_id: uuid.UUID | None = None


class UserPublic(Out):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    department_id: uuid.UUID | None
    is_active: bool
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshIn(In):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class DepartmentCreate(In):
    code: Code
    name: Text200


class DepartmentPublic(Out):
    id: uuid.UUID
    code: str
    name: str


class CategoryCreate(In):
    code: CategoryCode
    label: Text200
    active: bool = True


class CategoryPublic(Out):
    code: str
    label: str
    active: bool


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    migration: str


class AuditEventPublic(Out):
    """An event exactly as hashed: ``hash`` can be recomputed from these values."""

    seq: int
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @field_serializer("at")
    def _at(self, at: datetime) -> str:
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditHead(BaseModel):
    seq: int = Field(description="0 while the log is empty.")
    hash: str
    at: datetime | None
