"""Shell: a scripted, hostile HTTP/1.1 server on 127.0.0.1, for wire tests.

`HostileServer(script)` listens on 127.0.0.1 (port 0: the OS picks a free one) and answers
the n-th request it receives (counted from 0 over all its connections) with the `Action`
its script gives for n: a proper reply, or one of the ways a server or a network misbehaves.
It records every request (`requests`) and counts the TCP connections it accepted
(`connections`), so a test can check what arrived, how often, and on how many connections.

    with HostileServer([Hangup(), json_reply({"ok": True})]) as server:
        result = transport.send(Request("GET", server.url("/x"), {}, None, timeout=1.0))
        assert len(server.requests) == 1

A script is a sequence of actions (its last action repeats for every later request) or a
function from the request index to an action. The actions:

    Reply     a whole reply: status, headers, body; Content-Length or chunked framing
    Hangup    close the connection without a reply (FIN)
    Reset     reset the connection (RST), optionally after part of a reply
    Truncate  send the head, announcing the whole body, then only part of it, then close
    Stall     say nothing for a while, then do another action (default: hang up)
    Pause     send the head and part of the body, pause, then send the rest
    Trickle   send a reply a few bytes at a time (the body only, or the head too)
    Stream    a large body made on the fly while sending (never held in memory)
    Raw       arbitrary bytes (e.g. a malformed reply), then close

Helpers build common replies: `json_reply`, `retry_later` (503/429 with Retry-After),
`redirect` (302 with Location) and `fail_first` (k failures, then a reply). `servers()`
yields a factory (`Serve`) of servers that are all closed when its block ends;
`emulator_behind(serve, emulator, on_post)` is one in front of an emulator that lets
every request through but acts out what `on_post` makes of each POST's reply (a lost
reply, a 500 after the job was created).

Every loop is bounded: `close()` (or leaving the `with` block) sets a stop Event that ends
every stall and trickle at once (they wait on it, never in a plain sleep), each socket polls
it every `POLL_SECONDS`, and every thread is joined with a timeout. Pass an `ssl_context`
to serve HTTPS instead of HTTP.

That life cycle is `LoopbackServer`, and the reading and sending on one socket is
`Connection`; the loopback proxy in `proxy.py` is built on both.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Literal, NoReturn, Protocol, TypeAlias, TypeVar
from urllib.parse import parse_qs, urlsplit

from transports.emulator import Emulator

__all__ = [
    "POLL_SECONDS",
    "Action",
    "Connection",
    "Hangup",
    "Headers",
    "HostileServer",
    "LoopbackServer",
    "OnPost",
    "Pause",
    "Raw",
    "ReceivedRequest",
    "Reply",
    "Reset",
    "Script",
    "Serve",
    "Stall",
    "Stream",
    "Trickle",
    "Truncate",
    "emulator_behind",
    "fail_first",
    "json_reply",
    "redirect",
    "retry_later",
    "servers",
]

#: Header pairs in the order sent; a name may repeat.
Headers = tuple[tuple[str, str], ...]

#: How often every blocked socket operation and loop looks at the stop Event.
POLL_SECONDS = 0.05

_MAX_HEAD_BYTES = 64 * 1024
_MAX_REQUEST_BODY_BYTES = 16 * 2**20
_STREAM_BLOCK = b"x" * (64 * 1024)


# --- What the server received ----------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server read it off the wire.

    Attributes:
        method: The request method, e.g. "GET".
        target: The request target as sent, query string included, e.g. "/a/b?job_id=1".
        headers: The header pairs in the order sent, names as sent.
        body: The request body (by its Content-Length).
        connection: Which accepted TCP connection it came on (0 for the first).
        version: The protocol version as sent, e.g. "HTTP/1.1".
    """

    method: str
    target: str
    headers: Headers
    body: bytes
    connection: int
    version: str = "HTTP/1.1"

    @property
    def request_line(self) -> str:
        """The request line as sent, e.g. "CONNECT api.superstaq.test:443 HTTP/1.1"."""
        return f"{self.method} {self.target} {self.version}"

    @property
    def path(self) -> str:
        """The target without its query string."""
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string, parsed: name -> values in order."""
        return parse_qs(urlsplit(self.target).query)

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive; repeats joined by ", "), or None."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None


# --- What the server does --------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A whole, well-formed reply.

    Attributes:
        status: The status code.
        headers: Extra header pairs. A Content-Length given here is sent as is (even if it
            lies); otherwise one is added, unless `chunked`.
        body: The body. A reply to HEAD sends the head only.
        chunked: Send the body with `Transfer-Encoding: chunked` (one chunk).
        close: Send `Connection: close` and close the connection after the reply.
        reason: The reason phrase; by default the standard one for `status`.
    """

    status: int = 200
    headers: Headers = ()
    body: bytes = b""
    chunked: bool = False
    close: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class Hangup:
    """Close the connection without sending anything (an orderly FIN)."""


