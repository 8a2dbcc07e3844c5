"""Shell: `Urllib3Transport`, the default transport: real HTTP over a pooled urllib3 manager.

Rules this module keeps:
- One `urllib3.PoolManager` per transport, made in `__init__`; keep-alive connections are
  reused across requests and released only once their reply has been read whole.
- TLS is always verified (`CERT_REQUIRED` and host name checks), against the system trust
  store or the CA bundle file `ca_certs` names. There is no switch to turn it off.
- `Request.timeout` is the budget for the whole request. urllib3's `Timeout(total=...)` bounds
  the connect and the wait for the reply; after that, every socket read of the reply is
  bounded by one fixed deadline (`_DeadlineResponse`), so a server that trickles its headers
  or its body byte by byte cannot hold a request past its budget.
- No retries and no redirects: a 3xx is returned as a `Response`, so no credential header
  can follow one. Retry policy lives in the client above.
- A reply body is read in chunks and refused, without reading the rest, once it passes
  `max_body_bytes` (or as soon as its `Content-Length` announces more).
- urllib3's exceptions become `TransportError` values in one place (`_KIND_BY_EXCEPTION` and
  `_fault`). Messages say what happened in words and never hold a header value, so the
  API key in `Authorization` cannot leak through them.
"""

from __future__ import annotations

import errno
import http.client
import io
import math
import os
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

import urllib3
from returns.result import Failure, Result, Success
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    InvalidHeader,
    LocationValueError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import Timeout, create_urllib3_context, parse_url

from transports._types import Request, Response, TransportError, TransportErrorKind

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from urllib3.response import BaseHTTPResponse

__all__ = ["Urllib3Transport"]

#: Bytes asked for per read of a reply body. A body is refused at most this far past the bound.
_CHUNK_BYTES = 64 * 1024

#: urllib3 (and stdlib) exception class -> kind of fault. The first matching row wins, so a
#: subclass comes before its base: `NewConnectionError` (refused, unreachable, DNS) is a
#: subclass of `ConnectTimeoutError` in urllib3 2.x, and `ssl.SSLError` is an `OSError`.
_KIND_BY_EXCEPTION: tuple[tuple[type[Exception], TransportErrorKind], ...] = (
    (NewConnectionError, "connect"),
    (ConnectTimeoutError, "timeout"),
    (ReadTimeoutError, "timeout"),
    (SSLError, "tls"),
    (ssl.SSLError, "tls"),
    (ProtocolError, "protocol"),
    (InvalidHeader, "protocol"),
    (http.client.HTTPException, "protocol"),
    (ClosedPoolError, "refused"),
    (LocationValueError, "refused"),
    (MaxRetryError, "protocol"),  # only with retries on; `_fault` classifies its reason
    (OSError, "protocol"),
)

#: The exceptions `send` catches: exactly the ones the table names.
_FAULTS: tuple[type[Exception], ...] = tuple(cls for cls, _ in _KIND_BY_EXCEPTION)

#: A header name: an RFC 9110 §5.1 token.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

#: What a header value may not hold. http.client would refuse it with a ValueError that
#: quotes the value, and for `Authorization` the value is the API key.
_FORBIDDEN_IN_VALUES = ("\r", "\n", "\0")


