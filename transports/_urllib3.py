"""Shell: `Urllib3Transport`, the default transport: HTTP/1.1 on pooled keep-alive sockets.

Rules this module keeps:
- urllib3 supplies the URL parser, the address-family choice and the TLS context (its
  secure defaults); the transport opens each socket itself (TCP_NODELAY), so that one
  deadline covers every address it tries. The bytes on a connection are framed by
  `transports._http11`, which reads a reply in one pass with no per-header objects: about a
  quarter of the client CPU of urllib3's pool, response and `http.client` stack per request.
- Keep-alive connections are pooled per scheme, host and port, and a connection goes back to
  the pool only once its reply was framed exactly (a length or the last chunk, nothing
  after it) and the server did not ask to close. A pooled connection the server has since
  closed (or written to unasked) is dropped before use, not sent on.
- TLS is always verified (`CERT_REQUIRED` and host name checks), against the system trust
  store or the CA bundle file `ca_certs` names. There is no switch to turn it off.
- `Request.timeout` is the budget for the whole request: one monotonic deadline, fixed when
  `send` starts, bounds the connect, the TLS handshake (CPython bounds a handshake by the
  socket timeout as a whole), the send, and every single `recv` of the reply, so a server
  that trickles its handshake, headers or body byte by byte cannot hold a request past its
  budget. (The address lookup is the system resolver's and is not bounded.)
- No retries and no redirects: a 3xx is returned as a `Response`, so no credential header
  can follow one. Retry policy lives in the client above.
- A reply body is refused once it passes `max_body_bytes`, or as soon as its
  `Content-Length` announces more; it is never read whole first.
- Faults become `TransportError` values in one place (`_fault`), by the phase they struck
  in. Messages say what happened in words and quote no header value or reply byte, so the
  API key in `Authorization` cannot leak through them.
"""

from __future__ import annotations

import errno
import ipaddress
import math
import os
import socket
import ssl
import threading
import time
import weakref
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Literal

from returns.result import Failure, Result, Success
from urllib3.exceptions import LocationValueError
from urllib3.util import create_urllib3_context, parse_url
from urllib3.util.connection import allowed_gai_family
from urllib3.util.wait import wait_for_read

from transports._http11 import (
    MAX_HEADERS,
    MAX_LINE_BYTES,
    Head,
    chunk_size,
    encode_request,
    is_interim,
    parse_head,
    request_problem,
)
from transports._types import Request, Response, TransportError

__all__ = ["Urllib3Transport"]

#: Bytes asked for per `recv`. A body is refused at most this far past the bound.
_CHUNK_BYTES: Final = 64 * 1024

#: Interim (1xx) replies skipped before the final one; more is a misbehaving server.
_MAX_INTERIM: Final = 8

#: Hosts with idle connections kept at once; the least recently added is dropped first.
_MAX_HOSTS: Final = 16

#: Parsed URLs remembered (a client polls the same few URLs over and over).
_MAX_SPLITS: Final = 256

#: The longest a single socket operation is allowed to wait (the OS refuses far longer).
_MAX_WAIT_SECONDS: Final = 86400.0

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

#: Where a request was when a fault struck.
_Phase = Literal["connect", "send", "head", "body"]


