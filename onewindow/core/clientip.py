"""The client's address, read correctly behind a reverse proxy.

`REMOTE_ADDR` is the peer of the web server. Behind nginx or HAProxy that is the proxy, and every
citizen of the county would share one address in the login guard and the rate limits. The proxy
puts the real peer in `X-Forwarded-For`, but any client can send that header too, so it is read
only when the request came from an address listed in `ONEWINDOW_TRUSTED_PROXIES` (environment
`TRUSTED_PROXIES`, comma-separated addresses or networks). The header is then walked from the right
(the entry the nearest proxy appended) past every trusted proxy; the first untrusted entry is the
client. Entries to the left of it were written by the client and are never believed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "ONEWINDOW_TRUSTED_PROXIES", ()) or ()))


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def client_ip(request: Any) -> str | None:
    """The address the login guard and every rate limit count against."""
    meta = getattr(request, "META", None) or {}
    remote = _parse(meta.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = trusted_networks()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    for entry in reversed(forwarded):
        address = _parse(entry)
        if address is None:
            # A malformed hop: nothing left of it can be trusted; the last good hop is the answer.
            break
        if not _trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)
