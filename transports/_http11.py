"""Core: HTTP/1.1 framing for `Urllib3Transport`, as pure functions over bytes.

urllib3 makes the connections (DNS, TCP options, verified TLS); what goes over them is
framed here: the request's bytes, and the reading of a reply's status line, headers and
body length (RFC 9112). Nothing here does I/O; the transport feeds in the lines it read.

Strict where framing is at stake, because a misread length would take one reply's bytes
for the next on a kept-alive connection: a Content-Length must be plain digits, and every
copy of it must agree; a folded header line, a header line with no colon, or a chunk size
that is not hex is malformed. Problems are described in words; no message quotes a byte
of the reply (a hostile server may echo the API key back) or a header value of the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from returns.result import Failure, Result, Success

__all__ = [
    "MAX_HEADERS",
    "MAX_LINE_BYTES",
    "Framing",
    "Head",
    "chunk_size",
    "encode_request",
    "is_interim",
    "parse_head",
    "request_problem",
]

#: The longest status, header, chunk-size or trailer line accepted (as http.client).
MAX_LINE_BYTES: Final = 65536

#: The most header (or trailer) lines accepted in one reply (as http.client).
MAX_HEADERS: Final = 100

#: The most significant digits a Content-Length may have (10**18 bytes is an exabyte).
_MAX_LENGTH_DIGITS: Final = 18

#: How a reply's body ends: no body, after `length` bytes, at the last chunk, or when the
#: server closes the connection.
Framing = Literal["none", "length", "chunked", "close"]

#: RFC 9110 §5.6.2 token: a method or a header name (as text, and as bytes of a reply).
_TOKEN_TEXT: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN: Final = re.compile(_TOKEN_TEXT.pattern.encode("ascii"))

#: A request target: visible ASCII only (no space, control character or non-ASCII).
_TARGET: Final = re.compile(r"[!-~]+")

#: The status line: version, three-digit code, optional reason.
_STATUS_LINE: Final = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: [^\r\n]*)?")

#: A chunk-size line: hex size, then optional whitespace and extensions (which are ignored).
_CHUNK_SIZE: Final = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")

#: Request headers the transport writes itself; a caller's copy would frame a second body.
_FRAMING_HEADERS: Final = frozenset({"host", "content-length", "transfer-encoding"})

#: Bytes a request header value may not hold (they would end the header line early).
_FORBIDDEN_IN_VALUES: Final = ("\r", "\n", "\0")

_OWS: Final = b" \t"


@dataclass(frozen=True, slots=True)
class Head:
    """A reply's status line and headers, with how its body is framed.

    Attributes:
        status: The status code.
        headers: Header names as the server spelled them (first copy), with the values of
            repeated headers joined by ", ".
        framing: How the body ends (see `Framing`).
        length: The body length for framing "length", else None.
        reusable: Whether the connection can carry another request once the body is read.
    """

    status: int
    headers: Mapping[str, str]
    framing: Framing
    length: int | None
    reusable: bool


def request_problem(method: str, target: str, headers: Mapping[str, str]) -> str | None:
    """Says why a request cannot be framed (naming the part, never a header value), or None."""
    if _TOKEN_TEXT.fullmatch(method) is None:
        return f"method {method!r} is not a valid HTTP method; not sent"
    if _TARGET.fullmatch(target) is None:
        return "the URL's path or query holds spaces, control or non-ASCII characters; not sent"
    seen: set[str] = set()
    for name, value in headers.items():
        if _TOKEN_TEXT.fullmatch(name) is None:
            return f"header name {name!r} is not a valid HTTP header name; not sent"
        lower = name.lower()
        if lower in _FRAMING_HEADERS:
            return f"header {name!r} is set by the transport; not sent"
        if lower in seen:
            return f"header {name!r} is given twice (names ignore case); not sent"
        seen.add(lower)
        if any(c in value for c in _FORBIDDEN_IN_VALUES):
            return f"header {name!r} has a value with a line break or NUL; not sent"
        if not value.isascii():
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                return f"header {name!r} has a value that is not Latin-1 text; not sent"
    return None


def encode_request(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes | None
) -> bytes:
    """The bytes of an HTTP/1.1 request (checked first with `request_problem`).

    Args:
        method: The method, e.g. "GET".
        target: The path and query, e.g. "/v0.3.0/client/job/cirq?job_id=1".
        host: The Host header value: the host, with ":port" unless it is the default.
        headers: The caller's headers, written in order after Host.
        body: The body; a Content-Length is written for any body, and for an empty
            PUT, POST or PATCH.

    Returns:
        The request line, headers, blank line and body. The reply is asked for without
        a content coding, so the body comes back as the server holds it.
    """
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n"]
    for name, value in headers.items():
        lines.append(f"{name}: {value}\r\n")
    if body is not None or method in ("PUT", "POST", "PATCH"):
        lines.append(f"Content-Length: {0 if body is None else len(body)}\r\n")
    lines.append("\r\n")
    head = "".join(lines).encode("latin-1")
    return head + body if body else head


def is_interim(status_line: bytes) -> bool:
    """Whether a status line is an interim 1xx reply other than 101 (skipped by the reader)."""
    match = _STATUS_LINE.fullmatch(status_line)
    return match is not None and match[2][:1] == b"1" and match[2] != b"101"


def parse_head(lines: Sequence[bytes], method: str) -> Result[Head, str]:
    """Reads a reply head: its status line, then its header lines (line ends stripped).

    Args:
        lines: The status line, then each header line; the blank line that ends the head
            is not included.
        method: The request's method (a reply to HEAD has no body, whatever it announces).

    Returns:
        `Success(Head)`, or `Failure(what)` saying in words what is malformed.
    """
    if not lines:
        return Failure("an invalid status line")
    match = _STATUS_LINE.fullmatch(lines[0])
    if match is None:
        http_x = lines[0].startswith(b"HTTP/") and not lines[0].startswith(b"HTTP/1.")
        return Failure("not HTTP/1.x" if http_x else "an invalid status line")
    minor, status = match[1], int(match[2])
    if status == 101:
        return Failure("a protocol switch that was not asked for")
    if len(lines) - 1 > MAX_HEADERS:
        return Failure(f"more than {MAX_HEADERS} headers")
    headers: dict[str, str] = {}
    by_lower: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or _TOKEN.fullmatch(name) is None:
            folded = line[:1] in (b" ", b"\t")
            return Failure("a folded header line" if folded else "invalid headers")
        text = name.decode("ascii")
        decoded = value.strip(_OWS).decode("latin-1")
        lower = text.lower()
        first = by_lower.get(lower)
        if first is None:
            by_lower[lower] = text
            headers[text] = decoded
        else:
            headers[first] = f"{headers[first]}, {decoded}"
    return _framing(headers, by_lower, minor == b"1", status, method)


def _framing(
    headers: dict[str, str], by_lower: dict[str, str], http11: bool, status: int, method: str
) -> Result[Head, str]:
    connection = by_lower.get("connection")
    tokens = _tokens(headers[connection]) if connection is not None else ()
    reusable = http11 and "close" not in tokens
    if method == "HEAD" or status < 200 or status in (204, 304):
        return Success(Head(status, headers, "none", 0, reusable))
    coding = by_lower.get("transfer-encoding")
    if coding is not None:
        codings = _tokens(headers[coding])
        if codings and codings[-1] == "chunked":
            # A length beside chunked is ignored, and the connection not trusted again.
            trusted = reusable and "content-length" not in by_lower
            return Success(Head(status, headers, "chunked", None, trusted))
        return Success(Head(status, headers, "close", None, False))
    length_name = by_lower.get("content-length")
    if length_name is None:
        return Success(Head(status, headers, "close", None, False))
    values = {v.strip(" \t") for v in headers[length_name].split(",")}
    if len(values) > 1:
        return Failure("conflicting Content-Length values")
    (value,) = values
    if not (value.isascii() and value.isdigit()):
        return Failure("an invalid Content-Length")
    significant = value.lstrip("0") or "0"  # int() refuses over 4,300 digits, zeros too
    if len(significant) > _MAX_LENGTH_DIGITS:
        return Failure(f"a Content-Length of more than {_MAX_LENGTH_DIGITS} digits")
    return Success(Head(status, headers, "length", int(significant), reusable))


def _tokens(value: str) -> tuple[str, ...]:
    return tuple(t for t in (part.strip(" \t").lower() for part in value.split(",")) if t)


def chunk_size(line: bytes) -> Result[int, str]:
    """The size announced by a chunk-size line (line end stripped), or what is wrong with it."""
    match = _CHUNK_SIZE.fullmatch(line)
    if match is None:
        return Failure("an invalid chunk size")
    return Success(int(match[1], 16))