class Urllib3Transport:
    """Sends requests over real HTTP/1.1: pooled keep-alive sockets, verified, bounded.

    Thread-safe: one transport may serve many threads (each request takes its own pooled
    connection). Use it as a context manager, or call `close()`, to drop its connections.

    Example:
        >>> with Urllib3Transport() as transport:  # doctest: +SKIP
        ...     result = transport.send(Request("GET", url, {}, None, timeout=5.0))
    """

    def __init__(
        self,
        *,
        ca_certs: str | os.PathLike[str] | None = None,
        max_body_bytes: int = 64 * 2**20,
        pool_maxsize: int = 10,
    ) -> None:
        """Makes the connection pool and the TLS context.

        Args:
            ca_certs: A PEM file of CA certificates to trust instead of the system trust store.
            max_body_bytes: The largest reply body accepted; a larger one is refused with a
                `TransportError` of kind "too_large".
            pool_maxsize: How many idle keep-alive connections to keep per host.

        Raises:
            ValueError: `ca_certs` names no file or a file with no usable certificate, or
                `max_body_bytes`/`pool_maxsize` is out of range.
        """
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be >= 0, not {max_body_bytes}")
        if pool_maxsize < 1:
            raise ValueError(f"pool_maxsize must be >= 1, not {pool_maxsize}")
        self._ca_certs = None if ca_certs is None else os.fspath(ca_certs)
        self._max_body_bytes = max_body_bytes
        self._context = _verifying_context(self._ca_certs)
        self._pool = _Pool(pool_maxsize)
        # Idle connections are closed with the transport even if nobody calls close().
        weakref.finalize(self, self._pool.close)
        self._splits: dict[str, _Split | None] = {}

    def __repr__(self) -> str:
        return (
            f"Urllib3Transport(ca_certs={self._ca_certs!r}, max_body_bytes={self._max_body_bytes})"
        )

    def __enter__(self) -> Urllib3Transport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes every pooled connection; later requests fail with kind "refused"."""
        self._pool.close()

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` and reads the whole reply, within `request.timeout` seconds.

        Never raises for a network fault, and never follows a redirect.

        Args:
            request: The request; its `timeout` is the budget for connect, send and read.

        Returns:
            `Success(Response)` for any HTTP reply, 3xx/4xx/5xx included, or
            `Failure(TransportError)`: "connect", "timeout", "tls", "protocol", "too_large",
            or "refused" (closed transport, bad URL, or a header that cannot be sent).

        Raises:
            ValueError: `request.timeout` is not a finite number.
        """
        budget = request.timeout
        try:
            finite = math.isfinite(budget)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            shown = f"{budget:g}" if isinstance(budget, float) else "an int too large for a float"
            raise ValueError(f"Request.timeout must be a finite number of seconds, not {shown}")
        if self._pool.closed:
            return Failure(TransportError("refused", "the transport is closed"))
        split = self._split(request.url)
        if split is None:
            return Failure(
                TransportError(
                    "refused",
                    f"cannot send to {_url_for_message(request.url)}: "
                    "not a valid http:// or https:// URL",
                )
            )
        problem = request_problem(request.method, split.target, request.headers)
        if problem is not None:
            return Failure(TransportError("refused", problem))
        if budget <= 0:
            return Failure(TransportError("timeout", "no time left to send the request"))
        data = encode_request(
            request.method, split.target, split.host_header, request.headers, request.body
        )
        return self._exchange(split, request, data, time.monotonic() + budget)

    def _split(self, url: str) -> _Split | None:
        """`url` taken apart for connecting and framing (remembered), or None if unusable."""
        try:
            return self._splits[url]
        except KeyError:
            pass
        split = _split_url(url)
        if len(self._splits) >= _MAX_SPLITS:
            self._splits.clear()
        self._splits[url] = split
        return split

    def _exchange(
        self, split: _Split, request: Request, data: bytes, deadline: float
    ) -> Result[Response, TransportError]:
        """One request on a pooled or new connection; the connection is kept only if clean."""
        sock = self._pool.take(split.key)
        phase: _Phase = "connect"
        reader: _Reader | None = None
        try:
            if sock is None:
                sock = self._connect(split, deadline)
            phase = "send"
            sock.settimeout(_time_left(deadline))
            sock.sendall(data)
            phase = "head"
            reader = started = _Reader(sock, deadline)
            head = started.head(request.method)
            phase = "body"
            body = started.body(head, self._max_body_bytes)
        except (OSError, _WireError) as exc:
            if sock is not None:
                sock.close()
            return Failure(_fault(exc, phase, split.where, request, reader))
        if head.reusable and started.drained():
            self._pool.give(split.key, sock)
        else:
            sock.close()
        return Success(Response(status=head.status, headers=head.headers, body=body))

    def _connect(self, split: _Split, deadline: float) -> socket.socket:
        """A new connection to `split`'s host, TLS-wrapped and verified for https."""
        sock = _open_socket(split.host, split.port, deadline)
        if split.scheme != "https":
            return sock
        try:
            sock.settimeout(_time_left(deadline))
            # A bare TCP close without TLS's close_notify could be a cut: not an end of data.
            return self._context.wrap_socket(
                sock, server_hostname=split.host, suppress_ragged_eofs=False
            )
        except BaseException:
            sock.close()
            raise


