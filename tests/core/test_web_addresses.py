"""The address check behind web_fetch: every spelling of a non-public address is refused."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from core.web.addresses import Allowlist, parse_host, refusal


@pytest.mark.parametrize(
    "host, address",
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("1.1.1.1.", "1.1.1.1"),
    ],
)
def test_legacy_and_bracketed_spellings_parse_as_the_resolver_would(host: str, address: str) -> None:
    assert parse_host(host) == ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "256.1.1.1", "0x1g.1", "localhost", "12a"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_host(host) is None


@pytest.mark.parametrize(
    "host, why",
    [
        ("127.0.0.1", "loopback"),
        ("127.1", "loopback"),
        ("2130706433", "loopback"),
        ("0x7f.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "metadata"),
        ("2002:7f00:1::", "loopback"),
        ("2002:a00:1::", "private"),
        ("::127.0.0.1", "loopback"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("169.254.169.254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("198.18.0.1", "private"),
        ("240.0.0.1", "private"),
    ],
)
def test_non_public_addresses_are_refused_with_the_reason(host: str, why: str) -> None:
    address = parse_host(host)
    assert address is not None
    reason = refusal(address)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "host", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::5db8:d822", "2002:5db8:d822::1"]
)
def test_public_addresses_pass(host: str) -> None:
    address = parse_host(host)
    assert address is not None and refusal(address) is None


def test_allowlist_matches_names_addresses_and_ranges_only() -> None:
    allow = Allowlist.parse(["127.0.0.1", "LocalHost", "10.0.0.0/8"])
    assert allow.allows("anything", ip_address("127.0.0.1"))
    assert allow.allows("localhost", ip_address("127.0.0.9"))
    assert allow.allows("x", ip_address("10.9.9.9"))
    assert not allow.allows("x", ip_address("127.0.0.2"))
    assert not Allowlist().allows("localhost", ip_address("127.0.0.1"))


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "not a host", "::1/200"])
def test_allowlist_rejects_bad_entries(entry: str) -> None:
    with pytest.raises(ValueError, match="fetch_allowlist entry"):
        Allowlist.parse([entry])
