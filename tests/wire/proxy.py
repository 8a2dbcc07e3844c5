"""Shell: a loopback HTTP proxy on 127.0.0.1, for wire tests of proxied requests.

`ProxyServer(routes)` listens on 127.0.0.1 (port 0) and serves one request per accepted
connection, as a forward proxy does:

- `CONNECT host:port` answers `200 Connection established` and then relays bytes both ways
  until either side closes (or the server stops). This is how an https:// request reaches its
  server: TLS runs inside the tunnel, so the proxy sees only ciphertext.
- An absolute-form request (`GET http://host:port/path HTTP/1.1`) is forwarded: the proxy sends
  it on in origin form (`GET /path`), without `Proxy-Authorization` and the other hop-by-hop
  headers, and relays the reply back with `Connection: close`, then closes. (A chunked
  request body is not forwarded: the connection is dropped, as `Connection` reads none.)

`routes` maps host names to loopback addresses (`{"api.superstaq.test": ("127.0.0.1", port)}`),
so that a test reaches a TLS server whose trustme certificate names a host that is not
loopback. A key may also be `host:port`, which wins over the bare host. Nothing else is
reachable: a host without a route gets `502 Bad Gateway`, as does a route nobody listens on.

    with HostileServer([json_reply({"ok": True})], ssl_context=server_tls) as server, \\
         ProxyServer({"api.superstaq.test": ("127.0.0.1", server.port)}) as proxy:
        ...  # send https://api.superstaq.test:443/x through proxy.origin
        assert b"sk-SECRET" not in proxy.requests[0].relayed

Options: `credentials=("user", "pass")` demands `Proxy-Authorization: Basic ...` with them
(else `407 Proxy Authentication Required` with `Proxy-Authenticate: Basic realm="test"`);
`refuse=403` answers every request (CONNECT or forwarded) with that status once the
credentials, if any, passed; `silent=True` reads requests and never answers; `ssl_context`
serves the proxy itself over TLS (an https:// proxy). Every answer of the proxy's own
(400, 403, 407, 502) closes the connection.

It records, per connection (`requests`), the request as received (request line, header
pairs, body), the status the client got, the address it connected to, and the bytes it
relayed from the client to the target (the first `max_record_bytes` of them, and their
count), so a test can check that the API key never crossed it in the clear and that
`Proxy-Authorization` reached the proxy but not the target.

Bounded like `hostile.py`, whose life cycle (`LoopbackServer`) and per-socket reading and
sending (`Connection`) it uses: a stop Event that every wait polls every `POLL_SECONDS`,
every socket (the targets' too) shut down by `close()`, every thread joined with a timeout.
`proxies()` yields a function that starts proxies, all closed when its block ends.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import select
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest

from transports._urls import is_loopback_host

from .hostile import (
    POLL_SECONDS,
    Connection,
    Headers,
    LoopbackServer,
    ReceivedRequest,
    Reply,
)

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES",
    "ProxiedRequest",
    "Proxy",
    "ProxyServer",
    "Routes",
    "proxies",
    "resolve_to_loopback",
]

#: Host name (or `host:port`) -> the loopback address a tunnel or forwarded request goes to.
Routes = Mapping[str, tuple[str, int]]

#: How many relayed bytes per connection a `ProxyServer` keeps by default (it counts them all).
DEFAULT_MAX_RECORD_BYTES = 4 * 2**20

#: Request headers a forward proxy consumes rather than passes on (RFC 9110 §7.6.1).
_NOT_FORWARDED = frozenset(
    {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "upgrade"}
)
#: Reply headers it replaces with its own `Connection: close`.
_NOT_RETURNED = frozenset({"connection", "keep-alive", "proxy-connection"})
_ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
_CHUNK = 65536


@dataclass(frozen=True)
class ProxiedRequest:
    """What the proxy saw and did on one connection (it serves one request per connection).

    Attributes:
        request: The request as received: method, target, version, header pairs (names and
            values as sent) and body. `request_line` and `header()` read it.
        status: The status the client got: 200 for a tunnel, the proxy's own 400, 403, 407
            or 502, or for a forwarded request the target's status. None while no answer was
            sent (always so with `silent`).
        target: The loopback address it connected to for this request, or None.
        relayed: The first `max_record_bytes` bytes it sent from the client to the target: the
            tunnel's bytes, or the forwarded request as rewritten (head and body).
        relayed_bytes: How many bytes it sent from the client to the target in all.
        returned_bytes: How many bytes it sent from the target back to the client in all.
    """

    request: ReceivedRequest
    status: int | None
    target: tuple[str, int] | None
    relayed: bytes
    relayed_bytes: int
    returned_bytes: int

    @property
    def request_line(self) -> str:
        """The request line as received, e.g. "CONNECT api.superstaq.test:443 HTTP/1.1"."""
        return self.request.request_line

    @property
    def headers(self) -> Headers:
        """The header pairs as received."""
        return self.request.headers

    def header(self, name: str) -> str | None:
        """The value of request header `name` (case-insensitive), or None."""
        return self.request.header(name)


class _Record:
    """The mutable side of a `ProxiedRequest`, changed only under the server's lock."""

    def __init__(self, request: ReceivedRequest) -> None:
        self.request = request
        self.status: int | None = None
        self.target: tuple[str, int] | None = None
        self.relayed = bytearray()
        self.relayed_bytes = 0
        self.returned_bytes = 0

    def snapshot(self) -> ProxiedRequest:
        return ProxiedRequest(
            self.request,
            self.status,
            self.target,
            bytes(self.relayed),
            self.relayed_bytes,
            self.returned_bytes,
        )


