"""Where a webhook may be sent, and sending it only there.

In production (unless ``WEBHOOK_ALLOW_PRIVATE``) an endpoint must be https on a public address:
no loopback, private, link-local (the cloud metadata address among them), site-local,
multicast or reserved address, nor an IPv6 address that carries one of those IPv4 addresses
inside it (IPv4-mapped, -compatible and -translated, NAT64, 6to4, Teredo).

A name is resolved once per send, by ``resolve`` (injectable, so that a test can answer
differently each time), its addresses are checked, and the connection goes to one of those very
addresses (``PinnedTransport``): a name that resolves to a public address for the check and to
127.0.0.1 a moment later (DNS rebinding) still reaches only the checked one. The URL is parsed
once, by httpx, for both the check and the request, so that the two never read it differently;
TLS is verified, and SNI and ``Host`` sent, for the URL's own name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from oversight.core.config import Settings

#: A host name (or literal address) to its addresses, in the order to try them; empty when
#: it does not resolve.
Resolve = Callable[[str], Awaitable[list[str]]]

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address


async def system_resolve(host: str) -> list[str]:
    """The system resolver's answer (getaddrinfo), duplicates dropped, order kept."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in found))


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # NAT64, well-known prefix (RFC 6052)
# IPv6 prefixes whose last 32 bits are an IPv4 address a packet ends up at.
_CARRIERS = (
    _NAT64,
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (RFC 2765)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated, RFC 4291)
)
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on a prefix length only the
# local network knows, so the whole prefix is refused.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def _carried(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client, the address the relay forwards to
    for network in _CARRIERS:
        if ip in network:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _not_public(ip: _IP) -> bool:
    # is_global alone lets multicast through (224.0.0.0/4 and ff00::/8 are not "private"),
    # and fec0::/10 on Python 3.11.
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    return not ip.is_global or ip.is_multicast or ip.is_reserved or site_local


def refusal(address: str) -> str | None:
    """Why a webhook may not be sent to ``address`` in production, or None."""
    ip: _IP = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a connection to it is an IPv4 connection
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _carried(ip)
        if inner is not None and _not_public(inner):
            return f"resolves to {ip}, which carries {inner}, not a public address"
        if inner is not None and ip in _NAT64:
            return None  # DNS64's answer for an IPv4-only name: judged by that IPv4 address
        if ip in _LOCAL_NAT64:
            return f"resolves to {ip}, a local NAT64 address"
    if _not_public(ip):
        return f"resolves to {ip}, which is not a public address"
    return None


@dataclass(frozen=True)
class Destination:
    """A URL's host as the connection names it (IDNA, no brackets), and its checked
    addresses."""

    host: str
    addresses: tuple[str, ...]


def _strict(settings: Settings) -> bool:
    return settings.env == "production" and not settings.webhook_allow_private


async def check(
    url: str, settings: Settings, resolve: Resolve = system_resolve, *, pin: bool = False
) -> str | Destination:
    """Why ``url`` may not receive webhooks, or where it may be sent. Outside production the
    addresses are not checked, and only resolved when ``pin`` (the worker's send)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "is not a valid URL"
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        return "must be an http or https URL with a host"
    if parsed.userinfo:
        return "must not carry credentials"
    if _strict(settings) and parsed.scheme != "https":
        return "must be https"
    host = parsed.raw_host.decode("ascii")
    if not (pin or _strict(settings)):
        return Destination(host, ())
    addresses = await resolve(host)
    if not addresses:
        return f"{host} does not resolve"
    if _strict(settings):
        for address in addresses:
            if reason := refusal(address):
                return reason
    return Destination(host, tuple(addresses))


_PINNED: ContextVar[Destination | None] = ContextVar("pinned_destination", default=None)


@contextmanager
def pinned(destination: Destination) -> Iterator[None]:
    """Requests made inside (in this task) connect to ``destination``'s addresses only."""
    token = _PINNED.set(destination)
    try:
        yield
    finally:
        _PINNED.reset(token)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens a connection to the addresses checked for its host, never resolving the name
    again. httpcore opens a connection in the task of the request that needs it, so the
    context variable set around that request is visible here."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        destination = _PINNED.get()
        if destination is None or destination.host != host or not destination.addresses:
            raise httpcore.ConnectError(f"{host} was not checked before this connection")
        failure: Exception | None = None
        for address in destination.addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next address, as a resolving client would
        raise failure or httpcore.ConnectError(f"{host}: no address to connect to")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its request and error mapping, TLS verified against the URL's
    name) over a connection pool whose network backend is ``_PinnedBackend``: httpx takes no
    backend of its own, so the pool it built is replaced by an equal one that has it."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(),
        )
