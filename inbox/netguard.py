"""Hosts a user may make the server connect to (a shop's IMAP/SMTP server, later webhooks): never the server's own
machine or its private network, or "Test connection" becomes a port scanner of what sits behind the firewall.

The operator can allow such addresses with INBOX_ALLOW_PRIVATE_HOSTS: `1` for all of them (a self-hosted
mail server on the LAN), or a comma-separated list of networks (`10.0.5.0/24,127.0.0.0/8`).
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_FROM_CONFIG = object()


class RefusedHost(OSError):
    """The host resolves to an address the server must not connect to for a user. An OSError, like every other
    reason a connection cannot be made, so callers that report connection errors report this one too."""

    def __init__(self, host: str, address: str):
        super().__init__(f"{host} resolves to {address}, an address on the server's own network; "
                         "connections there are not allowed")
        self.host, self.address = host, address


def parse_allowed(value) -> bool | tuple[Network, ...]:
    """INBOX_ALLOW_PRIVATE_HOSTS as given: True (all), or the networks listed; empty/0 allows none."""
    if value is True or str(value).strip().lower() in ("1", "true", "yes", "all"):
        return True
    if not value or str(value).strip().lower() in ("0", "false", "no"):
        return ()
    items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    return tuple(ipaddress.ip_network(str(item).strip(), strict=False) for item in items if str(item).strip())


def is_public(address: Address) -> bool:
    """Whether an address is out on the internet: not loopback, link-local, private, shared (CGNAT), multicast,
    reserved or unspecified. IPv4 inside IPv6 (::ffff:10.0.0.1, 64:ff9b::/96) is judged as the IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in ipaddress.ip_network("64:ff9b::/96"):
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int | None) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []  # no address: the connection itself will fail and say so
    return [info[4][0] for info in infos]


def check_host(host: str, port: int | None = None, *, allow=_FROM_CONFIG,
               resolve: Callable[[str, int | None], Iterable[str]] = _resolve) -> list[str]:
    """Refuse a user-entered host that is, or resolves to, a non-public address. Returns the addresses checked.

    :param allow: True, or networks that are allowed anyway; by default the app's ALLOW_PRIVATE_HOSTS.
    :raise RefusedHost: when any address the name resolves to is not public and not allowed.
    """
    if allow is _FROM_CONFIG:
        allow = _allowed_by_app()
    host = (host or "").strip().strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = list(resolve(host, port)) if host else []
    if allow is True:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
        if not is_public(address) and not any(address in network for network in allow
                                              if network.version == address.version):
            raise RefusedHost(host, text)
    return addresses


def _allowed_by_app() -> bool | tuple[Network, ...]:
    from flask import current_app, has_app_context
    return parse_allowed(current_app.config.get("ALLOW_PRIVATE_HOSTS")) if has_app_context() else ()