class ProxyServer(LoopbackServer):
    """A threaded forward proxy on 127.0.0.1: CONNECT tunnels and absolute-form forwarding.

    Use it as a context manager (or call `start()` and `close()`). Thread-safe to read
    `requests` and `connections` while it runs.

    Args:
        routes: Host name (or `host:port`) -> loopback address; every other host gets 502.
        credentials: (user, password) the client must send as `Proxy-Authorization: Basic`
            (their UTF-8 or Latin-1 bytes); None lets every request through.
        refuse: A status (300 to 599) to answer every authorized request with instead.
        silent: Read each request and never answer it (the connection stays open until the
            client leaves, it idles out, or the server stops).
        ssl_context: A server-side TLS context to be an https:// proxy; None: http://.
        max_record_bytes: How many relayed bytes per connection `requests` keeps.
        idle_seconds: A connection that sends no request for this long is closed.
        join_seconds: How long `close()` waits for all threads to end.

    Raises:
        ValueError: A route leads off this machine, or `refuse` is not a refusal status.
    """

    def __init__(
        self,
        routes: Routes | None = None,
        *,
        credentials: tuple[str, str] | None = None,
        refuse: int | None = None,
        silent: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        idle_seconds: float = 30.0,
        join_seconds: float = 5.0,
    ) -> None:
        routes = routes or {}
        off_machine = [name for name, (host, _) in routes.items() if not is_loopback_host(host)]
        if off_machine:
            raise ValueError(f"routes must lead to loopback addresses: {off_machine}")
        if refuse is not None and not 300 <= refuse <= 599:
            raise ValueError(f"refuse must be a status from 300 to 599, not {refuse}")
        super().__init__("proxy", ssl_context=ssl_context, join_seconds=join_seconds)
        self._routes = {name.lower(): address for name, address in routes.items()}
        self._credentials = credentials
        self._refuse = refuse
        self._silent = silent
        self._max_record_bytes = max_record_bytes
        self._idle_seconds = idle_seconds
        self._records: list[_Record] = []

    # What tests read

    def url(self, credentials: tuple[str, str] | None = None) -> str:
        """The proxy's URL, for a transport's `proxy_url`, with `credentials` percent-encoded
        into it if given: `http://user:pass@127.0.0.1:PORT` (`https://` with TLS)."""
        if credentials is None:
            return self.origin
        user, password = (quote(part, safe="") for part in credentials)
        scheme, _, address = self.origin.partition("://")
        return f"{scheme}://{user}:{password}@{address}"

    @property
    def requests(self) -> tuple[ProxiedRequest, ...]:
        """What it saw on each connection that sent a whole request head, in arrival order."""
        with self._lock:
            return tuple(record.snapshot() for record in self._records)

    # Serving

    def _handle(self, sock: socket.socket, index: int) -> None:
        client = Connection(sock, index, self._stop, self._idle_seconds)
        request = client.read_request()
        if request is None:
            return
        record = _Record(request)
        with self._lock:
            self._records.append(record)
        if self._silent:
            while client.read_head() is not None:
                pass  # read whatever else comes, answer nothing
            return
        refusal = self._refusal(request)
        if refusal is not None:
            self._answer(client, record, refusal)
        elif request.method == "CONNECT":
            self._tunnel(client, record)
        elif request.target.lower().startswith("http://"):
            self._forward(client, record)
        else:
            self._answer(client, record, 400)  # origin form, or a scheme it does not forward

    def _refusal(self, request: ReceivedRequest) -> int | None:
        """407 without the right credentials, else `refuse`, else None (go ahead)."""
        if self._credentials is not None and not _authorizes(
            request.header("Proxy-Authorization"), self._credentials
        ):
            return 407
        return self._refuse

    def _answer(self, client: Connection, record: _Record, status: int) -> None:
        """Sends the proxy's own reply (empty body, then close) and records its status."""
        headers: Headers = (("Proxy-Authenticate", 'Basic realm="test"'),) if status == 407 else ()
        with self._lock:
            record.status = status
        client.perform(Reply(status, headers, close=True), record.request)

    def _tunnel(self, client: Connection, record: _Record) -> None:
        request = record.request
        address = _address_of("//" + request.target, default_port=None)
        target = None if address is None else self._connect(*address, record)
        if target is None:
            self._answer(client, record, 400 if address is None else 502)
            return
        with self._tracked(target):
            with self._lock:
                record.status = 200
            upstream = Connection(target, request.connection, self._stop, self._idle_seconds)
            if client.send(_ESTABLISHED) and self._pass(client.take_buffered(), upstream, record):
                self._relay(client, upstream, record)

    def _forward(self, client: Connection, record: _Record) -> None:
        request = record.request
        address = _address_of(request.target, default_port=80)
        target = None if address is None else self._connect(*address, record)
        if target is None:
            self._answer(client, record, 400 if address is None else 502)
            return
        with self._tracked(target):
            upstream = Connection(target, request.connection, self._stop, self._idle_seconds)
            url = urlsplit(request.target)
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            kept = [(n, v) for n, v in request.headers if n.lower() not in _NOT_FORWARDED]
            head = _head(f"{request.method} {path} {request.version}", kept)
            if not self._pass(head + request.body + client.take_buffered(), upstream, record):
                return
            reply = upstream.read_head()
            status = _status_of(reply)
            if reply is None or status is None:
                self._answer(client, record, 502)
                return
            status_line, reply_headers = reply
            kept = [(n, v) for n, v in reply_headers if n.lower() not in _NOT_RETURNED]
            with self._lock:
                record.status = status
            if self._return(_head(status_line, kept), client, record) and self._return(
                upstream.take_buffered(), client, record
            ):
                self._relay(client, upstream, record)

    def _connect(self, host: str, port: int, record: _Record) -> socket.socket | None:
        """A connection to the route for `host:port`, or None (no route, or refused)."""
        address = self._routes.get(f"{host}:{port}".lower(), self._routes.get(host.lower()))
        if address is None:
            return None
        try:
            target = socket.create_connection(address, timeout=self._join_seconds / 2)
        except OSError:
            return None
        target.settimeout(POLL_SECONDS)
        with self._lock:
            record.target = address
        return target

    def _relay(self, client: Connection, upstream: Connection, record: _Record) -> None:
        """Relays bytes both ways until either side closes or the server stops."""
        while not self._stop.is_set():
            # Bytes already decrypted inside a TLS socket do not wake select().
            pending = client.sock if _has_pending(client.sock) else None
            if pending is not None:
                readable = [pending]
            else:
                readable, _, _ = select.select([client.sock, upstream.sock], [], [], POLL_SECONDS)
            for source in readable:
                try:
                    data = source.recv(_CHUNK)
                except TimeoutError:
                    continue  # a TLS record arrived only in part
                if not data:
                    return
                if source is client.sock:
                    sent = self._pass(data, upstream, record)
                else:
                    sent = self._return(data, client, record)
                if not sent:
                    return

    def _pass(self, data: bytes, upstream: Connection, record: _Record) -> bool:
        """Sends `data` from the client on to the target, recording it."""
        with self._lock:
            room = max(0, self._max_record_bytes - len(record.relayed))
            record.relayed += data[:room]
            record.relayed_bytes += len(data)
        return upstream.send(data)

    def _return(self, data: bytes, client: Connection, record: _Record) -> bool:
        """Sends `data` from the target back to the client, counting it."""
        with self._lock:
            record.returned_bytes += len(data)
        return client.send(data)


