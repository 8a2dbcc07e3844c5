"""A blocking sqcore `Transport` over `requests.Session`.

sqcore does not depend on requests. An SDK that already speaks HTTP through a
`requests.Session` sends sqcore's requests through it with this adapter (copy the file):

    client = Client(transport=RequestsTransport())            # a session of its own
    client = Client(transport=RequestsTransport(sdk_session))  # or the SDK's session

It keeps the transport contract (`transports.Transport`):

- `Request.timeout` bounds the whole request. requests' timeouts bound each socket
  operation, so a server that trickles one byte a second would never trip them. Here a
  timer shuts the request's socket down when the deadline passes, whatever the request is
  doing (connecting, the TLS handshake, sending, reading headers or body); the read that
  was waiting ends at once. The per-operation timeouts are set to the time left too.
- The decoded body is bounded while it streams (`max_body_bytes`): a small gzip bomb is
  refused once it has inflated that far, never inflated whole (urllib3 ≥ 2.6 decodes a
  read at a time).
- Redirects are returned, not followed, so no header (the API key included) follows one.
  A `.netrc` entry never replaces the `Authorization` header, and a session made here
  keeps no cookies.
- Network faults are `TransportError` values, never exceptions, and their kind says what
  sqcore may do next: "connect" (no connection was made: nothing was sent), "timeout"
  (the deadline passed after the request may have been sent), "tls", "protocol" (a reset,
  cut or malformed reply), "too_large", "proxy" (the proxy refused the tunnel) and
  "refused" (requests would not send it, e.g. a malformed URL). requests' own exception
  classes do not say which: `SSLError` and `ProxyError` are `ConnectionError`s, and so is
  a reset after the request went out. So the adapter notes itself whether a connection was
  made, from the connections it gives urllib3.

Proxies, CA bundles and `verify`/`cert` settings are the session's, as requests reads them
(with `trust_env`, `REQUESTS_CA_BUNDLE` wins over a session's `verify`: requests' own rule).
Through a SOCKS proxy the deadline holds only per operation.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
from returns.result import Failure, Result, Success
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError

from transports import Request, Response, TransportError

__all__ = ["RequestsTransport"]

#: Decoded bytes asked of the body per read.
_CHUNK_BYTES = 64 * 1024

#: Errors requests (or urllib3, http.client and the socket under it) raise for a request
#: that failed on the network or was not sent. `requests.RequestException` is an OSError.
_FAULTS = (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError)

#: requests' refusals before anything is sent.
_NOT_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
)


class RequestsTransport:
    """Sends sqcore's requests with a `requests.Session`, one deadline per request.

    Args:
        session: The session to send with; default a new one, which keeps no cookies and
            which `close()` closes. The transport mounts its own adapter on it for
            `http://` and `https://` (requests' `HTTPAdapter`, with connections the
            deadline can reach), replacing any mounted there: sqcore does its own retries.
        max_body_bytes: The largest reply body accepted, counted after decompression.
    """

    def __init__(
        self, session: requests.Session | None = None, *, max_body_bytes: int = 64 * 2**20
    ) -> None:
        self._owned = session is None
        if session is None:
            session = requests.Session()
            session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        for prefix in ("http://", "https://"):
            session.mount(prefix, _DeadlineAdapter())
        self.session = session
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:
        return f"RequestsTransport(max_body_bytes={self.max_body_bytes})"

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request`; returns the reply, or the network fault as a value."""
        deadline = _Deadline(request.timeout)
        _CURRENT.deadline = deadline
        try:
            with deadline:
                result = self._exchange(request, deadline)
        except _FAULTS as error:
            return Failure(_fault(error, request, deadline))
        finally:
            _CURRENT.deadline = None
        if deadline.passed:  # the socket was cut: what was read is not the whole reply
            return Failure(deadline.fault(request))
        return result

    def _exchange(self, request: Request, deadline: _Deadline) -> Result[Response, TransportError]:
        left = deadline.left()
        reply = self.session.request(
            request.method,
            request.url,
            headers=dict(request.headers),
            data=request.body,
            timeout=(left, left),
            allow_redirects=False,
            stream=True,
            auth=_headers_as_given,
        )
        with reply:
            body = bytearray()
            for chunk in reply.iter_content(_CHUNK_BYTES):  # decoded (gzip) as it streams
                body += chunk
                if len(body) > self.max_body_bytes:
                    return Failure(
                        TransportError(
                            "too_large",
                            f"reply body from {_peer(request.url)} exceeds the "
                            f"{self.max_body_bytes}-byte limit",
                        )
                    )
                if deadline.passed:
                    break
            return Success(Response(reply.status_code, dict(reply.headers), bytes(body)))

    def close(self) -> None:
        """Closes the session, if this transport made it."""
        if self._owned:
            self.session.close()

    def __enter__(self) -> RequestsTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _headers_as_given(prepared: requests.PreparedRequest) -> requests.PreparedRequest:
    """An "authentication" that changes nothing: given one, requests looks up no `.netrc`
    entry, which would replace the `Authorization` header (the API key)."""
    return prepared


# --- The deadline -------------------------------------------------------------------------


