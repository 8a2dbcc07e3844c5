"""`transports._urls`: the one loopback rule, and URLs as error messages may show them."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transports._urls import LOOPBACK_NAMES, is_loopback_host, url_for_message


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        # Common resolvers send these to DNS: whoever answers decides where they point.
        ("localhost.", False),
        ("ip6-localhost", False),
        ("IP6-LOCALHOST.", False),
        (" localhost ", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("[0:0:0:0:0:0:0:1]", True),
        ("localhost.example", False),
        ("localhost..", False),
        ("mylocalhost", False),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("::2", False),
        ("[::1", False),
        ("x::1]", False),  # one bracket is no bracketed address
        ("[::1x", False),
        ("", False),
    ],
)
def test_loopback_hosts_are_the_names_and_addresses_defined_so(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_one_loopback_name_is_rfc_6761s() -> None:
    assert frozenset({"localhost"}) == LOOPBACK_NAMES


@given(st.ip_addresses())
def test_an_address_is_loopback_exactly_when_ipaddress_says_so(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    text = str(address)
    assert is_loopback_host(text) is address.is_loopback
    if address.version == 6:
        assert is_loopback_host(f"[{text}]") is address.is_loopback


@given(st.text(max_size=30))
def test_any_text_is_judged_without_raising(host: str) -> None:
    assert isinstance(is_loopback_host(host), bool)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://proxy.example:3128", "'https://proxy.example:3128'"),
        ("http://alice:s3cret@proxy:3128", "'http://…@proxy:3128'"),
        ("http://a@b@proxy/path", "'http://…@proxy/path'"),
        ("http://alice:pa/ss@proxy", "'http://…@proxy'"),
        ("alice:s3cret@proxy", "'…@proxy'"),
        ("@proxy", "'…@proxy'"),
        # An "@" after a "?" or "#" could end user info whose password holds "?" or "#":
        # everything before the last "@" goes, a query's too (too much beats too little).
        ("http://alice:pa?ss@proxy/x", "'http://…@proxy/x'"),
        ("http://alice:pa#ss@proxy", "'http://…@proxy'"),
        ("http://proxy/path?user=a@b", "'http://…@b'"),
        ("http://proxy/p?x@y?z", "'http://…@y?z'"),
        ("http://alice:pa://ss@proxy", "'http://…@proxy'"),  # "://" in the password
    ],
)
def test_a_url_in_a_message_loses_everything_before_its_last_at(url: str, shown: str) -> None:
    assert url_for_message(url) == shown


@given(
    st.sampled_from(["http://", "https://", ""]),
    st.text(st.characters(exclude_characters="@?#"), min_size=1, max_size=12),
    st.text(st.characters(exclude_characters="@?#"), max_size=12),
)
def test_no_text_before_the_at_is_shown(scheme: str, secret: str, rest: str) -> None:
    url = f"{scheme}{secret}@{rest}"
    shown = url_for_message(url)
    assert shown == repr(f"{scheme}…@{rest}")