@dataclass(frozen=True)
class Reset:
    """Reset the connection (SO_LINGER 0, then close: the peer gets RST, not FIN).

    Attributes:
        reply: If given, first send its head and `body_bytes` bytes of its body.
        body_bytes: How much of the body to send before the reset.
        after_seconds: How long to wait between sending and resetting, so the peer reads
            what was sent before the reset arrives.
    """

    reply: Reply | None = None
    body_bytes: int = 0
    after_seconds: float = 0.0


@dataclass(frozen=True)
class Truncate:
    """Send the head of `reply` (announcing its whole body) and only `body_bytes` of the body,
    then close the connection (FIN)."""

    reply: Reply
    body_bytes: int


@dataclass(frozen=True)
class Stall:
    """Send nothing for `seconds`, then do `then` (None: hang up). Ends early on shutdown."""

    seconds: float
    then: Action | None = None


@dataclass(frozen=True)
class Pause:
    """Send the head and `body_bytes` of the body of `reply`, wait `seconds`, send the rest."""

    reply: Reply
    body_bytes: int
    seconds: float


@dataclass(frozen=True)
class Trickle:
    """Send `reply` `step_bytes` at a time, one step every `interval` seconds.

    Attributes:
        reply: What to send.
        step_bytes: Bytes per step.
        interval: Seconds between steps.
        head_too: Trickle the status line and headers as well; otherwise they go at once
            and only the body trickles.
    """

    reply: Reply
    step_bytes: int = 1
    interval: float = 0.05
    head_too: bool = False


@dataclass(frozen=True)
class Stream:
    """A body of `total_bytes` bytes of b"x", made block by block while sending.

    Attributes:
        total_bytes: How many body bytes to send (stops early if the peer goes away).
        status: The status code.
        headers: Extra header pairs.
        framing: "length" (a Content-Length header), "chunked", or "close" (no length:
            the body ends when the connection closes).
        announced_bytes: The Content-Length to announce with "length" framing, if not
            `total_bytes` (announce more than you send to fake a huge body cheaply).
    """

    total_bytes: int
    status: int = 200
    headers: Headers = ()
    framing: Literal["length", "chunked", "close"] = "length"
    announced_bytes: int | None = None


@dataclass(frozen=True)
class Raw:
    """Send `data` as is (anything, e.g. a malformed reply); then close unless `close` is False."""

    data: bytes
    close: bool = True


#: Everything the server can do with one request.
Action: TypeAlias = Reply | Hangup | Reset | Truncate | Stall | Pause | Trickle | Stream | Raw

#: The actions, one per request: a sequence (its last action repeats) or index -> action.
Script: TypeAlias = Sequence[Action] | Callable[[int], Action]


def json_reply(value: object, *, status: int = 200, headers: Headers = ()) -> Reply:
    """A reply whose body is `value` as JSON, with `Content-Type: application/json`."""
    body = json.dumps(value).encode()
    return Reply(status, (("Content-Type", "application/json"), *headers), body)


def retry_later(status: int = 503, *, retry_after: str | None = "1", body: bytes = b"") -> Reply:
    """A 503 (or 429) reply, with a `Retry-After` header unless `retry_after` is None."""
    headers: Headers = () if retry_after is None else (("Retry-After", retry_after),)
    return Reply(status, headers, body)


def redirect(location: str, *, status: int = 302) -> Reply:
    """A redirect reply pointing at `location`."""
    return Reply(status, (("Location", location),))


def fail_first(k: int, failure: Action, then: Action) -> tuple[Action, ...]:
    """A script: `failure` for the first `k` requests, then `then` for every later one."""
    return (failure,) * k + (then,)


# --- The server --------------------------------------------------------------------------


