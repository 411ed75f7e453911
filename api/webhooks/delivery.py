"""Sending webhooks: the checked HTTP transport, the client and the POST (api/webhooks/outbound.py
holds the address rules). Imported by the delivery worker, not by the web process."""

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from api.webhooks.outbound import (
    EXCERPT_BYTES,
    TIMEOUT_SECONDS,
    Resolver,
    UnsafeDestination,
    _normalise,
    address_problem,
    allowed_hosts,
    check_url,
)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, as the system resolver answers."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise httpcore.ConnectError(f"could not resolve {host}") from None
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))


class CheckedNetwork(httpcore.NetworkBackend):
    """Resolves the host itself, refuses unless every address is public (or the host is
    allowed), then connects to a checked address. httpcore still sends the name as Host and
    as the TLS server name, and verifies the certificate against it."""

    def __init__(self, allowed: frozenset[str], resolver: Resolver = resolve) -> None:
        self.allowed = allowed
        self.resolver = resolver
        self.network = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.resolver(host, port)
        if _normalise(host) not in self.allowed:
            for text in addresses:
                problem = address_problem(ipaddress.ip_address(text))
                if problem:
                    raise UnsafeDestination(f"{host} resolves to {problem}")
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for text in addresses:
            try:
                return self.network.connect_tcp(text, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise UnsafeDestination("webhooks are not sent to local sockets")

    def sleep(self, seconds: float) -> None:
        self.network.sleep(seconds)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport on :class:`CheckedNetwork`, ignoring proxy environment variables
    (a proxy would make the connection on our behalf, unchecked)."""

    def __init__(self, allowed: frozenset[str], resolver: Resolver = resolve) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=CheckedNetwork(allowed, resolver),
        )


def client(allowed: Iterable[str] | None = None, resolver: Resolver = resolve) -> httpx.Client:
    """The HTTP client deliveries go out through: checked addresses, no redirects."""
    hosts = allowed_hosts() if allowed is None else frozenset(_normalise(h) for h in allowed)
    return httpx.Client(
        transport=CheckedTransport(hosts, resolver),
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
        trust_env=False,
    )


def _excerpt(response: httpx.Response) -> str:
    """The first bytes of a response body as printable text (undecoded: no zip bombs)."""
    raw = b""
    for chunk in response.iter_raw():
        raw += chunk
        if len(raw) >= EXCERPT_BYTES:
            break
    text = raw[:EXCERPT_BYTES].decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text).strip()


def post(
    http: httpx.Client, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """POST ``body`` to ``url``: ``(status, None)`` on a 2xx, else ``(status or None, why)``.

    The URL is checked again here (a row may predate a rule, or the allow-list may have
    shrunk); the addresses are checked by :class:`CheckedNetwork`.
    """
    try:
        check_url(url)
        with http.stream(
            "POST", url, content=body, headers={**headers, "Accept-Encoding": "identity"}
        ) as response:
            if 200 <= response.status_code < 300:
                return response.status_code, None
            excerpt = _excerpt(response)
            detail = f"HTTP {response.status_code}" + (f": {excerpt}" if excerpt else "")
            return response.status_code, detail
    except UnsafeDestination as exc:
        return None, f"refused: {exc}"
    except httpx.TimeoutException:
        return None, f"no response within {TIMEOUT_SECONDS:g} s"
    except httpx.HTTPError:
        return None, "the connection failed"
