"""Core: the HTTP/1.1 framing of `transports._http11`, by example, by property, and against
the stdlib's `http.client` as an oracle for replies both must read the same way."""

from __future__ import annotations

import http.client
import io
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from transports._http11 import (
    MAX_HEADERS,
    Head,
    chunk_size,
    encode_request,
    is_interim,
    parse_head,
    request_problem,
)

SECRET = "sk-SECRET-123"

#: Every message `parse_head` and `chunk_size` may fail with: fixed words, no input bytes.
HEAD_FAILURES = {
    "an invalid status line",
    "not HTTP/1.x",
    "a protocol switch that was not asked for",
    f"more than {MAX_HEADERS} headers",
    "a folded header line",
    "invalid headers",
    "conflicting Content-Length values",
    "an invalid Content-Length",
    "a Content-Length of more than 18 digits",
}


def head_of(result: Result[Head, str]) -> Head:
    assert is_successful(result), f"expected a head, got {result}"
    return result.unwrap()


def failure_of(result: Result[Head, str]) -> str:
    assert not is_successful(result), f"expected a failure, got {result}"
    return result.failure()


def lines(text: str) -> list[bytes]:
    return [line.encode("latin-1") for line in text.split("\n")]


# --- Heads, by example -------------------------------------------------------------------


def test_a_plain_reply_is_framed_by_its_length() -> None:
    head = head_of(parse_head(lines("HTTP/1.1 200 OK\nContent-Type: x\nContent-Length: 12"), "GET"))

    assert head == Head(200, {"Content-Type": "x", "Content-Length": "12"}, "length", 12, True)


def test_only_spaces_and_tabs_are_trimmed_from_values() -> None:
    head = head_of(parse_head([b"HTTP/1.1 200 OK", b"X-A: \t 1\x0b \t", b"X-B:\x0c2"], "GET"))

    assert dict(head.headers) == {"X-A": "1\x0b", "X-B": "\x0c2"}


def test_repeated_headers_are_joined_under_the_first_spelling() -> None:
    head = head_of(parse_head(lines("HTTP/1.1 200 OK\nX-A: 1\nx-a:  2 \nContent-Length: 0"), "GET"))

    assert dict(head.headers) == {"X-A": "1, 2", "Content-Length": "0"}


@pytest.mark.parametrize(
    ("text", "method", "framing", "length"),
    [
        ("HTTP/1.1 200 OK\nContent-Length: 99", "HEAD", "none", 0),
        ("HTTP/1.1 204 No Content\nContent-Length: 5", "GET", "none", 0),
        ("HTTP/1.1 304 Not Modified", "GET", "none", 0),
        ("HTTP/1.1 103 Early Hints", "GET", "none", 0),
        ("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", "GET", "chunked", None),
        ("HTTP/1.1 200 OK\nTransfer-Encoding: gzip, Chunked", "GET", "chunked", None),
        ("HTTP/1.1 200 OK\nTransfer-Encoding: gzip", "GET", "close", None),
        ("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\x0b", "GET", "close", None),
        ("HTTP/1.1 200 OK", "GET", "close", None),
        ("HTTP/1.1 200 OK\nContent-Length: 7, 7\nContent-Length: 7", "GET", "length", 7),
        ("HTTP/1.1 200 OK\nContent-Length: " + "0" * 30 + "9" * 18, "GET", "length", 10**18 - 1),
        ("HTTP/1.1 200 OK\nContent-Length: 0", "GET", "length", 0),
        ("HTTP/1.1 200 OK\nContent-Length: " + "0" * 5000, "GET", "length", 0),
        ("HTTP/1.1 200 OK\nContent-Length: " + "0" * 5000 + "5", "GET", "length", 5),
    ],
)
def test_the_body_is_framed_as_rfc_9112_says(
    text: str, method: str, framing: str, length: int | None
) -> None:
    head = head_of(parse_head(lines(text), method))

    assert (head.framing, head.length) == (framing, length)
    assert head.status == int(text[9:12])
    assert set(head.headers) == {line.split(":")[0] for line in text.split("\n")[1:]}
    # Only a reply framed by a length or chunks leaves the connection fit for another.
    assert head.reusable is (framing != "close")


