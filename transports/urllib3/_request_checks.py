"""Shell: what `Urllib3Transport` refuses to send, decided from the request alone.

Nothing here does I/O. `target_of` reads a URL the way urllib3 will connect to it and
refuses what could be read two ways (a backslash, an IPv4 address in a short or octal form
that TLS would check as another address, a label the address lookup cannot encode) or could
leak (user info); `request_problem` refuses a method or header that would break the request
line or headers, or a framing header the transport writes itself. No message quotes a
header value or a password.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Final

from urllib3.exceptions import LocationValueError
from urllib3.util import parse_url

from transports._types import Request
from transports._urls import url_for_message

__all__ = ["Target", "request_problem", "target_of"]

#: Request headers the transport writes itself: a caller's copy would frame a second body,
#: or ask for an encoding the transport cannot decode.
_OWN_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding", "accept-encoding"})

#: RFC 9110 §5.6.2 token: a method or a header name.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as connected to: an IPv6 address without brackets
    port: int
    written_port: int | None  # the port as the URL writes it, None if it writes none
    where: str  # "host:port", for messages


def target_of(url: str) -> Target | str:
    """Where `url` points, or why it cannot be sent to (a message that quotes no password)."""
    target = _target(url)
    if target is None:
        return f"cannot send to {url_for_message(url)}: not a valid http:// or https:// URL"
    return target


def _target(url: str) -> Target | None:
    if "\\" in url:  # parsers end the host at it, or not: the host connected to is unsure
        return None
    try:
        parsed = parse_url(url)
    except LocationValueError:
        return None
    scheme, host = parsed.scheme, parsed.host
    if scheme not in _DEFAULT_PORTS or not host or parsed.auth is not None or parsed.port == 0:
        return None
    bare = host.strip("[]")
    try:
        bare.encode("idna")  # as the address lookup will: an empty or too long label fails
    except UnicodeError:
        return None
    if _ambiguous_ipv4(bare):
        return None
    port = _DEFAULT_PORTS[scheme] if parsed.port is None else parsed.port
    return Target(scheme, bare, port, parsed.port, f"{host}:{port}")


def _ambiguous_ipv4(host: str) -> bool:
    """Whether the resolver would read `host` as an IPv4 address written in a form other
    than four decimal numbers ("0177.0.0.1" is octal, "127.1" short): TLS would then check
    the certificate against another reading of it than the one connected to."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return False


def request_problem(request: Request) -> str | None:
    """Why `request` cannot be sent as it is, or None; the reason quotes no header value."""
    if _TOKEN.fullmatch(request.method) is None:
        return "the method is not an HTTP token"
    for name, value in request.headers.items():
        if _TOKEN.fullmatch(name) is None:
            return "a header name is not an HTTP token"
        if name.lower() in _OWN_HEADERS:
            return f"header {name!r} is set by the transport; not sent"
        if any(ch in value for ch in "\r\n\0"):
            return f"the value of header {name!r} holds a line break or NUL; not sent"
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return f"the value of header {name!r} is not Latin-1 text; not sent"
    return None
