"""Which webhook URLs this server sends to, and the one address each delivery connects
to (docs/webhooks.md, "SSRF").

A URL is checked twice: when it is registered, and at every delivery, against the
addresses its name resolves to *then*. A delivery connects to the address that was
checked (the name still goes in the Host header and TLS's SNI, and the certificate is
checked against the name), so a name that resolves to a public address when checked
and to a private one a moment later (DNS rebinding) cannot steer a delivery inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.platform.errors import UnsafeWebhookURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not global, though `ipaddress` would not say so of every one on every Python.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "169.254.0.0/16",  # link-local, the cloud metadata address among them
        "fd00:ec2::/32",  # AWS's IPv6 metadata address (fd00:ec2::254)
        "64:ff9b::/96",  # NAT64: an IPv4 address in an IPv6 one
        "2002::/16",  # 6to4: likewise
    )
)


@dataclass(frozen=True, slots=True)
class Target:
    """Where one delivery goes: the URL's name, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    address: IPAddress


def refusal(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a delivery may not connect to `address`, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "it is a loopback address"
    if any(address in network for network in _REFUSED_NETWORKS):
        return f"{address} is a link-local, metadata or shared (CGNAT) address"
    if not address.is_global or address.is_multicast:
        return f"{address} is not a public address"
    return None


def parse(url: str, *, allow_loopback_http: bool) -> tuple[str, str, int]:
    """The URL's scheme, host and port, if its form is acceptable: https, or http to a
    loopback name under the development setting; no credentials in it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeWebhookURLError(f"it is not a valid URL ({error})") from error
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeWebhookURLError("it must be an https:// URL with a host name")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookURLError("it must not carry a user name or password")
    if parts.scheme == "http" and not allow_loopback_http:
        raise UnsafeWebhookURLError("it must be https")
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, host.rstrip(".").lower(), port or default_port


async def system_lookup(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` resolves to, as the system's resolver says (a numeric host in
    any form inet_aton accepts, `0x7f000001` or `2130706433`, comes back as the address
    it means, and is checked as such)."""
    found = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


lookup = system_lookup  # tests put a resolver stub here (tests/webhooks)


async def resolve(url: str, *, allow_loopback_http: bool) -> Target:
    """The URL checked and its name resolved: every address it resolves to must be
    allowed (one private address among public ones refuses it), and a delivery
    connects to the first. UnsafeWebhookURLError otherwise."""
    scheme, host, port = parse(url, allow_loopback_http=allow_loopback_http)
    try:
        addresses = await lookup(host, port)
    except (OSError, UnicodeError) as error:
        raise UnsafeWebhookURLError(f"its host name does not resolve ({error})") from error
    if not addresses:
        raise UnsafeWebhookURLError("its host name does not resolve")
    for address in addresses:
        reason = refusal(address, allow_loopback=allow_loopback_http)
        if reason is not None:
            raise UnsafeWebhookURLError(f"{host} resolves to {address}: {reason}")
    if scheme == "http" and not all(address.is_loopback for address in addresses):
        raise UnsafeWebhookURLError("it must be https (http is for loopback, in development)")
    return Target(scheme, host, port, addresses[0])