@pytest.mark.parametrize(
    ("text", "reusable"),
    [
        ("HTTP/1.1 200 OK\nContent-Length: 0", True),
        ("HTTP/1.1 200 OK\nConnection: keep-alive\nContent-Length: 0", True),
        ("HTTP/1.1 200 OK\nConnection: Close\nContent-Length: 0", False),
        ("HTTP/1.1 200 OK\nConnection: keep-alive, close\nContent-Length: 0", False),
        ("HTTP/1.1 200 OK\nConnection: close,keep-alive\nContent-Length: 0", False),
        ("HTTP/1.1 200 OK\nConnection: close\x0b\nContent-Length: 0", True),  # not "close"
        ("HTTP/1.1 200 OK\nConnection: CLOSEX\nContent-Length: 0", True),
        ("HTTP/1.1 204 No Content\nConnection: close", False),
        ("HTTP/1.1 204 No Content", True),
        ("HTTP/1.0 200 OK\nContent-Length: 0", False),
        ("HTTP/1.0 200 OK\nConnection: keep-alive\nContent-Length: 0", False),
        ("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", True),
        # A length beside chunked: read as chunked, but the connection is not trusted again.
        ("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nContent-Length: 3", False),
        ("HTTP/1.1 200 OK", False),  # read to the end of the connection
    ],
)
def test_a_connection_is_reused_only_when_the_reply_end_is_certain(
    text: str, reusable: bool
) -> None:
    assert head_of(parse_head(lines(text), "GET")).reusable is reusable


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("", "an invalid status line"),
        ("HELLO WORLD", "an invalid status line"),
        ("HTTP/1.1 20 OK", "an invalid status line"),
        ("HTTP/1.1 099 Odd", "an invalid status line"),
        ("HTTP/1.1 2000 OK", "an invalid status line"),
        ("HTTP/1.1  200 OK", "an invalid status line"),
        ("HTTP/1.2 200 OK", "an invalid status line"),
        ("http/1.1 200 OK", "an invalid status line"),
        ("HTTP/2.0 200 OK", "not HTTP/1.x"),
        (
            "HTTP/1.1 101 Switching Protocols\nUpgrade: h2c",
            "a protocol switch that was not asked for",
        ),
        ("HTTP/1.1 200 OK\n folded: on", "a folded header line"),
        ("HTTP/1.1 200 OK\nX-A: 1\n\tmore", "a folded header line"),
        ("HTTP/1.1 200 OK\nno colon here", "invalid headers"),
        ("HTTP/1.1 200 OK\nX-A : 1", "invalid headers"),
        ("HTTP/1.1 200 OK\n: empty name", "invalid headers"),
        ("HTTP/1.1 200 OK\nX(A): 1", "invalid headers"),
        (
            "HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 6",
            "conflicting Content-Length values",
        ),
        ("HTTP/1.1 200 OK\nContent-Length: 5, 6", "conflicting Content-Length values"),
        ("HTTP/1.1 200 OK\nContent-Length: five", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: -1", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: +5", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: 5_0", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: \u00b2", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: ", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: 1 2", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: 5\xa0", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: 5X", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: 5\x0b", "an invalid Content-Length"),
        ("HTTP/1.1 200 OK\nContent-Length: " + "1" * 19, "a Content-Length of more than 18 digits"),
        (
            "HTTP/1.1 200 OK\nContent-Length: " + "1" * 5000,
            "a Content-Length of more than 18 digits",
        ),
    ],
)
def test_a_malformed_head_is_named_in_words(text: str, what: str) -> None:
    assert failure_of(parse_head(lines(text) if text else [], "GET")) == what


def test_too_many_headers_are_refused() -> None:
    status = [b"HTTP/1.1 200 OK"]
    at_bound = [b"X-%d: 1" % i for i in range(MAX_HEADERS)]

    assert is_successful(parse_head(status + at_bound, "GET"))
    assert failure_of(parse_head([*status, *at_bound, b"X-Last: 1"], "GET")) == (
        f"more than {MAX_HEADERS} headers"
    )


def test_interim_replies_are_recognised() -> None:
    assert is_interim(b"HTTP/1.1 100 Continue")
    assert is_interim(b"HTTP/1.1 103 Early Hints")
    assert not is_interim(b"HTTP/1.1 101 Switching Protocols")  # never skipped: refused
    assert not is_interim(b"HTTP/1.1 200 OK")
    assert not is_interim(b"HTTP/1.1 1000 Odd")


# --- Heads, by property ------------------------------------------------------------------

