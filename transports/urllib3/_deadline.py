"""Shell: one deadline for a whole request, kept through urllib3's public surface.

urllib3's timeouts bound each socket operation, so a server (or a proxy) that trickles a
byte at a time could hold a request far past them. Three things keep one deadline instead:

- urllib3's own timeouts: the time left when the request starts, and when it connects (the
  connection class here sets its public `timeout` in `connect()`). Each wait (the TCP
  connect, the proxy tunnel, the TLS handshake, which CPython bounds as a whole, a
  `sendall`, each read) ends within the time that was left.
- The transport's watchdog (`transports.urllib3._watchdog`) bounds their sum: when the
  deadline passes, it shuts down the socket the request is on (`Call.expire`), so a wait
  that trickled bytes ends at once. The socket is found through public names: a
  connection's `sock` while it connects (set before the tunnel and the handshake), the TLS
  socket whose handshake `transports.urllib3._tls` saw begin, or the connection's socket
  once connected.
- No further address of a host is tried once the deadline has passed: the socket options
  urllib3 sets on each address's socket before it connects (`UntilTheDeadline`) refuse to
  be read then.

What remains unbounded: the address lookup is the system resolver's. And the TCP connect to
one address is bounded by the time left when the connect began (urllib3 hands no socket
over before it connects), so a host whose first address fails after a while and whose next
one hangs can end a request that long after its deadline.

The request a thread is sending is a `Call`, kept in `in_flight` (one per thread): its
deadline, how far it got (for the fault messages of `transports.urllib3._faults`) and what
the watchdog shuts down.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from transports._no_proxy import Bypass
from transports._proxy import ProxyURL

__all__ = [
    "POOL_CLASSES",
    "Call",
    "Phase",
    "UntilTheDeadline",
    "in_flight",
]

#: The longest a single socket operation may wait (the OS refuses far longer).
_MAX_WAIT_SECONDS: Final = 86400.0

#: Where a request was when a fault struck. "connect" covers the TCP connect, a proxy's TLS,
#: its CONNECT tunnel and the TLS handshake with the host (`Call.at_proxy` says with whom).
Phase = Literal["connect", "send", "head", "body"]


@dataclass(slots=True, eq=False)
class Call:
    """One request on its way: its deadline, how far it got, and what it is reading from."""

    deadline: float
    target: str  # "host:port" of the URL, for messages
    host: str  # the URL's host alone (an IPv6 address without brackets), for messages
    proxy: ProxyURL | None
    bypass: Bypass | None = None  # NO_PROXY sent it direct, past the environment's proxy
    phase: Phase = "connect"
    at_proxy: bool = False  # talking to the proxy itself (connecting, its TLS, the tunnel)
    expired: bool = False
    expired_in: Phase | None = None  # the phase the deadline passed in
    received: int = 0  # decoded body bytes read so far
    announced: int | None = None  # Content-Length of an identity-encoded body
    connecting: HTTPConnection | None = None  # the connection while its connect() runs
    sock: socket.socket | None = None  # the socket under the request once known
    reply: urllib3.BaseHTTPResponse | None = None  # the reply whose body is being read

    def time_left(self) -> float:
        """Seconds until the deadline (at most a day); raises TimeoutError once it passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.expire_now()
            raise TimeoutError("the request's deadline has passed")
        return min(left, _MAX_WAIT_SECONDS)

    def expire_now(self) -> None:
        """Marks the deadline as passed, in the phase the request is in."""
        if not self.expired:
            self.expired_in = self.phase
        self.expired = True

    def expire(self) -> None:
        """The watchdog's action when the deadline passes: marks it, and shuts the socket
        under the request down so that whatever waits on it ends now. A reply that gave its
        connection back to the pool (its body read) is left alone: the socket is no longer
        this request's."""
        self.expire_now()
        reply = self.reply
        if reply is not None and reply.connection is None:
            return
        sock = self.sock
        if sock is None and self.connecting is not None:
            sock = self.connecting.sock
        if sock is not None:
            # socket.socket's own shutdown, even for a TLS socket: the TLS layer stays as
            # it is and reads the end of the stream as a cut, not as close_notify.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class InFlight(threading.local):
    """The request each thread is sending (None between requests)."""

    call: Call | None = None


#: The request this thread is sending, for the connection and TLS classes to find.
in_flight: Final = InFlight()


class UntilTheDeadline(list[tuple[int, int, int | bytes]]):
    """Socket options (urllib3's default, TCP_NODELAY) that urllib3 sets on the socket for
    each address of a host before connecting it: read while a request connects past its
    deadline, they raise TimeoutError, so urllib3 tries no further address (it ends with a
    connect timeout). Read at any other time (urllib3 keys its pools by them), they are the
    options."""

    def __iter__(self) -> Iterator[tuple[int, int, int | bytes]]:
        call = in_flight.call
        if call is not None and call.connecting is not None:
            call.time_left()
        return super().__iter__()


class ReplyHead(http.client.HTTPResponse):
    """http.client's reply, telling the request in flight when it starts reading the head
    (`begin`: status line and headers; a proxy's answer to CONNECT is read otherwise)."""

    def begin(self) -> None:
        call = in_flight.call
        if call is not None:
            call.phase = "head"
        super().begin()


class WatchedConnection(HTTPConnection):
    """urllib3's connection, telling the request in flight where it is and on which socket,
    with urllib3's timeout set to the time left when the connect begins."""

    #: http.client's reply class (urllib3 wraps what it reads in its own `HTTPResponse`).
    response_class = ReplyHead

    #: The socket the watchdog shuts down for a request on this connection: the TCP socket,
    #: or the TLS socket whose handshake began (for TLS inside a proxy's TLS, the proxy's).
    deadline_socket: socket.socket | None = None

    def connect(self) -> None:
        call = in_flight.call
        if call is None:  # not sent by the transport (nothing else uses these pools)
            super().connect()
            return
        call.phase, call.at_proxy = "connect", self.proxy is not None
        call.sock, call.connecting = None, self
        try:
            self.timeout = call.time_left()
            super().connect()
            sock = call.sock or self.sock
            self.deadline_socket = call.sock = sock if isinstance(sock, socket.socket) else None
        finally:
            call.connecting = None
        call.phase, call.at_proxy = "send", False

    def putrequest(
        self,
        method: str,
        url: str,
        skip_host: bool = False,
        skip_accept_encoding: bool = False,
    ) -> None:
        call = in_flight.call
        if call is not None:  # a kept-alive connection sends without connecting first
            call.phase, call.at_proxy, call.sock = "send", False, self.deadline_socket
        super().putrequest(method, url, skip_host, skip_accept_encoding)


# WatchedConnection's methods first, then HTTPSConnection's (its connect adds TLS).
class WatchedTLSConnection(WatchedConnection, HTTPSConnection):
    """`WatchedConnection` over TLS."""


class WatchedPool(HTTPConnectionPool):
    ConnectionCls = WatchedConnection


class WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedTLSConnection


#: urllib3 pool classes by scheme, for a pool manager's `pool_classes_by_scheme`.
POOL_CLASSES: Final[dict[str, type[HTTPConnectionPool]]] = {
    "http": WatchedPool,
    "https": WatchedTLSPool,
}