class LoopbackServer:
    """The life cycle every loopback test server here shares: a listener on 127.0.0.1 (port 0),
    one thread per accepted connection, and a `close()` that ends them all.

    A subclass serves one accepted connection in `_handle`; OSError and ValueError end that
    connection quietly (the peer went away, failed TLS, or sent something malformed). Every
    socket a handler opens must be registered with `_tracked`, so `close()` can wake it.

    Args:
        name: The start of every thread name, and of the message when threads are stuck.
        ssl_context: A server-side TLS context to serve TLS; None serves plain TCP.
        join_seconds: How long `close()` waits for all threads to end.
    """

    def __init__(
        self, name: str, *, ssl_context: ssl.SSLContext | None, join_seconds: float
    ) -> None:
        self._ssl_context = ssl_context
        self._join_seconds = join_seconds
        self._stop = threading.Event()
        #: Guards the counters and sets below; notified whenever one changes, so a test can
        #: wait for a state (`wait_until`) instead of sleeping.
        self._lock = threading.Condition(threading.RLock())
        self._connections = 0
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._port: int = self._listener.getsockname()[1]
        self._name = f"{name}-{self._port}"
        self._accepter = threading.Thread(
            target=self._accept_loop, name=f"{self._name}-accept", daemon=True
        )

    # Life cycle

    def start(self: _Server) -> _Server:
        """Starts listening and serving; returns self."""
        self._listener.listen(64)
        self._listener.settimeout(POLL_SECONDS)
        self._accepter.start()
        return self

    def close(self) -> None:
        """Stops serving: ends every action and connection, joins every thread.

        Raises:
            RuntimeError: A thread did not end within `join_seconds`.
        """
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() at once (Linux)
        with self._lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            # Wakes a blocked recv() now rather than at its next poll. The base class's
            # shutdown, because SSLSocket.shutdown also unwraps, racing the serving thread.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        give_up = time.monotonic() + self._join_seconds
        if self._accepter.is_alive():
            self._accepter.join(timeout=max(0.0, give_up - time.monotonic()))
        self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=max(0.0, give_up - time.monotonic()))
        stuck = [t.name for t in [self._accepter, *threads] if t.is_alive()]
        if stuck:
            raise RuntimeError(f"{self._name} threads still running: {stuck}")

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except RuntimeError:
            if exc is None:  # don't hide the test's own failure behind ours
                raise

    # What tests read

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return self._port

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT` (or `https://` with an ssl_context)."""
        scheme = "http" if self._ssl_context is None else "https"
        return f"{scheme}://127.0.0.1:{self._port}"

    @property
    def connections(self) -> int:
        """How many TCP connections it has accepted."""
        with self._lock:
            return self._connections

    @property
    def open_connections(self) -> int:
        """How many of the connections it accepted are still open (the peer has not closed
        them, nor has it)."""
        with self._lock:
            return len(self._open)

    def wait_until(self, condition: Callable[[], bool], within: float = 5.0) -> bool:
        """Waits until `condition()` holds, re-checked whenever the server's state changes
        (a connection accepted or closed, a request received); False if `within` seconds
        pass first."""
        with self._lock:
            return self._lock.wait_for(condition, timeout=within)

    # Serving

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                index = self._connections
                self._connections += 1
                self._lock.notify_all()
                thread = threading.Thread(
                    target=self._serve,
                    args=(sock, index),
                    name=f"{self._name}-conn{index}",
                    daemon=True,
                )
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        try:
            if self._ssl_context is not None:
                sock.settimeout(self._join_seconds / 2)  # the handshake can't poll the Event
                sock = self._ssl_context.wrap_socket(sock, server_side=True)
            sock.settimeout(POLL_SECONDS)
            with self._tracked(sock):
                self._handle(sock, index)
        except (OSError, ValueError):
            pass  # the peer went away, failed TLS, or sent a malformed request: drop it
        finally:
            sock.close()

    @contextlib.contextmanager
    def _tracked(self, sock: socket.socket) -> Iterator[socket.socket]:
        """Registers `sock` so that `close()` wakes it; closes it on exit."""
        with self._lock:
            self._open.add(sock)
        try:
            yield sock
        finally:
            sock.close()
            with self._lock:
                self._open.discard(sock)
                self._lock.notify_all()

    def _handle(self, sock: socket.socket, index: int) -> None:
        """Serves the accepted connection `sock` (the `index`-th) until it is done."""
        raise NotImplementedError


_Server = TypeVar("_Server", bound=LoopbackServer)