TOKEN_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
#: Header names that change framing or reuse, kept out of the free-form headers.
FRAMING = {"content-length", "transfer-encoding", "connection"}
names = st.text(TOKEN_CHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in FRAMING)
#: Visible Latin-1 and inner spaces/tabs: what a header value may hold on the wire.
values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=30,
).map(lambda v: v.strip(" \t"))
reasons = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
framings = st.sampled_from(["length", "chunked", "close", "conn-close"])


@st.composite
def replies(draw: st.DrawFn) -> tuple[int, list[tuple[str, str]], str, int]:
    """A valid reply head: status, headers in order (framing headers placed), framing, length."""
    status = draw(st.integers(200, 599).filter(lambda s: s not in (204, 304)))
    headers = draw(st.lists(st.tuples(names, values), max_size=8))
    framing = draw(framings)
    length = draw(st.integers(0, 10**15))
    at = draw(st.integers(0, len(headers)))
    if framing in ("length", "conn-close"):
        headers.insert(at, ("Content-Length", str(length)))
    if framing == "chunked":
        headers.insert(at, ("Transfer-Encoding", "chunked"))
    if framing == "conn-close":
        headers.insert(0, ("Connection", "close"))
    return status, headers, framing, length


def wire_lines(status: int, reason: str, headers: list[tuple[str, str]]) -> list[bytes]:
    status_line = f"HTTP/1.1 {status} {reason}".rstrip(" ") if reason else f"HTTP/1.1 {status}"
    return [line.encode("latin-1") for line in [status_line, *(f"{n}: {v}" for n, v in headers)]]


@given(replies(), reasons)
def test_a_valid_head_reads_back_exactly(
    reply: tuple[int, list[tuple[str, str]], str, int], reason: str
) -> None:
    status, headers, framing, length = reply

    head = head_of(parse_head(wire_lines(status, reason, headers), "GET"))

    expected: dict[str, str] = {}
    first: dict[str, str] = {}
    for name, value in headers:
        key = first.setdefault(name.lower(), name)
        expected[key] = f"{expected[key]}, {value}" if key in expected else value
    assert dict(head.headers) == expected
    assert head.status == status
    assert head.framing == ("length" if framing == "conn-close" else framing)
    assert head.length == (length if head.framing == "length" else None)
    assert head.reusable is (framing in ("length", "chunked"))


@given(replies(), reasons)
def test_heads_are_read_as_http_client_reads_them(
    reply: tuple[int, list[tuple[str, str]], str, int], reason: str
) -> None:
    """The stdlib's parser, as an oracle: same status, headers, framing and reuse."""
    status, headers, _, _ = reply
    raw = b"\r\n".join([*wire_lines(status, reason, headers), b"", b""])

    oracle = http.client.HTTPResponse(_FakeSocket(raw), method="GET")  # type: ignore[arg-type]
    oracle.begin()
    head = head_of(parse_head(wire_lines(status, reason, headers), "GET"))

    assert head.status == oracle.status
    assert (head.framing == "chunked") is bool(oracle.chunked)
    assert head.length == oracle.length
    assert head.reusable is not oracle.will_close
    for name in head.headers:
        assert oracle.msg.get_all(name) is not None


