"""Pure: the URL rules every part of sqcore shares, decided from the text alone.

- `is_loopback_host`: the one loopback rule. A loopback host is the name `localhost`, or a
  literal IP address in 127.0.0.0/8 or `::1`. Nothing is looked up, and no other name
  counts: `localhost.` (with a trailing dot) and `ip6-localhost` are sent to DNS by common
  resolvers, and a name that merely starts with "localhost" (`localhost.example`) is
  anyone's. The client lets plain `http://` reach only such a host, the transport never
  sends such a host through a proxy, and the emulator serves only on one.
- `url_for_message`: a URL as it may appear in an error message, with any user info (where
  a password may sit) cut out.
"""

from __future__ import annotations

import ipaddress

__all__ = ["LOOPBACK_NAMES", "is_loopback_host", "url_for_message"]

#: Host names that are loopback by definition and that resolvers answer locally (RFC 6761
#: §6.3 reserves `localhost`; glibc, musl, macOS and Windows map it without DNS).
LOOPBACK_NAMES: frozenset[str] = frozenset({"localhost"})


def is_loopback_host(host: str) -> bool:
    """Whether `host` names this machine's loopback interface, judged without DNS.

    `host` is a URL's host part: a name, an IPv4 address, or an IPv6 address with or without
    its brackets. Invariant: True exactly for the names in `LOOPBACK_NAMES` (any case) and
    for IP addresses that `ipaddress` calls loopback.
    """
    bare = host.strip().lower()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if bare in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def url_for_message(url: str) -> str:
    """`url` quoted for an error message, without anything before its last "@" (a user name
    and password may sit there).

    Everything up to the last "@" anywhere in `url` is cut, scheme kept: parsers disagree on
    where the user info of a malformed URL ends (a password may hold "/", "?" or "#"), and a
    URL may come without a scheme. Cutting too much only shortens a message; cutting too
    little would show a password. Invariant: no text before the last "@" of `url` appears in
    the result, except a scheme that ends in "://" before it.
    """
    at = url.rfind("@")
    if at < 0:
        return repr(url)
    scheme, sep, _ = url[:at].partition("://")
    prefix = f"{scheme}{sep}" if sep else ""
    return repr(f"{prefix}…{url[at:]}")
