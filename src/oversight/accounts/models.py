"""Accounts, sign-ins, reference data and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from oversight.concerns.enums import Kind
from oversight.core.clock import utcnow
from oversight.core.db import Base
from oversight.core.models import HasId, one_of
from oversight.core.roles import Role


class Department(HasId, Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (CheckConstraint(one_of("kind", Kind), name="kind"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    #: The kind of concern filed under it unless the submitter says otherwise: the group of
    #: its Open311 service.
    kind: Mapped[str] = mapped_column(
        String(20), default=Kind.COMPLAINT, server_default=Kind.COMPLAINT.value
    )


class User(HasId, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("role", Role), name="role"),)

    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    #: The language of the messages sent to this account.
    locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthSession(HasId, Base):
    """One sign-in: the family of refresh tokens it rotates through, and its access tokens."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RefreshToken(HasId, Base):
    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FamiliarBy(StrEnum):
    """How a client is known to an account: where it signed in from, or the device token the
    service handed it."""

    ADDRESS = "address"
    DEVICE = "device"


class FamiliarSignIn(HasId, Base):
    """A client that signed in to an account successfully: past the account's failure limit,
    only familiar clients still have a password checked (``accounts.auth``, like Entra's smart
    lockout). Rows not seen for ``familiar_sign_in_days`` are ignored, and deleted at the
    account's next sign-in."""

    __tablename__ = "familiar_sign_ins"
    __table_args__ = (
        CheckConstraint(one_of("kind", FamiliarBy), name="kind"),
        # The upsert's key, and the look-up of an address.
        UniqueConstraint("user_id", "kind", "digest"),
        # The pruning at each sign-in reads only the account's stale rows, however many the
        # account has (a script that signs in without keeping its device token adds one a
        # time).
        Index("ix_familiar_sign_ins_user_id_last_seen_at", "user_id", "last_seen_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    #: HMAC-SHA-256 of the address under the signing key, or SHA-256 of the device token's
    #: secret: neither an address nor a usable token is stored.
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