class _FakeSocket:
    """What `http.client.HTTPResponse` needs of a socket: a file of the reply's bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self._data))


@given(st.lists(st.binary(max_size=40), max_size=6), st.sampled_from(["GET", "HEAD", "PUT"]))
def test_any_bytes_give_a_head_or_a_fixed_message(chunks: list[bytes], method: str) -> None:
    """Whatever the server sends, the outcome never quotes it: failures are fixed words."""
    assume(all(b"\n" not in chunk for chunk in chunks))
    result = parse_head(chunks, method)

    if not is_successful(result):
        assert result.failure() in HEAD_FAILURES


@given(st.binary(max_size=30))
def test_a_status_line_echoing_the_key_is_not_quoted(noise: bytes) -> None:
    line = b"HTTP/1.1 2" + SECRET.encode() + noise
    assert SECRET not in failure_of(parse_head([line], "GET"))


# --- Chunk sizes --------------------------------------------------------------------------


@given(st.integers(0, 16**16 - 1), st.sampled_from(["", ";ext=1", " ;a", "\t", ';x="y z"']))
def test_a_chunk_size_reads_as_hex(size: int, extension: str) -> None:
    for spelled in (f"{size:x}", f"{size:X}"):
        assert chunk_size((spelled + extension).encode()).unwrap() == size


@pytest.mark.parametrize(
    "line",
    [b"", b"g", b"-1", b"+1", b"0x10", b" 10", b"1 0", b"1" * 17, b"10\x00", "\u0661".encode()],
)
def test_a_chunk_size_that_is_not_hex_is_refused(line: bytes) -> None:
    assert chunk_size(line).failure() == "an invalid chunk size"


# --- Requests -----------------------------------------------------------------------------


def test_a_get_is_encoded_with_host_and_identity_coding() -> None:
    data = encode_request("GET", "/v/job?id=1", "api.example:8443", {"Authorization": "k"}, None)

    assert data == (
        b"GET /v/job?id=1 HTTP/1.1\r\nHost: api.example:8443\r\nAccept-Encoding: identity\r\n"
        b"Authorization: k\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("method", "body", "length"),
    [
        ("PUT", b'{"a": 1}', "8"),
        ("PUT", None, "0"),
        ("POST", None, "0"),
        ("PATCH", None, "0"),
        ("POST", b"", "0"),
        ("GET", b"xy", "2"),
        ("GET", None, None),
        ("DELETE", None, None),
    ],
)
def test_a_body_is_sent_with_its_length(
    method: str, body: bytes | None, length: str | None
) -> None:
    data = encode_request(method, "/", "h", {}, body)

    head, _, rest = data.partition(b"\r\n\r\n")
    lengths = [line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")]
    assert lengths == ([] if length is None else [f"Content-Length: {length}".encode()])
    assert rest == (body or b"")


@given(
    st.dictionaries(names, values, max_size=6),
    st.binary(max_size=50),
    st.text(string.ascii_letters + string.digits + "/?=&%-._~", min_size=1, max_size=40),
)
def test_a_request_reads_back_with_the_stdlib_parser(
    headers: dict[str, str], body: bytes, path: str
) -> None:
    target = "/" + path
    assume(request_problem("PUT", target, headers) is None)

    data = encode_request("PUT", target, "h:1", headers, body)

    stream = io.BytesIO(data)
    request_line = stream.readline()
    parsed = http.client.parse_headers(stream)
    assert request_line == f"PUT {target} HTTP/1.1\r\n".encode()
    assert parsed["Host"] == "h:1"
    assert parsed["Content-Length"] == str(len(body))
    for name, value in headers.items():
        assert parsed.get_all(name) == [value]
    assert stream.read() == body


@pytest.mark.parametrize(
    ("method", "target", "headers", "fragment"),
    [
        ("GE T", "/", {}, "method 'GE T' is not a valid HTTP method"),
        ("", "/", {}, "method '' is not a valid HTTP method"),
        ("GET", "/a b", {}, "path or query holds spaces"),
        ("GET", "/a\r\nX: 1", {}, "path or query holds spaces"),
        ("GET", "/caf\u00e9", {}, "path or query holds spaces"),
        ("GET", "/", {"Bad Name": "v"}, "header name 'Bad Name' is not a valid"),
        ("GET", "/", {"Host": "evil"}, "header 'Host' is set by the transport"),
        ("GET", "/", {"content-length": "1"}, "header 'content-length' is set by the transport"),
        ("GET", "/", {"Transfer-Encoding": "chunked"}, "is set by the transport"),
        ("GET", "/", {"X-A": "1", "x-a": "2"}, "header 'x-a' is given twice (names ignore case)"),
        ("GET", "/", {"Authorization": SECRET + "\r\nX: 1"}, "'Authorization' has a value with a"),
        ("GET", "/", {"Authorization": SECRET + "\0"}, "'Authorization' has a value with a"),
        ("GET", "/", {"Authorization": SECRET + "\u20ac"}, "not Latin-1 text"),
    ],
)
def test_a_request_that_cannot_be_framed_is_named_without_its_values(
    method: str, target: str, headers: dict[str, str], fragment: str
) -> None:
    problem = request_problem(method, target, headers)

    assert problem is not None
    assert fragment in problem
    assert SECRET not in problem


def test_a_target_that_cannot_be_sent_is_named_in_full() -> None:
    assert request_problem("GET", "/a b", {}) == (
        "the URL's path or query holds spaces, control or non-ASCII characters; not sent"
    )


def test_a_latin_1_value_is_accepted() -> None:
    assert request_problem("GET", "/", {"X-Name": "caf\u00e9"}) is None
