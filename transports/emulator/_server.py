"""Shell: the emulator served over real HTTP/1.1 on a loopback address.

A threaded stdlib `http.server` whose handler reads the request body by Content-Length
(bounded), hands the request to `Emulator.handle` and writes the reply with a
Content-Length, so connections stay alive between requests; a reply goes out gzip-coded
when the request accepts it and the body is long enough (`_encoding`). It binds loopback
addresses only (`transports._urls.is_loopback_host`, the one loopback rule), logs nothing,
and answers even its own protocol errors (400, 411, 413, 414, 501) with JSON
`{"detail": ...}`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import msgspec

from transports._urls import is_loopback_host
from transports.emulator._app import Emulator
from transports.emulator._encoding import encode_reply

__all__ = ["DEFAULT_MAX_BODY_BYTES", "EmulatorServer"]

#: The largest request body the server reads; a larger one gets 413.
DEFAULT_MAX_BODY_BYTES = 16 * 2**20

#: Seconds a connection may sit idle (or stall mid-request) before the server drops it.
_IDLE_TIMEOUT_SECONDS = 30.0

#: How often `serve_forever` checks for a shutdown request (bounds `close()` latency).
_POLL_SECONDS = 0.05

_JOIN_SECONDS = 5.0


class _Detail(msgspec.Struct, frozen=True):
    detail: str


#: The address each loopback name binds (`transports._urls.LOOPBACK_NAMES`).
_NAME_ADDRESSES = {"localhost": "127.0.0.1"}


def _bind_address(host: str) -> str:
    """The IP address to bind for a loopback `host`: a name's address, or the literal bare."""
    bare = host.strip().lower().removeprefix("[").removesuffix("]")
    return _NAME_ADDRESSES.get(bare, bare)


class _HTTPServer(ThreadingHTTPServer):
    """The stdlib threaded server, plus the emulator, the body bound and open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], emulator: Emulator, max_body_bytes: int, ipv6: bool
    ) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.emulator = emulator
        self.max_body_bytes = max_body_bytes
        self.closing = False
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        """Remembers an open connection, so `drop_connections` can end it."""
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        """Forgets a connection its handler has finished with."""
        with self._connections_lock:
            self._connections.discard(connection)

    def drop_connections(self) -> None:
        """Shuts down every open connection, so idle keep-alive handlers exit at once."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # OSError: already closed by the peer or its handler.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """Stays quiet about clients that hang up; reports anything else (a bug) as usual."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        if self.closing and isinstance(error, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time from a keep-alive connection and answers it."""

    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT_SECONDS
    # Headers and body go out in separate writes; without TCP_NODELAY each keep-alive reply
    # waits for the client's delayed ACK (~40 ms on Linux).
    disable_nagle_algorithm = True

    def _server(self) -> _HTTPServer:
        server = self.server
        assert isinstance(server, _HTTPServer)
        return server

    def setup(self) -> None:
        """Registers the connection with the server."""
        super().setup()
        self._server().track(self.connection)

    def finish(self) -> None:
        """Unregisters the connection."""
        try:
            super().finish()
        finally:
            self._server().untrack(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        """Logs nothing: the emulator records requests itself (`Emulator.requests`)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answers a protocol error with JSON and closes the connection."""
        detail = message or HTTPStatus(code).phrase
        body = msgspec.json.encode(_Detail(detail))
        self.close_connection = True
        # A malformed request line leaves the version at "HTTP/0.9", for which http.server
        # writes no status line or headers; an error reply always gets them.
        self.request_version = self.protocol_version
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> tuple[bool, bytes | None]:
        """Reads the body by Content-Length; (False, None) when an error reply was sent."""
        if self.headers.get("Transfer-Encoding") is not None:
            self.send_error(HTTPStatus.LENGTH_REQUIRED, "Send the body with a Content-Length.")
            return False, None
        declared = self.headers.get("Content-Length")
        if declared is None:
            return True, None
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(HTTPStatus.BAD_REQUEST, "Invalid Content-Length.")
            return False, None
        limit = self._server().max_body_bytes
        if length > limit:
            self.send_error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Request body exceeds {limit} bytes."
            )
            return False, None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True  # the client hung up mid-body
            return False, None
        return True, body

    def _dispatch(self) -> None:
        complete, body = self._read_body()
        if not complete:
            return
        status, plain_headers, plain_payload = self._server().emulator.handle(
            self.command, self.path, dict(self.headers.items()), body
        )
        accepted = self.headers.get_all("Accept-Encoding")
        headers, payload = encode_reply(
            None if accepted is None else ", ".join(accepted), plain_headers, plain_payload
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        """Handles a GET request."""
        self._dispatch()

    def do_PUT(self) -> None:
        """Handles a PUT request."""
        self._dispatch()

    def do_POST(self) -> None:
        """Handles a POST request."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """Handles a DELETE request."""
        self._dispatch()

    def do_PATCH(self) -> None:
        """Handles a PATCH request."""
        self._dispatch()

    def do_HEAD(self) -> None:
        """Handles a HEAD request."""
        self._dispatch()

    def do_OPTIONS(self) -> None:
        """Handles a OPTIONS request."""
        self._dispatch()


class EmulatorServer:
    """An `Emulator` served over HTTP/1.1 (keep-alive) on a loopback address.

    The socket is bound on construction (so `port` is known at once); the context manager
    serves on a background thread and stops it, bounded, on exit::

        with EmulatorServer(emulator, port=0) as server:
            ...  # requests to server.url

    Args:
        emulator: The emulator that answers requests.
        host: A loopback host ("127.0.0.1", "::1", "localhost", ...).
        port: The TCP port; 0 picks a free one.
        max_body_bytes: The largest request body accepted; larger gets 413.

    Raises:
        ValueError: `host` is not a loopback address.
        OSError: The address cannot be bound.
    """

    def __init__(
        self,
        emulator: Emulator,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if not is_loopback_host(host):
            raise ValueError(f"refusing to serve on {host!r}: only loopback addresses are allowed")
        address = _bind_address(host)
        ipv6 = ipaddress.ip_address(address).version == 6
        self._httpd = _HTTPServer((address, port), emulator, max_body_bytes, ipv6)
        self._host = address
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self._closed = False

    @property
    def host(self) -> str:
        """The address the server is bound to."""
        return self._host

    @property
    def port(self) -> int:
        """The TCP port the server is bound to."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. "http://127.0.0.1:8080" (no trailing slash)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url!r})"

    def serve_forever(self) -> None:
        """Serves on the calling thread until `close()` (from another thread) or an exception."""
        self._serving.set()
        self._httpd.serve_forever(poll_interval=_POLL_SECONDS)

    def start(self) -> None:
        """Serves on a daemon background thread.

        Raises:
            RuntimeError: The server is already serving or was closed.
        """
        if self._thread is not None or self._closed:
            raise RuntimeError("the server is already started or closed")
        self._serving.set()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"emulator-server-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stops serving, ends open connections and releases the socket (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._httpd.closing = True
        if self._serving.is_set():
            # `shutdown` waits for `serve_forever` to return; it would block forever if
            # serving never started, hence the flag.
            self._httpd.shutdown()
        self._httpd.drop_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=_JOIN_SECONDS)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
