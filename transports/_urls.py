"""Pure: the URL rules every part of sqcore shares, decided from the text alone.

- `is_loopback_host`: the one loopback rule. A loopback host is the name `localhost` (or
  `ip6-localhost`, either with a trailing dot), or a literal IP address in 127.0.0.0/8 or
  `::1`. Nothing is looked up: a name that merely starts with "localhost"
  (`localhost.example`) is not loopback. The client lets plain `http://` reach only such a
  host, the transport never sends such a host through a proxy, and the emulator serves only
  on one.
- `url_for_message`: a URL as it may appear in an error message, with any user info (where
  a password may sit) cut out.
"""

from __future__ import annotations

import ipaddress

__all__ = ["LOOPBACK_NAMES", "is_loopback_host", "url_for_message"]

#: Host names that are loopback by definition (RFC 6761 §6.3; Debian's `ip6-localhost`).
LOOPBACK_NAMES: frozenset[str] = frozenset({"localhost", "ip6-localhost"})


def is_loopback_host(host: str) -> bool:
    """Whether `host` names this machine's loopback interface, judged without DNS.

    `host` is a URL's host part: a name, an IPv4 address, or an IPv6 address with or without
    its brackets. Invariant: True exactly for the names in `LOOPBACK_NAMES` (any case, an
    optional trailing dot) and for IP addresses that `ipaddress` calls loopback.
    """
    bare = host.strip().lower()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if bare.removesuffix(".") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def url_for_message(url: str) -> str:
    """`url` quoted for an error message, without anything before an "@" (a password may
    sit there).

    Everything up to the last "@" before any query or fragment is cut, even past a "/":
    parsers disagree on where the user info of a malformed URL ends. Invariant: no text
    that comes before that "@" in `url` appears in the result.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:  # no scheme ("user:password@host"): the user info starts the text
        scheme, rest = "", url
    before_query = rest.split("?", 1)[0].split("#", 1)[0]
    at = before_query.rfind("@")
    if at >= 0:
        return repr(f"{scheme}{sep}…{rest[at:]}")
    return repr(url)