class HostileServer(LoopbackServer):
    """A threaded HTTP/1.1 server on 127.0.0.1 that follows a script, one action per request.

    Use it as a context manager (or call `start()` and `close()`). Thread-safe to read
    `requests` and `connections` while it runs.

    Args:
        script: The actions (see the module docstring).
        ssl_context: A server-side TLS context to serve HTTPS; None serves plain HTTP.
        idle_seconds: A connection with no request for this long is closed.
        join_seconds: How long `close()` waits for all threads to end.
    """

    def __init__(
        self,
        script: Script,
        *,
        ssl_context: ssl.SSLContext | None = None,
        idle_seconds: float = 30.0,
        join_seconds: float = 5.0,
    ) -> None:
        if not callable(script) and len(script) == 0:
            raise ValueError("the script needs at least one action")
        super().__init__("hostile", ssl_context=ssl_context, join_seconds=join_seconds)
        self._script = script
        self._idle_seconds = idle_seconds
        self._requests: list[ReceivedRequest] = []

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` (which starts with "/") on this server."""
        return self.origin + path

    @property
    def requests(self) -> tuple[ReceivedRequest, ...]:
        """Every request received so far, in order of arrival."""
        with self._lock:
            return tuple(self._requests)

    def _handle(self, sock: socket.socket, index: int) -> None:
        connection = Connection(sock, index, self._stop, self._idle_seconds)
        while not self._stop.is_set():
            request = connection.read_request()
            if request is None:
                break
            action = self._record(request)
            if not connection.perform(action, request):
                break
            if (request.header("Connection") or "").lower() == "close":
                break

    def _record(self, request: ReceivedRequest) -> Action:
        with self._lock:
            index = len(self._requests)
            self._requests.append(request)
            self._lock.notify_all()
        if callable(self._script):
            return self._script(index)
        return self._script[min(index, len(self._script) - 1)]


class Connection:
    """One connection: reads requests (or any HTTP/1.x head) off it and performs actions on it."""

    def __init__(
        self, sock: socket.socket, index: int, stop: threading.Event, idle_seconds: float
    ) -> None:
        self._sock = sock
        self._index = index
        self._stop = stop
        self._idle_seconds = idle_seconds
        self._buffer = bytearray()

    @property
    def sock(self) -> socket.socket:
        """The socket it reads and sends on."""
        return self._sock

    def read_head(self) -> tuple[str, Headers] | None:
        """The next head: its first line and its header pairs as sent (names and values
        stripped), or None if the peer closed, went idle, or the server stops.

        Raises:
            ValueError: The head is larger than 64 KiB.
        """
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            if len(self._buffer) > _MAX_HEAD_BYTES:
                raise ValueError("head too large")
            if not self._fill():
                return None
        head = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 4]
        first_line, *lines = head.split("\r\n")
        headers = tuple(
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines)
        )
        return first_line, headers

    def read_request(self) -> ReceivedRequest | None:
        """The next request, or None if the peer closed, went idle, or the server stops.

        Raises:
            ValueError: The request is malformed or too large.
        """
        head = self.read_head()
        if head is None:
            return None
        request_line, headers = head
        method, target, version = request_line.split(" ", 2)
        if any(n.lower() == "transfer-encoding" for n, _ in headers):
            raise ValueError("chunked request bodies are not supported")
        length = int(next((v for n, v in headers if n.lower() == "content-length"), "0"))
        if not 0 <= length <= _MAX_REQUEST_BODY_BYTES:
            raise ValueError("bad request Content-Length")
        while len(self._buffer) < length:
            if not self._fill():
                return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return ReceivedRequest(method, target, headers, body, self._index, version)

    def take_buffered(self) -> bytes:
        """The bytes read past the last head or request, which are now the caller's."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def _fill(self) -> bool:
        """Reads more bytes into the buffer; False on EOF, idle timeout or shutdown."""
        give_up = time.monotonic() + self._idle_seconds
        while not self._stop.is_set() and time.monotonic() < give_up:
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                continue
            self._buffer += data
            return bool(data)
        return False

    def perform(self, action: Action, request: ReceivedRequest) -> bool:
        """Carries out `action` for `request`; True if the connection may serve another."""
        head_only = request.method == "HEAD"
        if isinstance(action, Reply):
            head, body = _encode(action, head_only=head_only)
            return self.send(head + body) and not action.close
        if isinstance(action, Hangup):
            return False
        if isinstance(action, Reset):
            if action.reply is not None:
                head, body = _encode(action.reply, head_only=head_only)
                if not self.send(head + body[: action.body_bytes]):
                    return False
            if not self._stop.wait(action.after_seconds):
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if isinstance(action, Truncate):
            head, body = _encode(action.reply, head_only=head_only)
            self.send(head + body[: action.body_bytes])
            return False
        if isinstance(action, Stall):
            if self._stop.wait(action.seconds) or action.then is None:
                return False
            return self.perform(action.then, request)
        if isinstance(action, Pause):
            head, body = _encode(action.reply, head_only=head_only)
            if not self.send(head + body[: action.body_bytes]):
                return False
            if self._stop.wait(action.seconds):
                return False
            return self.send(body[action.body_bytes :]) and not action.reply.close
        if isinstance(action, Trickle):
            head, body = _encode(action.reply, head_only=head_only)
            data = head + body
            start = 0 if action.head_too else len(head)
            if not self.send(data[:start]):
                return False
            for at in range(start, len(data), action.step_bytes):
                if self._stop.wait(action.interval):
                    return False
                if not self.send(data[at : at + action.step_bytes]):
                    return False
            return not action.reply.close
        if isinstance(action, Stream):
            return self._stream(action, head_only=head_only)
        if isinstance(action, Raw):
            return self.send(action.data) and not action.close
        _never(action)

    def _stream(self, action: Stream, *, head_only: bool) -> bool:
        headers = list(action.headers)
        if action.framing == "length":
            announced = (
                action.total_bytes if action.announced_bytes is None else action.announced_bytes
            )
            headers.append(("Content-Length", str(announced)))
        elif action.framing == "chunked":
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Connection", "close"))
        if not self.send(_head(action.status, None, headers)) or head_only:
            return False
        block = memoryview(_STREAM_BLOCK)
        left = action.total_bytes
        while left > 0:
            piece = block[: min(left, len(block))]
            if action.framing == "chunked":
                sent = (
                    self.send(f"{len(piece):x}\r\n".encode())
                    and self.send(piece)
                    and self.send(b"\r\n")
                )
            else:
                sent = self.send(piece)
            if not sent:
                return False
            left -= len(piece)
        if action.framing == "chunked":
            return self.send(b"0\r\n\r\n")
        return action.framing == "length"

    def send(self, data: bytes | memoryview) -> bool:
        """Sends all of `data`; False if the server stops first.

        Raises:
            OSError: The peer went away.
        """
        view = memoryview(data)
        while view:
            if self._stop.is_set():
                return False
            try:
                sent = self._sock.send(view)
            except TimeoutError:
                continue
            view = view[sent:]
        return True


class Serve(Protocol):
    """Starts a `HostileServer` (the type of the factory `servers()` yields)."""

    def __call__(
        self, script: Script, *, ssl_context: ssl.SSLContext | None = None
    ) -> HostileServer: ...


@contextlib.contextmanager
def servers() -> Iterator[Serve]:
    """Yields a factory of running `HostileServer`s; all of them are closed on exit.

    A pytest fixture is then one line: `with servers() as serve: yield serve`.
    """
    with contextlib.ExitStack() as stack:

        def serve(script: Script, *, ssl_context: ssl.SSLContext | None = None) -> HostileServer:
            return stack.enter_context(HostileServer(script, ssl_context=ssl_context))

        yield serve


#: What the server does with a POST it has passed to the emulator: given the emulator's
#: reply, the action that stands for it.
OnPost = Callable[[Reply], Action]


def emulator_behind(serve: Serve, emulator: Emulator, on_post: OnPost) -> HostileServer:
    """A loopback server in front of `emulator`: every request reaches the emulator, and a
    POST's reply is replaced by `on_post(reply)`."""
    server: HostileServer

    def script(index: int) -> Action:
        request = server.requests[index]
        status, headers, body = emulator.handle(
            request.method, request.target, dict(request.headers), request.body or None
        )
        reply = Reply(status, tuple(headers.items()), body)
        return on_post(reply) if request.method == "POST" else reply

    server = serve(script)
    return server


@contextlib.contextmanager
def unanswered_port() -> Iterator[int]:
    """Yields a loopback port whose accept queue is full: a connection to it is never made
    (the SYN is dropped), as with a host that is down behind a firewall."""
    with socket.socket() as listener, contextlib.ExitStack() as fillers:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        # One connection made and never accepted fills a queue of length 0; the kernel drops
        # every later SYN. The others are sent anyway, for kernels that queue one more.
        first = fillers.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        assert first.fileno() >= 0
        for _ in range(3):
            filler = fillers.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        yield port


def _encode(reply: Reply, *, head_only: bool) -> tuple[bytes, bytes]:
    """The head and the framed body of `reply` as bytes on the wire."""
    headers = list(reply.headers)
    if reply.chunked:
        headers.append(("Transfer-Encoding", "chunked"))
        size = f"{len(reply.body):x}\r\n".encode() if reply.body else b""
        body = size + reply.body + (b"\r\n" if reply.body else b"") + b"0\r\n\r\n"
    else:
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(reply.body))))
        body = reply.body
    if reply.close:
        headers.append(("Connection", "close"))
    return _head(reply.status, reply.reason, headers), (b"" if head_only else body)


def _head(status: int, reason: str | None, headers: list[tuple[str, str]]) -> bytes:
    if reason is None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _never(action: NoReturn) -> NoReturn:
    raise AssertionError(f"unknown action: {action!r}")
