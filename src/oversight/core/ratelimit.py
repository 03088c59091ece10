"""Rate limits: sign-in attempts per client IP and wrong passwords per account,
registrations and registration attempts per IP, anonymous intake per IP, signed-in submission
per account, and tracking-code look-ups per IP. Counters live in the ``limits`` library's
storage: in memory for one process, in Redis when several replicas must share them.

Wrong passwords are counted twice, per (account, client IP) and per account, and only
failures count. A client over its own count gets 429 before its password is checked. Over
the account's count, only clients familiar to the account (that signed in to it lately: its
address, or a device token the service handed out; ``accounts.auth``, kept in the database)
still have their password checked, and every other client gets 429: guesses from many
addresses stop at the account's limit, while the owner still signs in (Entra's smart lockout).

A storage outage lets requests through (and logs it): a rate limiter that takes the service
down with it would be the bigger harm.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from enum import StrEnum

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from oversight.core.config import Settings
from oversight.core.errors import TooManyRequests

log = logging.getLogger(__name__)


class RateLimit(StrEnum):
    SIGN_IN_IP = "sign-in-ip"
    SIGN_IN_FAILURES_CLIENT = "sign-in-failures-client"
    SIGN_IN_FAILURES_ACCOUNT = "sign-in-failures-account"
    REGISTER_IP = "register-ip"
    REGISTER_ATTEMPTS_IP = "register-attempts-ip"
    INTAKE_IP = "intake-ip"
    SUBMIT_ACCOUNT = "submit-account"
    TRACKING_IP = "tracking-ip"
    COMMENT_IP = "comment-ip"
    OPEN311_KEY = "open311-key"


def too_many(seconds: float) -> TooManyRequests:
    retry_after = max(1, math.ceil(seconds))
    return TooManyRequests(retry_after, f"Too many requests; try again in {retry_after} seconds.")


def _account_key(email: str) -> str:
    """The counters' key for an account: a digest, so that the store holds no e-mail address
    and an address containing ``/`` cannot run into the client part of a key."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        storage = storage_from_string(f"async+{settings.rate_limit_storage}")
        if not isinstance(storage, Storage):
            raise TypeError(f"not an async rate-limit storage: {settings.rate_limit_storage}")
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.items: dict[RateLimit, RateLimitItem] = {
            RateLimit.SIGN_IN_IP: parse(settings.rate_limit_sign_in_ip),
            RateLimit.SIGN_IN_FAILURES_CLIENT: parse(settings.rate_limit_sign_in_failures_client),
            RateLimit.SIGN_IN_FAILURES_ACCOUNT: parse(settings.rate_limit_sign_in_failures_account),
            RateLimit.REGISTER_IP: parse(settings.rate_limit_register_ip),
            RateLimit.REGISTER_ATTEMPTS_IP: parse(settings.rate_limit_register_attempts_ip),
            RateLimit.INTAKE_IP: parse(settings.rate_limit_intake_ip),
            RateLimit.SUBMIT_ACCOUNT: parse(settings.rate_limit_submit_account),
            RateLimit.TRACKING_IP: parse(settings.rate_limit_tracking_ip),
            RateLimit.COMMENT_IP: parse(settings.rate_limit_comment_ip),
            RateLimit.OPEN311_KEY: parse(settings.rate_limit_open311_key),
        }

    async def hit(self, limit: RateLimit, key: str) -> None:
        """Count one request against ``limit`` for ``key``; 429 with Retry-After when over."""
        await self._enforce(limit, key, counting=True)

    async def check(self, limit: RateLimit, key: str) -> None:
        """429 with Retry-After if ``key`` is over ``limit``, without counting this request:
        for limits that count only what succeeded (``count`` afterwards)."""
        await self._enforce(limit, key, counting=False)

    async def _enforce(self, limit: RateLimit, key: str, *, counting: bool) -> None:
        if not self.enabled:
            return
        item = self.items[limit]
        within = self.strategy.hit if counting else self.strategy.test
        try:
            if await within(item, limit.value, key):
                return
            stats = await self.strategy.get_window_stats(item, limit.value, key)
        except Exception:  # the storage is down: let the request through
            log.warning("rate-limit storage unavailable; %s not enforced", limit, exc_info=True)
            return
        raise too_many(stats.reset_time - time.time())

    async def count(self, limit: RateLimit, key: str) -> None:
        """Count something that succeeded against ``limit`` (checked by ``check``)."""
        if not self.enabled:
            return
        try:
            await self.strategy.hit(self.items[limit], limit.value, key)
        except Exception:  # the storage is down: it goes uncounted
            log.warning("rate-limit storage unavailable; %s not counted", limit, exc_info=True)

    async def check_sign_in(self, email: str, ip: str) -> float | None:
        """Before the password is checked: 429 if this client has failed too often for this
        account. Otherwise the seconds until the account is back under its failure limit, if
        it is over it (only a familiar client may then try), or None."""
        if not self.enabled:
            return None
        account = _account_key(email)
        client_item = self.items[RateLimit.SIGN_IN_FAILURES_CLIENT]
        account_item = self.items[RateLimit.SIGN_IN_FAILURES_ACCOUNT]
        try:
            client = await self.strategy.get_window_stats(
                client_item, RateLimit.SIGN_IN_FAILURES_CLIENT.value, account, ip
            )
            whole = await self.strategy.get_window_stats(
                account_item, RateLimit.SIGN_IN_FAILURES_ACCOUNT.value, account
            )
        except Exception:  # the storage is down: let the request through
            log.warning("rate-limit storage unavailable; sign-in not limited", exc_info=True)
            return None
        now = time.time()
        if client.remaining <= 0:
            raise too_many(client.reset_time - now)
        if whole.remaining <= 0:
            return max(1.0, whole.reset_time - now)
        return None

    async def sign_in_failed(self, email: str, ip: str) -> None:
        """Count a wrong password (or unknown e-mail) for the account and for this client."""
        if not self.enabled:
            return
        account = _account_key(email)
        try:
            await self.strategy.hit(
                self.items[RateLimit.SIGN_IN_FAILURES_CLIENT],
                RateLimit.SIGN_IN_FAILURES_CLIENT.value,
                account,
                ip,
            )
            await self.strategy.hit(
                self.items[RateLimit.SIGN_IN_FAILURES_ACCOUNT],
                RateLimit.SIGN_IN_FAILURES_ACCOUNT.value,
                account,
            )
        except Exception:  # the storage is down: the failure goes uncounted
            log.warning(
                "rate-limit storage unavailable; sign-in failure not counted", exc_info=True
            )


def client_ip(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn's --forwarded-allow-ips makes it the
    forwarded one)."""
    return request.client.host if request.client else "unknown"