def _open_socket(host: str, port: int, deadline: float) -> socket.socket:
    """A TCP connection to the first of `host`'s addresses that answers, all by `deadline`.

    As urllib3's `create_connection` (same address families, and TCP_NODELAY),
    except that every address tried gets only the time left, not a fresh timeout each.
    """
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(
        host, port, allowed_gai_family(), socket.SOCK_STREAM
    ):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(_time_left(deadline))
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error if error is not None else OSError("the host name has no address")


def _verifying_context(ca_certs: str | None) -> ssl.SSLContext:
    """Returns a TLS client context that requires a valid certificate for the host name."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.check_hostname = True
    context.set_alpn_protocols(["http/1.1"])
    if ca_certs is None:
        context.load_default_certs()
        return context
    if not os.path.isfile(ca_certs):
        raise ValueError(f"ca_certs: no such CA bundle file: {ca_certs!r}")
    try:
        context.load_verify_locations(cafile=ca_certs)
    except ssl.SSLError as exc:
        raise ValueError(
            f"ca_certs: {ca_certs!r} holds no usable CA certificate ({exc.reason})"
        ) from exc
    return context


def _time_left(deadline: float) -> float:
    """Seconds until `deadline` (at most a day); raises `TimeoutError` once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the request's deadline has passed")
    return min(left, _MAX_WAIT_SECONDS)


# --- URLs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Split:
    """A URL as the transport uses it."""

    scheme: str
    host: str  # for connecting: an IPv6 address without brackets
    port: int
    host_header: str  # as written in the Host header: brackets kept, default port left out
    target: str  # path and query
    key: tuple[str, str, int]  # the pool's key
    where: str  # "host:port", for messages


def _split_url(url: str) -> _Split | None:
    try:
        parsed = parse_url(url)
    except LocationValueError:
        return None
    scheme, host = parsed.scheme, parsed.host
    if scheme not in _DEFAULT_PORTS or not host or parsed.auth is not None:
        return None
    if parsed.port == 0:
        return None
    port = _DEFAULT_PORTS[scheme] if parsed.port is None else parsed.port
    target = parsed.path or "/"
    if parsed.query is not None:
        target = f"{target}?{parsed.query}"
    bare = host.strip("[]")
    try:
        bare.encode("idna")  # as the address lookup will: an empty or too long label fails
    except UnicodeError:
        return None
    if _ambiguous_ipv4(bare):
        return None
    # An IPv6 zone id ("%eth0") names this host's interface; it means nothing to the server.
    named = host.split("%", 1)[0] + "]" if host.startswith("[") and "%" in host else host
    host_header = named if parsed.port is None else f"{named}:{parsed.port}"
    return _Split(scheme, bare, port, host_header, target, (scheme, bare, port), f"{host}:{port}")


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


def _url_for_message(url: str) -> str:
    """`url` for an error message, without anything before an "@" (a password may sit there).

    Everything up to the last "@" before any query or fragment is cut, even past a "/":
    parsers disagree on where the user info of a malformed URL ends.
    """
    scheme, sep, rest = url.partition("://")
    before_query = rest.split("?", 1)[0].split("#", 1)[0]
    at = before_query.rfind("@")
    if at >= 0:
        return repr(f"{scheme}{sep}…{rest[at:]}")
    return repr(url)


