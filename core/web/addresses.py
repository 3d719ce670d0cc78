"""Which addresses a model-chosen URL may reach: only globally routable ones, whatever the spelling.

Measured here: `0.0.0.0`, `127.1`, `2130706433`, `0x7f.1` and `::ffff:127.0.0.1` all reached a localhost
listener, and Python's `ipaddress` calls the NAT64 and 6to4 forms of 127.0.0.1 "global" and 100.64.0.0/10
not "private". So legacy IPv4 spellings are parsed as the C resolver would, IPv4 embedded in IPv6 is
unwrapped before judging, and anything not globally routable is refused with the reason.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

Address = IPv4Address | IPv6Address

_CGNAT = IPv4Network("100.64.0.0/10")
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = IPv6Network("::/96")
_METADATA = {
    IPv4Address("169.254.169.254"),
    IPv4Address("169.254.170.2"),
    IPv4Address("100.100.100.200"),
    IPv4Address("192.0.0.192"),
    IPv6Address("fd00:ec2::254"),
}
"""Cloud instance-metadata endpoints (AWS, ECS, Alibaba, Oracle, AWS over IPv6): named so the refusal says so."""


def parse_host(host: str) -> Address | None:
    """The address a URL host denotes literally, in any spelling a resolver accepts; None for a name."""
    host = host.strip().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if "%" in host:
        host = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return _legacy_ipv4(host)


def _legacy_ipv4(host: str) -> IPv4Address | None:
    """inet_aton's forms: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last fills the rest."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        lowered = part.lower()
        try:
            if lowered.startswith("0x"):
                numbers.append(int(lowered[2:] or "0", 16))
            elif len(lowered) > 1 and lowered.startswith("0"):
                numbers.append(int(lowered, 8))
            else:
                numbers.append(int(lowered, 10) if lowered.isdigit() else -1)
        except ValueError:
            return None
    if any(n < 0 for n in numbers):
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value << 8 | n
    return IPv4Address(value << 8 * (4 - len(head)) | last)


def unwrap(address: Address) -> Address:
    """The IPv4 address inside an IPv6 one (mapped, compatible, NAT64, 6to4, Teredo client), else itself."""
    if isinstance(address, IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def refusal(address: Address) -> str | None:
    """Why a connection to this address is refused, or None when it is globally routable."""
    inner = unwrap(address)
    shown = str(address) if inner == address else f"{address} (IPv4 {inner} inside)"
    for candidate in {address, inner}:
        if candidate in _METADATA:
            return f"{shown} is a cloud metadata address"
    if inner.is_unspecified:
        return f"{shown} is the unspecified address"
    if inner.is_loopback:
        return f"{shown} is a loopback address"
    if inner.is_link_local:
        return f"{shown} is a link-local address"
    if isinstance(inner, IPv4Address) and inner in _CGNAT:
        return f"{shown} is in the shared (CGNAT) range 100.64.0.0/10"
    if inner.is_multicast:
        return f"{shown} is a multicast address"
    if inner.is_private:
        return f"{shown} is a private address"
    if not inner.is_global:
        return f"{shown} is not globally routable"
    return None


@dataclass(frozen=True)
class Allowlist:
    """Hosts and networks a fetch may reach although they are not public: for local testing only."""

    entries: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        """From config strings: a host name, an IP address or a CIDR range; ValueError names a bad one."""
        cleaned = tuple(e.strip().lower() for e in entries)
        names, networks = set(), []
        for entry in cleaned:
            literal = entry.strip("[]")
            try:
                networks.append(ipaddress.ip_network(literal, strict=False))
                continue
            except ValueError:
                if "/" in entry or ":" in literal:
                    raise ValueError(f"fetch_allowlist entry '{entry}' is not a valid address or CIDR range") from None
            if not entry or any(c.isspace() for c in entry):
                raise ValueError(f"fetch_allowlist entry '{entry}' is not a host name")
            names.add(entry.rstrip("."))
        return cls(cleaned, frozenset(names), tuple(networks))

    def allows(self, host: str, address: Address) -> bool:
        return host.lower().rstrip(".") in self.names or any(address in net for net in self.networks)