def _address_of(url: str, *, default_port: int | None) -> tuple[str, int] | None:
    """The host and port of `url` (for an authority alone, "//host:port"), or None."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or default_port
    except ValueError:  # a port that is not a number from 0 to 65535
        return None
    return None if host is None or port is None else (host, port)


def _authorizes(header: str | None, credentials: tuple[str, str]) -> bool:
    """Whether a `Proxy-Authorization` value carries `credentials` by Basic authentication
    (in UTF-8 or, where they fit, Latin-1: urllib3's default)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        sent = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = ":".join(credentials)
    accepted = {expected.encode("utf-8")}
    with contextlib.suppress(UnicodeEncodeError):
        accepted.add(expected.encode("latin-1"))
    return sent in accepted


def _status_of(reply: tuple[str, Headers] | None) -> int | None:
    """The status code of a reply head's status line, or None if it has none."""
    if reply is None:
        return None
    parts = reply[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return None
    return int(parts[1])


def _head(first_line: str, headers: list[tuple[str, str]]) -> bytes:
    """A head on the wire: `first_line`, the headers, then `Connection: close`."""
    lines = [first_line, *(f"{name}: {value}" for name, value in headers), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _has_pending(sock: socket.socket) -> bool:
    return isinstance(sock, ssl.SSLSocket) and sock.pending() > 0


def resolve_to_loopback(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Makes `name` resolve to 127.0.0.1 in this process, for the test: a request that goes
    direct (NO_PROXY) reaches the loopback server that a proxy reaches by its routes."""
    lookup = socket.getaddrinfo

    def mapped(
        host: bytes | str | None,
        port: bytes | str | int | None,
        family: int = 0,
        type: int = 0,  # getaddrinfo's own name
        proto: int = 0,
        flags: int = 0,
    ) -> object:
        return lookup("127.0.0.1" if host == name else host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", mapped)


#: Starts a `ProxyServer` and closes it when the block of `proxies()` ends; returns it.
Proxy = Callable[[ProxyServer], ProxyServer]


@contextlib.contextmanager
def proxies() -> Iterator[Proxy]:
    """Yields a function that starts `ProxyServer`s; all of them are closed on exit.

    A pytest fixture is then one line: `with proxies() as proxy: yield proxy`, and a test
    writes `front = proxy(ProxyServer(routes, credentials=...))`.
    """
    with contextlib.ExitStack() as stack:
        yield stack.enter_context