# --- The pool -----------------------------------------------------------------------------


class _Pool:
    """Idle keep-alive connections by (scheme, host, port), most recently used first."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._idle: dict[tuple[str, str, int], list[socket.socket]] = {}
        self._lock = threading.Lock()
        self.closed = False

    def take(self, key: tuple[str, str, int]) -> socket.socket | None:
        """An idle connection to `key` that is still open and quiet, or None."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                sock = idle.pop() if idle else None
            if sock is None:
                return None
            # Readable while idle: the server closed it (or wrote unasked). Never reuse.
            if not wait_for_read(sock, timeout=0.0):
                return sock
            sock.close()

    def give(self, key: tuple[str, str, int], sock: socket.socket) -> None:
        """Keeps `sock` for reuse, or closes it if the pool is closed or full."""
        evicted: list[socket.socket] = []
        with self._lock:
            kept = not self.closed
            if kept:
                idle = self._idle.get(key)
                if idle is None:
                    if len(self._idle) >= _MAX_HOSTS:
                        evicted = self._idle.pop(next(iter(self._idle)))
                    idle = self._idle[key] = []
                kept = len(idle) < self._maxsize
                if kept:
                    idle.append(sock)
        for old in evicted:
            old.close()
        if not kept:
            sock.close()

    def close(self) -> None:
        """Closes every idle connection; connections in use are closed when given back."""
        with self._lock:
            self.closed = True
            idle = [sock for socks in self._idle.values() for sock in socks]
            self._idle.clear()
        for sock in idle:
            sock.close()


# --- Reading a reply ----------------------------------------------------------------------


class _WireError(Exception):
    """A reply that cannot be read: raised inside `_exchange`, turned into a value there."""


class _ClosedError(_WireError):
    """The server closed the connection before the reply was complete."""