class Urllib3Transport:
    """Sends requests over real HTTP/1.1 with urllib3: pooled, verified, bounded.

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
        self._closed = False
        self._manager = urllib3.PoolManager(
            maxsize=pool_maxsize,
            block=False,
            cert_reqs="CERT_REQUIRED",
            ssl_context=_verifying_context(self._ca_certs),
        )
        # Our pool classes make connections whose replies read against a deadline.
        self._manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

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
        self._closed = True
        self._manager.clear()

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
        if not math.isfinite(budget):
            raise ValueError(f"Request.timeout must be a finite number of seconds, not {budget}")
        if self._closed:
            return Failure(TransportError("refused", "the transport is closed"))
        problem = _header_problem(request.headers)
        if problem is not None:
            return Failure(TransportError("refused", problem))
        if budget <= 0:
            return Failure(TransportError("timeout", "no time left to send the request"))
        deadline = time.monotonic() + budget
        try:
            reply = self._manager.urlopen(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                redirect=False,
                retries=False,
                timeout=Timeout(total=budget, connect=budget, read=budget),
                preload_content=False,
                decode_content=False,
            )
        except _FAULTS as exc:
            return Failure(_fault(exc, request, _Progress(headers_received=False)))
        return self._read_reply(reply, request, deadline)

    def _read_reply(
        self, reply: BaseHTTPResponse, request: Request, deadline: float
    ) -> Result[Response, TransportError]:
        """Reads the body of `reply` in chunks, within `deadline` and the size bound."""
        limit = self._max_body_bytes
        announced = reply.length_remaining
        progress = _Progress(headers_received=True, announced=announced)
        if announced is not None and announced > limit:
            _discard(reply)
            return Failure(
                TransportError(
                    "too_large",
                    f"reply body of {announced} bytes (announced) exceeds the {limit}-byte limit",
                )
            )
        if announced is None and not reply.chunked and "content-length" in reply.headers:
            # urllib3 found a Content-Length but no length in it ("five", "-1"): reading to
            # the end of the connection instead could take a keep-alive reply for its body.
            _discard(reply)
            return Failure(_malformed(request, "an invalid Content-Length"))
        chunks: list[bytes] = []
        try:
            while True:
                if time.monotonic() >= deadline:
                    _discard(reply)
                    return Failure(
                        TransportError("timeout", _body_timeout_message(request, progress))
                    )
                chunk = reply.read(_CHUNK_BYTES, decode_content=False)
                if not chunk:
                    break
                progress.received += len(chunk)
                if progress.received > limit:
                    _discard(reply)
                    return Failure(
                        TransportError("too_large", f"reply body exceeds the {limit}-byte limit")
                    )
                chunks.append(chunk)
        except _FAULTS as exc:
            _discard(reply)
            return Failure(_fault(exc, request, progress))
        reply.release_conn()
        return Success(
            Response(
                status=reply.status,
                headers=dict(reply.headers.itermerged()),
                body=b"".join(chunks),
            )
        )


def _verifying_context(ca_certs: str | None) -> ssl.SSLContext:
    """Returns a TLS client context that requires a valid certificate for the host name."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
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


def _header_problem(headers: Mapping[str, str]) -> str | None:
    """Says why a header cannot be sent (naming it, never quoting its value), or None."""
    for name, value in headers.items():
        if _HEADER_NAME.fullmatch(name) is None:
            return f"header name {name!r} is not a valid HTTP header name; not sent"
        if any(c in value for c in _FORBIDDEN_IN_VALUES):
            return f"header {name!r} has a value with a line break or NUL; not sent"
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return f"header {name!r} has a value that is not Latin-1 text; not sent"
    return None


def _discard(reply: BaseHTTPResponse) -> None:
    """Closes a half-read reply's connection and gives the (closed) slot back to the pool."""
    reply.close()
    reply.release_conn()


@dataclass
class _Progress:
    """How far a reply had got when something went wrong (for the error message)."""

    headers_received: bool
    announced: int | None = None
    received: int = 0


def _kind_of(exc: Exception) -> TransportErrorKind:
    for cls, kind in _KIND_BY_EXCEPTION:
        if isinstance(exc, cls):
            return kind
    return "protocol"  # unreachable: `send` catches only the classes in the table


def _fault(exc: Exception, request: Request, progress: _Progress) -> TransportError:
    """Maps one caught exception to a `TransportError` whose message says what happened."""
    if isinstance(exc, MaxRetryError) and isinstance(exc.reason, Exception):
        exc = exc.reason
    kind = _kind_of(exc)
    where = _host_port(request.url)
    seconds = f"{request.timeout:g} s"
    if kind == "connect":
        return TransportError(kind, _connect_message(exc, where))
    if kind == "timeout":
        if isinstance(exc, ConnectTimeoutError):
            return TransportError(kind, f"no connection to {where} within {seconds}")
        if progress.headers_received:
            return TransportError(kind, _body_timeout_message(request, progress))
        return TransportError(kind, f"no complete reply headers from {where} within {seconds}")
    if kind == "tls":
        return TransportError(kind, f"TLS with {where} failed: {_tls_detail(exc)}")
    if kind == "refused":
        if isinstance(exc, ClosedPoolError):
            return TransportError(kind, "the transport is closed")
        return TransportError(
            kind, f"cannot send to {request.url!r}: not a valid http:// or https:// URL"
        )
    return TransportError(kind, _protocol_message(exc, where, progress))


def _connect_message(exc: Exception, where: str) -> str:
    if isinstance(exc, NameResolutionError):
        return f"could not resolve the host name of {where}"
    cause = exc.__cause__
    code = cause.errno if isinstance(cause, OSError) else None
    if code == errno.ECONNREFUSED:
        return f"connection refused by {where}"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"{where} is unreachable"
    reason = os.strerror(code) if code is not None else "no connection could be made"
    return f"could not connect to {where}: {reason}"


