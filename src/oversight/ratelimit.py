"""Rate limits (API.md): sign-in per client IP and per account, anonymous intake per IP, and
tracking-code look-ups per IP. Counters live in the ``limits`` library's storage: in memory
for one process, in Redis when several replicas must share them.

A storage outage lets requests through (and logs it): a rate limiter that takes the service
down with it would be the bigger harm.
"""

from __future__ import annotations

import logging
import math
import time
from enum import StrEnum

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from oversight.config import Settings
from oversight.errors import TooManyRequests

log = logging.getLogger(__name__)


class RateLimit(StrEnum):
    SIGN_IN_IP = "sign-in-ip"
    SIGN_IN_ACCOUNT = "sign-in-account"
    INTAKE_IP = "intake-ip"
    TRACKING_IP = "tracking-ip"


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        storage = storage_from_string(f"async+{settings.rate_limit_storage}")
        assert isinstance(storage, Storage)
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.items: dict[RateLimit, RateLimitItem] = {
            RateLimit.SIGN_IN_IP: parse(settings.rate_limit_sign_in_ip),
            RateLimit.SIGN_IN_ACCOUNT: parse(settings.rate_limit_sign_in_account),
            RateLimit.INTAKE_IP: parse(settings.rate_limit_intake_ip),
            RateLimit.TRACKING_IP: parse(settings.rate_limit_tracking_ip),
        }

    async def hit(self, limit: RateLimit, key: str) -> None:
        """Count one request against ``limit`` for ``key``; 429 with Retry-After when over."""
        if not self.enabled:
            return
        item = self.items[limit]
        try:
            if await self.strategy.hit(item, limit.value, key):
                return
            stats = await self.strategy.get_window_stats(item, limit.value, key)
        except Exception:  # the storage is down: let the request through
            log.warning("rate-limit storage unavailable; %s not enforced", limit, exc_info=True)
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            retry_after, f"Too many requests; try again in {retry_after} seconds."
        )


def client_ip(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn's --forwarded-allow-ips makes it the
    forwarded one)."""
    return request.client.host if request.client else "unknown"