class _MalformedError(_WireError):
    """The reply breaks HTTP/1.1 framing; `what` says how, in words."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class _TooLargeError(_WireError):
    """The reply body is over the bound; `message` says by how much it was known to be."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Reader:
    """Reads one reply from a socket against a fixed deadline, keeping what it has seen.

    Every `recv` first re-arms the socket timeout to the time left, so the deadline bounds
    the reply as a whole, not each read.
    """

    __slots__ = (
        "_buf",
        "_deadline",
        "_pos",
        "_sock",
        "body_received",
        "reply_head",
        "seen",
    )

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._buf = b""
        self._pos = 0
        self.seen = 0  # bytes of the reply received
        self.body_received = 0  # bytes of the body (chunk payloads) read so far
        self.reply_head: Head | None = None  # the final reply's head, once read

    def _recv(self) -> bytes:
        self._sock.settimeout(_time_left(self._deadline))
        data = self._sock.recv(_CHUNK_BYTES)
        self.seen += len(data)
        return data

    def _fill(self) -> None:
        data = self._recv()
        if not data:
            raise _ClosedError()
        self._buf = self._buf[self._pos :] + data
        self._pos = 0

    def _line(self, too_long: str) -> bytes:
        """The next line, its CRLF (or bare LF) stripped."""
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0:
                if end - self._pos > MAX_LINE_BYTES:
                    raise _MalformedError(too_long)
                start, self._pos = self._pos, end + 1
                if end > start and self._buf[end - 1] == 13:  # b"\r"
                    end -= 1
                return self._buf[start:end]
            if len(self._buf) - self._pos > MAX_LINE_BYTES:
                raise _MalformedError(too_long)
            self._fill()

    def _lines_until_blank(self, too_many: str) -> list[bytes]:
        lines: list[bytes] = []
        while line := self._line("a header line is too long"):
            if len(lines) == MAX_HEADERS:
                raise _MalformedError(too_many)
            lines.append(line)
        return lines

    def head(self, method: str) -> Head:
        """Reads the status line and headers of the final reply (interim 1xx skipped)."""
        for _ in range(_MAX_INTERIM + 1):
            status_line = self._line("the status line is too long")
            headers = self._lines_until_blank(f"more than {MAX_HEADERS} headers")
            if is_interim(status_line):
                continue
            result = parse_head([status_line, *headers], method)
            if isinstance(result, Failure):
                raise _MalformedError(result.failure())
            self.reply_head = result.unwrap()
            return self.reply_head
        raise _MalformedError(f"more than {_MAX_INTERIM} interim (1xx) replies")

    def body(self, head: Head, limit: int) -> bytes:
        """Reads the body as `head` frames it, refusing it once it passes `limit` bytes."""
        if head.framing == "none":
            return b""
        if head.framing == "length":
            length = head.length or 0
            if length > limit:
                raise _TooLargeError(
                    f"reply body of {length} bytes (announced) exceeds the {limit}-byte limit"
                )
            return self._take(length)
        if head.framing == "chunked":
            return self._chunked(limit)
        return self._until_close(limit)

    def _take(self, n: int) -> bytes:
        """Exactly the next `n` bytes."""
        end = self._pos + n
        if end <= len(self._buf):  # the usual case: all of it came with the head
            data, self._pos = self._buf[self._pos : end], end
            self.body_received += n
            return data
        out = bytearray()
        self._take_into(n, out)
        return bytes(out)

    def _take_into(self, n: int, out: bytearray) -> None:
        """Appends exactly the next `n` bytes to `out` (one growing buffer, however the
        server splits them: memory stays near the body's size)."""
        got = min(n, len(self._buf) - self._pos)
        out += memoryview(self._buf)[self._pos : self._pos + got]
        self._pos += got
        self.body_received += got
        while got < n:
            data = self._recv()
            if not data:
                raise _ClosedError()
            need = n - got
            if len(data) > need:  # the rest belongs to whatever follows
                self._buf, self._pos = data, need
                data = data[:need]
            else:
                self._buf, self._pos = b"", 0
            out += data
            got += len(data)
            self.body_received += len(data)

    def _chunked(self, limit: int) -> bytes:
        out = bytearray()
        while True:
            size = chunk_size(self._line("a chunk-size line is too long"))
            if isinstance(size, Failure):
                raise _MalformedError(size.failure())
            n = size.unwrap()
            if n == 0:
                self._lines_until_blank(f"more than {MAX_HEADERS} trailer lines")
                return bytes(out)
            if self.body_received + n > limit:
                raise _TooLargeError(f"reply body exceeds the {limit}-byte limit")
            self._take_into(n, out)
            if self._line("a chunk is longer than its size"):
                raise _MalformedError("a chunk is longer than its size")

    def _until_close(self, limit: int) -> bytes:
        out = bytearray(memoryview(self._buf)[self._pos :])
        self._buf, self._pos = b"", 0
        while True:
            self.body_received = len(out)
            if self.body_received > limit:
                raise _TooLargeError(f"reply body exceeds the {limit}-byte limit")
            data = self._recv()
            if not data:
                return bytes(out)
            out += data

    def drained(self) -> bool:
        """Whether nothing was received past the end of the reply."""
        return self._pos == len(self._buf)


# --- Faults -------------------------------------------------------------------------------


def _fault(
    exc: Exception, phase: _Phase, where: str, request: Request, reader: _Reader | None
) -> TransportError:
    """Maps one caught exception to a `TransportError` whose message says what happened."""
    seconds = f"{request.timeout:g} s"
    if isinstance(exc, _TooLargeError):
        return TransportError("too_large", exc.message)
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        if phase == "connect":  # hung up mid-handshake: a network fault, worth a retry
            return TransportError(
                "connect", f"{where} closed the connection during the TLS handshake"
            )
        exc = _ClosedError()
    elif isinstance(exc, ssl.SSLError) and (phase == "connect" or _refused_by_alert(exc, reader)):
        return TransportError("tls", f"TLS with {where} failed: {_tls_detail(exc)}")
    if phase == "connect":
        if isinstance(exc, TimeoutError):
            return TransportError("timeout", f"no connection to {where} within {seconds}")
        return TransportError("connect", _connect_message(exc, where))
    if isinstance(exc, TimeoutError):
        if phase == "send":
            return TransportError("timeout", f"could not send the request to {where} in {seconds}")
        if phase == "head":
            return TransportError(
                "timeout", f"no complete reply headers from {where} within {seconds}"
            )
        return TransportError("timeout", _body_timeout_message(request, reader))
    return TransportError("protocol", _protocol_message(exc, phase, where, reader))


