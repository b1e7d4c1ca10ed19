"""The client's address, behind the reverse proxies the deployment says it trusts.

Behind a proxy every request comes from the proxy's address, so lockout by address
would lock everyone out and the callback rate limit would count the whole internet as
one client. ``TRUSTED_PROXIES`` says who may name the client in ``X-Forwarded-For``:

- empty (the default): nobody; the client is ``REMOTE_ADDR``;
- a number N: N proxies stand in front of the app; the client is the address the
  outermost one saw (the N-th from the right of ``X-Forwarded-For`` plus
  ``REMOTE_ADDR``);
- addresses or networks (``10.0.0.0/8,192.0.2.7``): hops are read from the right,
  skipping trusted ones; the first untrusted hop is the client. A request whose
  ``REMOTE_ADDR`` is not trusted is taken as it came, whatever it claims.

The lockout, the rate limit and the audit log all use this one answer.
"""

import functools
import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

MAX_LENGTH = 45  # the audit log's column


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, networks: tuple[Any, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in networks)


def client_address_of(meta: dict[str, Any], trusted: int | tuple[str, ...]) -> str:
    """Return the client's address from request headers ``meta`` and the trusted proxies."""
    remote = str(meta.get("REMOTE_ADDR", ""))[:MAX_LENGTH]
    if not trusted or _address(remote) is None:
        return remote
    forwarded = [hop for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    hops = [*forwarded, remote]
    if isinstance(trusted, int):
        candidate = hops[-trusted - 1] if len(hops) > trusted else hops[0]
        return _address(candidate) or remote
    networks = _networks(trusted)
    client = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a hop that is no address: trust nothing beyond it
        client = address
        if not _trusted(address, networks):
            break
    return client


def client_address(request: HttpRequest) -> str:
    """Return the address of the client that sent ``request`` (remembered on the request)."""
    cached: str | None = getattr(request, "_openrecovery_client_address", None)
    if cached is None:
        cached = client_address_of(request.META, settings.TRUSTED_PROXIES)
        request._openrecovery_client_address = cached  # type: ignore[attr-defined]
    return cached