def _body_timeout_message(request: Request, progress: _Progress) -> str:
    of = "" if progress.announced is None else f" of {progress.announced}"
    return (
        f"reply body not complete within {request.timeout:g} s "
        f"({progress.received}{of} bytes received)"
    )


def _tls_detail(exc: Exception) -> str:
    """The TLS library's reason (e.g. "certificate verify failed: ..."), never peer bytes."""
    inner: object = exc.args[0] if isinstance(exc, SSLError) and exc.args else exc
    if isinstance(inner, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {inner.verify_message}"
    if isinstance(inner, ssl.SSLError) and inner.reason:
        return str(inner.reason).lower().replace("_", " ")
    return "handshake failed"


def _protocol_message(exc: Exception, where: str, progress: _Progress) -> str:
    """Describes a broken reply by what the peer did; quotes none of the peer's bytes."""
    inner = _innermost(exc)
    if not progress.headers_received:
        if isinstance(inner, http.client.RemoteDisconnected):
            return f"{where} closed the connection without a reply"
        if isinstance(inner, ConnectionResetError):
            return f"connection reset by {where} before the reply headers"
        if isinstance(inner, (http.client.HTTPException, InvalidHeader)):
            return f"malformed reply from {where} ({_what_is_malformed(inner)})"
        return f"connection to {where} failed before the reply headers"
    got = progress.received
    of = "" if progress.announced is None else f" of {progress.announced}"
    if isinstance(inner, ConnectionResetError):
        return f"connection reset by {where} after {got}{of} body bytes"
    if isinstance(inner, http.client.IncompleteRead):
        if progress.announced is None:  # no length: the body was chunked
            return f"connection closed after {got} body bytes, before the last chunk"
        return f"connection closed after {got}{of} body bytes"
    if isinstance(inner, http.client.HTTPException):
        return f"malformed reply body from {where} after {got} bytes"
    return f"connection to {where} broke after {got}{of} body bytes"


def _innermost(exc: Exception) -> Exception:
    """The lowest-level exception urllib3 wrapped (its args or `__cause__`)."""
    seen: Exception = exc
    for _ in range(4):  # urllib3 wraps at most a couple of levels deep
        wrapped = next((a for a in seen.args if isinstance(a, Exception)), None)
        if wrapped is None and isinstance(seen.__cause__, Exception):
            wrapped = seen.__cause__
        if wrapped is None:
            break
        seen = wrapped
    return seen


def _what_is_malformed(exc: Exception) -> str:
    if isinstance(exc, http.client.LineTooLong):
        return "a header line is too long"
    if isinstance(exc, http.client.UnknownProtocol):
        return "not HTTP/1.x"
    if isinstance(exc, http.client.BadStatusLine):
        return "an invalid status line"
    if isinstance(exc, InvalidHeader):
        return "conflicting Content-Length values"
    return "invalid headers"


def _malformed(request: Request, what: str) -> TransportError:
    return TransportError("protocol", f"malformed reply from {_host_port(request.url)} ({what})")


def _host_port(url: str) -> str:
    """`host:port` of `url` for messages (the default port filled in), or "the server"."""
    try:
        parsed = parse_url(url)
    except LocationValueError:
        return "the server"
    if parsed.host is None:
        return "the server"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.host}:{port}"


# --- Reading a reply against one deadline ------------------------------------------------
#
# http.client reads the status line and headers with `readline`, which keeps calling
# `recv` until it sees a line end; a socket timeout bounds each `recv`, not the sum, so a
# server sending one byte at a time never trips it. `_DeadlineResponse` puts a reader
# between http.client and the socket that re-arms the socket timeout before every `recv` to
# the time left, and raises `TimeoutError` (which urllib3 reports as `ReadTimeoutError`)
# once the deadline has passed. The deadline is fixed when the reply starts: urllib3 has
# just set the socket timeout to its read budget, `Timeout.total` minus the connect time.


class _DeadlineReader(io.RawIOBase):
    """A raw socket reader whose every `recv` ends by one fixed monotonic deadline."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the reply's deadline has passed")
        self._sock.settimeout(left)
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()  # drops http.client's reference to the socket
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's reply parser, reading through a `_DeadlineReader`."""

    def __init__(
        self,
        sock: socket.socket,
        debuglevel: int = 0,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        budget = sock.gettimeout()
        if budget is not None:
            raw = self.fp.detach()  # the socket's reader, made by http.client
            self.fp = io.BufferedReader(_DeadlineReader(raw, sock, time.monotonic() + budget))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection
