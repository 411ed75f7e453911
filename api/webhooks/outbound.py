"""Outbound webhook requests that cannot be turned against the inside of the network.

A webhook URL is checked when it is registered or changed: http or https, no user name or
password, and a host that is not an internal address in any spelling (``127.0.0.1``,
``[::1]``, ``0x7f000001``, ``2130706433``, ``localhost``...). It is checked again at delivery,
after DNS resolution: every address the name resolves to must be public, and the connection
is made to the address that was checked (TLS still verifies the name), so a name re-pointed
between the check and the connection (DNS rebinding) gains nothing. Hosts listed in
``LSPHUB_WEBHOOK_ALLOWED_HOSTS`` skip the address rule: an intranet receiver, or the tests'
loopback one.

The HTTP client (httpx) is imported only where webhooks are sent: ``client`` and ``post``
are in ``api/webhooks/delivery.py``; the web process only checks URLs here.

Redirects are not followed, at most a short excerpt of a response is kept, and a refused or
failed delivery records why in words that say nothing about which ports are open.
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from api.core.errors import invalid
from api.core.settings import get_settings

if TYPE_CHECKING:
    import httpx

TIMEOUT_SECONDS = 10.0
EXCERPT_BYTES = 200
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# What inet_aton reads as IPv4 besides dotted quads: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


class UnsafeDestination(Exception):
    """The URL or the address it resolves to is not one webhooks may be sent to."""


def allowed_hosts() -> frozenset[str]:
    return frozenset(get_settings().webhook_allowed_hosts)


def _normalise(host: str) -> str:
    return host.lower().strip("[]").rstrip(".")


def parse_address(host: str) -> IPAddress | None:
    """``host`` as an IP address, in the spellings a resolver would accept, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one (None when it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if address in _IPV4_COMPATIBLE and not (address.is_loopback or address.is_unspecified):
            return "an IPv4-compatible IPv6 address"
        if address in _NAT64 or address.sixtofour is not None or address.teredo is not None:
            return "an IPv6 address that tunnels to IPv4"
        if address in _UNIQUE_LOCAL:
            return "a unique-local address"
        if address.is_site_local:
            return "a site-local address"
    for problem, flag in (
        ("the unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if flag:
            return problem
    if not address.is_global:
        return "not a public address"
    return None


def check_url(url: str, allowed: Iterable[str] | None = None) -> None:
    """Refuse a URL webhooks may not be sent to; what can be told without resolving it."""
    import httpx  # its URL parser is the one deliveries use; loaded on first check

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeDestination(f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise UnsafeDestination("only http and https URLs are allowed")
    if parsed.userinfo:
        raise UnsafeDestination("a user name or password in the URL is not allowed")
    host = _normalise(parsed.host)
    if not host:
        raise UnsafeDestination("the URL has no host")
    if host in (allowed_hosts() if allowed is None else frozenset(allowed)):
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise UnsafeDestination(f"{host} is a loopback name")
    address = parse_address(host)
    if address is not None and (problem := address_problem(address)):
        raise UnsafeDestination(f"{host} is {problem}")


# -- create and update -------------------------------------------------------------------------


def check_webhook_url(url: str) -> None:
    """A 422 naming ``url`` for a destination that is not allowed (on create and update)."""
    try:
        check_url(url)
    except UnsafeDestination as exc:
        raise invalid("url", str(exc)) from None


# -- delivery (api/webhooks/delivery.py) --------------------------------------------------------


def client(
    allowed: Iterable[str] | None = None, resolver: Resolver | None = None
) -> "httpx.Client":
    """The HTTP client deliveries go out through (see ``delivery.client``)."""
    from api.webhooks import delivery

    return delivery.client(allowed, resolver or delivery.resolve)


def post(
    http: "httpx.Client", url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """POST ``body`` to ``url`` (see ``delivery.post``)."""
    from api.webhooks import delivery

    return delivery.post(http, url, body, headers)
