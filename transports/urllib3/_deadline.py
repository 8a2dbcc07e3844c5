"""Shell: one deadline for a whole request, on top of urllib3's per-operation timeouts.

urllib3 applies its connect and read timeouts to each socket operation, so a server (or a
proxy) that trickles bytes could hold a request far past them. `bounded_classes` gives
urllib3 connection classes whose sockets set their timeout to the time left before every
wait: the connect (one deadline over every address of a host, not a fresh timeout each), the
TLS handshake (CPython bounds a handshake as a whole), the CONNECT tunnel, the send (a
plain socket's `sendall` is bounded as a whole) and each read. The request a thread is
sending is an `InFlight` value: its deadline, and how far it got, which the fault messages
of `transports.urllib3._faults` read. (The address lookup is the system resolver's and is not
bounded.)
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family
from urllib3.util.ssltransport import SSLTransport

from transports._no_proxy import Bypass
from transports._proxy import ProxyURL

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

__all__ = ["Call", "InFlight", "Phase", "bounded_classes"]

#: The longest a single socket operation may wait (the OS refuses far longer).
_MAX_WAIT_SECONDS: Final = 86400.0

#: Where a request was when a fault struck. "tunnel": asking the proxy for a CONNECT tunnel.
Phase = Literal["connect", "tunnel", "send", "head", "body"]


@dataclass(slots=True)
class Call:
    """One request on its way: its deadline, and how far it got (for fault messages)."""

    deadline: float
    target: str  # "host:port" of the URL, for messages
    host: str  # the URL's host alone (an IPv6 address without brackets), for messages
    proxy: ProxyURL | None
    bypass: Bypass | None = None  # NO_PROXY sent it direct, past the environment's proxy
    phase: Phase = "connect"
    at_proxy: bool = False  # talking to the proxy itself (connecting, tunnelling)
    expired: bool = False
    received: int = 0  # decoded body bytes read so far
    announced: int | None = None  # Content-Length of an identity-encoded body

    def time_left(self) -> float:
        """Seconds until the deadline (at most a day); raises TimeoutError once it passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError("the request's deadline has passed")
        return min(left, _MAX_WAIT_SECONDS)


class InFlight(threading.local):
    """The request each thread is sending through one transport (None between requests)."""

    call: Call | None = None


def _arm(sock: socket.socket, in_flight: InFlight, *, reading: bool = False) -> None:
    """Sets `sock`'s timeout to the time left to the request in flight on this thread.

    The first read after the request was sent starts the reply's head: that is where the
    "head" phase begins (http.client reads the head inside urllib3's `getresponse`).
    """
    call = in_flight.call
    if call is not None:
        if reading and call.phase == "send":
            call.phase = "head"
        sock.settimeout(call.time_left())


def bounded_classes(
    in_flight: InFlight,
) -> tuple[dict[str, type[HTTPConnectionPool]], type[ssl.SSLSocket]]:
    """urllib3 pool classes (by scheme) and a TLS socket class that keep `in_flight`'s
    deadline. The TLS class goes into the transport's `SSLContext.sslsocket_class`.

    Every socket re-arms its timeout to the time left before each wait, so trickled bytes
    cannot add up; the connections record the phase the request is in.
    """
    socket_class, tls_socket_class = _bounded_sockets(in_flight)
    return _pool_classes(in_flight, socket_class), tls_socket_class


def _bounded_sockets(
    in_flight: InFlight,
) -> tuple[type[socket.socket], type[ssl.SSLSocket]]:
    """Socket classes whose every wait ends by the deadline of the request in flight."""

    class BoundedSocket(socket.socket):
        def recv(self, bufsize: int, flags: int = 0) -> bytes:
            _arm(self, in_flight, reading=True)
            return super().recv(bufsize, flags)

        def recv_into(self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0) -> int:
            _arm(self, in_flight, reading=True)
            return super().recv_into(buffer, nbytes, flags)

        def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
            _arm(self, in_flight)
            super().sendall(data, flags)

    class BoundedSSLSocket(ssl.SSLSocket):
        # A bare TCP close without TLS's close_notify could be a cut, not an end of data:
        # never take it as the end of a body (urllib3 wraps with the lenient default).
        @property
        def suppress_ragged_eofs(self) -> bool:
            return False

        @suppress_ragged_eofs.setter
        def suppress_ragged_eofs(self, value: bool) -> None:
            pass

        def do_handshake(self, block: bool = False) -> None:
            _arm(self, in_flight)
            super().do_handshake(block)

        def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
            _arm(self, in_flight, reading=True)
            return super().recv(buflen, flags)

        def recv_into(
            self, buffer: WriteableBuffer, nbytes: int | None = None, flags: int = 0
        ) -> int:
            _arm(self, in_flight, reading=True)
            return super().recv_into(buffer, nbytes, flags)

        def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
            _arm(self, in_flight)
            super().sendall(data, flags)

    return BoundedSocket, BoundedSSLSocket


def _pool_classes(
    in_flight: InFlight, socket_class: type[socket.socket]
) -> dict[str, type[HTTPConnectionPool]]:
    """urllib3 pool classes whose connections keep `in_flight`'s deadline and phase."""

    class Bounded(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self, in_flight, socket_class)

        def connect(self) -> None:
            _enter(in_flight, "connect", at_proxy=self.proxy is not None)
            super().connect()
            if isinstance(self.sock, SSLTransport):  # TLS inside an https proxy's TLS
                self.sock.suppress_ragged_eofs = False  # as BoundedSSLSocket's
            _enter(in_flight, "send")

        def _tunnel(self) -> None:
            _enter(in_flight, "tunnel", at_proxy=True)
            super()._tunnel()
            _enter(in_flight, "connect")

        def putrequest(
            self,
            method: str,
            url: str,
            skip_host: bool = False,
            skip_accept_encoding: bool = False,
        ) -> None:
            # A request on a kept-alive connection is sent without connecting first.
            _enter(in_flight, "send")
            super().putrequest(method, url, skip_host, skip_accept_encoding)

    # Bounded's methods first, then HTTPSConnection's (its connect adds TLS).
    class BoundedTLS(Bounded, HTTPSConnection):
        pass

    class Pool(HTTPConnectionPool):
        ConnectionCls = Bounded

    class TLSPool(HTTPSConnectionPool):
        ConnectionCls = BoundedTLS

    return {"http": Pool, "https": TLSPool}


def _enter(in_flight: InFlight, phase: Phase, *, at_proxy: bool = False) -> None:
    call = in_flight.call
    if call is not None:
        call.phase = phase
        call.at_proxy = at_proxy


def _connect(
    connection: HTTPConnection, in_flight: InFlight, socket_class: type[socket.socket]
) -> socket.socket:
    """A TCP connection to the first of the host's addresses that answers, all within the
    deadline of the request in flight.

    As urllib3's own `create_connection` (the same address families and socket options,
    TCP_NODELAY among them) and its errors, except that each address gets only the time
    left, not a fresh timeout each.
    """
    host, port = connection._dns_host, connection.port
    try:
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NameResolutionError(connection.host, connection, exc) from exc
    error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket_class(family, kind, proto)
        try:
            for option in connection.socket_options or ():
                sock.setsockopt(*option)
            _arm(sock, in_flight)
            sock.connect(address)
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeoutError(connection, f"no connection to {host}:{port}") from exc
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise NewConnectionError(connection, f"no connection to {host}:{port}") from error or OSError(
        "the host name has no address"
    )