class _Deadline:
    """One request's deadline. When it passes, the socket of the connection the request is
    using is shut down, which ends any read or write waiting on it at once.

    `connected` says whether the request got a connection (made or reused): before that,
    nothing of it was sent.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self.connected = False
        self._at = time.monotonic() + seconds
        self._done = False
        self._connection: _DeadlineConnection | None = None
        self._timer = threading.Timer(min(seconds, threading.TIMEOUT_MAX), self._pass)
        self._timer.daemon = True

    def left(self) -> float:
        """Seconds until the deadline (a little more than none, for requests)."""
        return max(self._at - time.monotonic(), 0.001)

    def use(self, connection: _DeadlineConnection, *, connected: bool) -> None:
        """The request is using `connection` (`connected`: it is connected)."""
        with _OWNERSHIP:
            connection.deadline = self
            self._connection = connection
            self.connected = self.connected or connected
            if self.passed:
                _shut(connection)

    def fault(self, request: Request) -> TransportError:
        """The fault of a request cut by this deadline."""
        peer = _peer(request.url)
        if self.connected:
            return TransportError(
                "timeout", f"no complete reply from {peer} within {self.seconds:g} s"
            )
        return TransportError("connect", f"no connection to {peer} within {self.seconds:g} s")

    def _pass(self) -> None:
        with _OWNERSHIP:
            if self._done:
                return
            self.passed = True
            connection = self._connection
            # The connection may be back in the pool, taken by another request: not ours then.
            if connection is not None and connection.deadline is self:
                _shut(connection)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with _OWNERSHIP:
            self._done = True
        self._timer.cancel()


def _shut(connection: HTTPConnection) -> None:
    # The plain socket's shutdown, also under TLS: it wakes a read blocked in another thread.
    sock = connection.sock
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Current(threading.local):
    """The deadline of the request this thread is sending, if any."""

    deadline: _Deadline | None = None


_CURRENT = _Current()
#: Guards which deadline a connection belongs to, so a late timer never cuts a connection
#: that another request has taken from the pool.
_OWNERSHIP = threading.Lock()


class _DeadlineConnection(HTTPConnection):
    """A urllib3 connection that tells the current request's deadline when it is used."""

    deadline: _Deadline | None = None

    def connect(self) -> None:
        self._tell(connected=False)
        super().connect()
        self._tell(connected=True)

    def putrequest(
        self, method: str, url: str, skip_host: bool = False, skip_accept_encoding: bool = False
    ) -> None:
        self._tell(connected=self.sock is not None)
        super().putrequest(
            method, url, skip_host=skip_host, skip_accept_encoding=skip_accept_encoding
        )

    def _tell(self, *, connected: bool) -> None:
        deadline = _CURRENT.deadline
        if deadline is not None:
            deadline.use(self, connected=connected)


class _DeadlineTLSConnection(_DeadlineConnection, HTTPSConnection):
    """The same, over TLS."""


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineTLSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _DeadlineHTTPPool,
    "https": _DeadlineHTTPSPool,
}


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with pools of connections the deadline can reach (the two hooks
    requests offers for subclasses)."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: object
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: object) -> urllib3.PoolManager:
        manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS has connection classes of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager


# --- Faults -------------------------------------------------------------------------------


def _fault(error: BaseException, request: Request, deadline: _Deadline) -> TransportError:
    """The `TransportError` for `error`, raised while sending `request`."""
    if deadline.passed:
        return deadline.fault(request)
    peer = _peer(request.url)
    why = type(_causes(error)[-1]).__name__  # the innermost cause, e.g. ConnectionResetError
    if isinstance(error, _NOT_SENT):
        return TransportError("refused", f"requests would not send a request to {peer} ({why})")
    if isinstance(error, requests.exceptions.ProxyError):
        if _caused_by(error, ConnectTimeoutError):  # urllib3's NewConnectionError is one
            return TransportError("connect", f"the proxy for {peer} cannot be reached ({why})")
        return TransportError("proxy", f"the proxy refused the tunnel to {peer} ({why})")
    if not deadline.connected:
        # A hang-up during the handshake is an SSLError too, but says nothing about TLS.
        if isinstance(error, requests.exceptions.SSLError) and not _caused_by(
            error, ssl.SSLEOFError
        ):
            return TransportError("tls", f"TLS with {peer} failed ({why})")
        return TransportError("connect", f"no connection to {peer} ({why})")
    if isinstance(error, requests.exceptions.Timeout) or _caused_by(error, ReadTimeoutError):
        return TransportError(
            "timeout", f"no complete reply from {peer} within {request.timeout:g} s"
        )
    return TransportError("protocol", f"broken reply from {peer} ({why})")


def _causes(error: BaseException) -> list[BaseException]:
    """`error` and every exception it wraps (causes, contexts, exceptions in its args)."""
    found: list[BaseException] = []
    todo = [error]
    while todo:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo.extend(_wrapped(current))
    return found


def _wrapped(error: BaseException) -> Iterator[BaseException]:
    for inner in (error.__cause__, error.__context__, *error.args):
        if isinstance(inner, BaseException):
            yield inner


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(cause, kind) for cause in _causes(error))


def _peer(url: str) -> str:
    """Scheme, host and port of `url`, for messages (never its query: it may be long)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
