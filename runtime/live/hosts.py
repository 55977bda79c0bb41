"""Whose requests the live view answers: its own Host names, and writes from its own page only.

Loopback is not a trust boundary against the browser. A page on another site can make the
browser send requests to 127.0.0.1, and through DNS rebinding (its own name, re-pointed at
127.0.0.1) read the answers: the Host header then carries that other name. So, as Jupyter does,
only the addresses the server listens on and its own names are answered. Writes are refused when
the browser says they come from another page (Origin, Referer, Sec-Fetch-Site): a cross-origin
`text/plain` POST needs no permission from us to be sent.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost"}
# Sec-Fetch-Site values of a request made by our own page, or typed by the user
OWN_SITE = {"same-origin", "none"}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_name(host: str) -> str:
    """'Name:8080' -> 'name', '[::1]:8080' -> '::1': the Host header without its port."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def machine_names() -> set[str]:
    """This machine's names as another device types them: its host name, the name's first label,
    and that label under .local (mDNS: raspberrypi.local)."""
    name = socket.gethostname().lower().rstrip(".")
    short = name.split(".")[0]
    return {n for n in (name, short, f"{short}.local" if short else "") if n}


class HostCheck:
    """The Host headers this server answers, from where it listens and the names it is given."""

    def __init__(self, given: str, bound: str, allowed: Iterable[str] = ()):
        self.bound = _address(bound)  # where the socket listens, after binding
        self.wildcard = self.bound is not None and self.bound.is_unspecified
        self.loopback = self.bound is not None and self.bound.is_loopback
        self.names = set(LOOPBACK_NAMES) | {host_name(n) for n in allowed}
        if _address(host_name(given)) is None:
            self.names.add(host_name(given))  # --serve myname.lan:8080
        if not self.loopback:
            self.names |= machine_names()

    def allows(self, host: str | None) -> bool:
        """Whether a request's Host header names this server (no header: not a browser)."""
        if host is None:
            return True
        name = host_name(host)
        address = _address(name)
        if address is None:
            return name in self.names
        # an address typed in the URL cannot be rebound to us by another site's name
        return self.wildcard or address == self.bound or (self.loopback and address.is_loopback)


def cross_origin(headers, check: HostCheck) -> bool:
    """Whether a browser says this request comes from another site's page (no header: not a
    browser, e.g. curl or a script, which could send any header anyway)."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in OWN_SITE:
        return True
    source = headers.get("Origin") or headers.get("Referer")
    if source is None:
        return False
    parts = urlsplit(source.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return True  # "null": a sandboxed frame, a file:// page, a data: URL
    host = headers.get("Host")
    if host is not None:  # a browser writes both the same way: name, port only when not 80
        return parts.netloc.lower() != host.strip().lower()
    return not check.allows(parts.netloc)


def shown(host: str, limit: int = 80) -> str:
    """A Host header made safe to echo in a one-line answer."""
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in host)
    return text[:limit] + ("..." if len(text) > limit else "")