def _refused_by_alert(exc: ssl.SSLError, reader: _Reader | None) -> bool:
    """Whether the server ended TLS with an alert before any reply: under TLS 1.3 it checks
    a client certificate only after the client's handshake is done, so a refusal comes then.
    """
    nothing_yet = reader is None or reader.seen == 0
    return nothing_yet and "ALERT" in str(exc.reason or "").upper()


def _connect_message(exc: Exception, where: str) -> str:
    if isinstance(exc, socket.gaierror):
        return f"could not resolve the host name of {where}"
    code = exc.errno if isinstance(exc, OSError) else None
    if code == errno.ECONNREFUSED:
        return f"connection refused by {where}"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"{where} is unreachable"
    reason = os.strerror(code) if code is not None else "no connection could be made"
    return f"could not connect to {where}: {reason}"


def _received(reader: _Reader | None) -> tuple[int, str]:
    """Body bytes received so far, and " of N" when a length was announced."""
    if reader is None:
        return 0, ""
    head = reader.reply_head
    of = f" of {head.length}" if head is not None and head.framing == "length" else ""
    return reader.body_received, of


def _body_timeout_message(request: Request, reader: _Reader | None) -> str:
    got, of = _received(reader)
    return f"reply body not complete within {request.timeout:g} s ({got}{of} bytes received)"


def _tls_detail(exc: ssl.SSLError) -> str:
    """The TLS library's reason (e.g. "certificate verify failed: ..."), never peer bytes."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    if exc.reason:
        return str(exc.reason).lower().replace("_", " ")
    return "handshake failed"


def _protocol_message(exc: Exception, phase: _Phase, where: str, reader: _Reader | None) -> str:
    """Describes a broken reply by what the peer did; quotes none of the peer's bytes."""
    if phase == "send":
        if isinstance(exc, (_ClosedError, ConnectionResetError, BrokenPipeError)):
            return f"{where} closed the connection before the whole request was sent"
        return f"connection to {where} failed while sending the request"
    if phase == "head":
        if isinstance(exc, _MalformedError):
            return f"malformed reply from {where} ({exc.what})"
        if isinstance(exc, _ClosedError):
            if reader is None or reader.seen == 0:
                return f"{where} closed the connection without a reply"
            return f"{where} closed the connection before the reply headers were complete"
        if isinstance(exc, ConnectionResetError):
            return f"connection reset by {where} before the reply headers"
        if isinstance(exc, ssl.SSLError):
            return f"TLS error on the connection to {where} before the reply headers"
        return f"connection to {where} failed before the reply headers"
    got, of = _received(reader)
    if isinstance(exc, _MalformedError):
        return f"malformed reply body from {where} after {got} bytes ({exc.what})"
    if isinstance(exc, _ClosedError):
        head = None if reader is None else reader.reply_head
        framing = None if head is None else head.framing
        if framing == "chunked":
            return f"connection closed after {got} body bytes, before the last chunk"
        if framing == "close":  # only a TLS close without close_notify gets here
            return (
                f"{where} closed the TLS connection without close_notify after {got} body "
                "bytes: the body may be cut short"
            )
        return f"connection closed after {got}{of} body bytes"
    if isinstance(exc, ConnectionResetError):
        return f"connection reset by {where} after {got}{of} body bytes"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error on the connection to {where} after {got}{of} body bytes"
    return f"connection to {where} broke after {got}{of} body bytes"
