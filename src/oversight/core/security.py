"""Password hashing and tokens. The only module that imports passlib or jose."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from jose import JWTError, jwt
from passlib.context import CryptContext

from oversight.core.config import Settings

ALGORITHM = "HS256"
#: Seconds of clock difference tolerated between the servers that issue and check tokens.
CLOCK_SKEW_SECONDS = 30

# argon2id at the OWASP minimum (19 MiB, 2 passes, 1 lane): about 43 ms a hash on 2 cores.
_passwords = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19_456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)
# Verified against when the e-mail is unknown, so that a wrong e-mail costs what a wrong
# password costs and the timing does not reveal who has an account.
_DUMMY_HASH = _passwords.hash(secrets.token_urlsafe(32))


#: Where the async functions below hash: argon2 (argon2-cffi, which releases the GIL) takes
#: tens of milliseconds of CPU that, on the event loop, would stall every other request of
#: the process (and, on SQLite, any writer waiting for the lock). One thread per core: more
#: would not hash faster, and each hash holds 19 MiB while it runs.
_hashing = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False
    return bool(_passwords.verify(password, password_hash))


async def hash_password_async(password: str) -> str:
    """``hash_password`` in a worker thread: what async code calls."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)


async def verify_password_async(password: str, password_hash: str | None) -> bool:
    """``verify_password`` in a worker thread: what async code calls."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, verify_password, password, password_hash)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    role: str
    token_id: str


def issue_access_token(
    settings: Settings, *, user_id: uuid.UUID, session_id: uuid.UUID, role: str, now: datetime
) -> str:
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.access_token_minutes)).timestamp()),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": secrets.token_hex(16),
    }
    return str(jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM))


class InvalidToken(Exception):
    """The token is malformed, forged, expired or lacks a required claim."""


def _check_age(settings: Settings, issued_at: float) -> None:
    """An access token lives ACCESS_TOKEN_MINUTES from its ``iat``, whatever its ``exp`` says
    (a token minted with a long ``exp``, by a bug or an old setting, still dies on time)."""
    age = time.time() - issued_at
    if age > settings.access_token_minutes * 60 + CLOCK_SKEW_SECONDS:
        raise InvalidToken("the token is older than its lifetime")
    if age < -CLOCK_SKEW_SECONDS:
        raise InvalidToken("the token was issued in the future")


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """The claims of a valid access token; its lifetime is checked on every call."""
    claims, expires, issued_at = _verified(
        settings.signing_key, settings.jwt_audience, settings.jwt_issuer, token
    )
    if time.time() > expires + CLOCK_SKEW_SECONDS:
        raise InvalidToken("Signature has expired.")
    _check_age(settings, issued_at)
    return claims


@lru_cache(maxsize=4096)
def _verified(
    key: str, audience: str, issuer: str, token: str
) -> tuple[AccessClaims, float, float]:
    """A token's signature and claims, checked once: the same string always checks the same
    way, and a client sends its token with every request (this was 6% of a small read's
    CPU). Only valid tokens are kept; their time limits are the caller's to check each time."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
                "require_jti": True,
                "leeway": CLOCK_SKEW_SECONDS,
            },
        )
        expires, issued_at = claims["exp"], claims["iat"]
        for value in (expires, issued_at):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidToken("exp and iat must be numbers")
        access = AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            role=str(claims["role"]),
            token_id=str(claims["jti"]),
        )
    except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidToken(str(exc)) from exc
    return access, float(expires), float(issued_at)


def new_refresh_token() -> str:
    """An opaque refresh token: 256 random bits. Only its SHA-256 is stored."""
    return secrets.token_urlsafe(32)


def refresh_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: A device token: ``<selector>.<secret>``. The selector (the row's id) finds the row; the
#: secret's SHA-256 is all that is stored, compared in constant time (``device_matches``).
DEVICE_TOKEN_SEPARATOR = "."  # noqa: S105


def new_device_token(selector: uuid.UUID) -> tuple[str, bytes]:
    """A device token for the row ``selector`` and the digest to store for it."""
    secret = secrets.token_urlsafe(32)
    return f"{selector.hex}{DEVICE_TOKEN_SEPARATOR}{secret}", _secret_digest(secret)


def _secret_digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def device_selector(token: str | None) -> uuid.UUID | None:
    """The row a device token names, or None when it is absent or malformed."""
    if not token or DEVICE_TOKEN_SEPARATOR not in token:
        return None
    selector, _ = token.split(DEVICE_TOKEN_SEPARATOR, 1)
    try:
        return uuid.UUID(hex=selector)
    except ValueError:
        return None


def device_matches(token: str, stored: bytes | None) -> bool:
    """Whether the token's secret is the one whose digest was stored (constant time)."""
    if stored is None:
        return False
    secret = token.split(DEVICE_TOKEN_SEPARATOR, 1)[-1]
    return hmac.compare_digest(_secret_digest(secret), bytes(stored))


def address_digest(settings: Settings, address: str) -> bytes:
    """What is stored of a client address: keyed, so that the table does not give back the
    addresses (an IPv4 address alone is 32 bits to try)."""
    key = settings.signing_key.encode()
    return hmac.new(key, b"address\0" + address.encode(), hashlib.sha256).digest()
