"""Shell: `Urllib3Transport` against real sockets on 127.0.0.1.

Every hostile behaviour comes back as one `TransportError` kind, with a message that says
what happened and never the API key, within the request's timeout plus `MARGIN`; proper
replies come back whole; connections are reused; redirects are returned, not followed; and
a huge body is refused while memory stays bounded.
"""

from __future__ import annotations

import gc
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

import pytest
import urllib3
from returns.pipeline import is_successful
from returns.result import Result

from transports import Request, Response, TransportError, Urllib3Transport
from transports._types import TransportErrorKind

from .hostile import (
    Action,
    Hangup,
    HostileServer,
    Pause,
    Raw,
    Reply,
    Reset,
    Serve,
    Stall,
    Stream,
    Trickle,
    Truncate,
    fail_first,
    json_reply,
    redirect,
    retry_later,
    unanswered_port,
)

_T = TypeVar("_T")

SECRET = "sk-SECRET-123"
HEADERS = {"Authorization": SECRET, "Content-Type": "application/json"}
#: How far past its timeout a request may end (thread wake-ups on a busy 2-core machine).
MARGIN = 0.5
LIMIT = 64 * 2**20


def send(
    transport: Urllib3Transport,
    url: str,
    *,
    timeout: float = 1.0,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[Result[Response, TransportError], float]:
    """Sends one request; returns its result and how many seconds it took."""
    request = Request(method, url, HEADERS if headers is None else headers, body, timeout)
    start = time.monotonic()
    result = transport.send(request)
    return result, time.monotonic() - start


def failure_of(result: Result[Response, TransportError]) -> TransportError:
    """The error in a `Failure`, checked to hold no trace of the API key."""
    assert not is_successful(result), f"expected a failure, got {result}"
    error = result.failure()
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    return error


def with_peak(call: Callable[[], _T]) -> tuple[_T, int]:
    """What `call` returns, and the peak of memory traced while it ran (bytes)."""
    tracemalloc.start()
    try:
        value = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak


def success_of(result: Result[Response, TransportError]) -> Response:
    assert is_successful(result), f"expected a success, got {result}"
    return result.unwrap()


# --- Proper replies ---------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_reply_comes_back_whole_with_its_headers(
    transport: Urllib3Transport, serve: Serve, chunked: bool
) -> None:
    body = b'{"job": "done"}' * 10_000
    headers = (("Content-Type", "application/json"), ("X-Dup", "a"), ("X-Dup", "b"))
    server = serve([Reply(200, headers, body, chunked=chunked)])

    response = success_of(send(transport, server.url("/job"))[0])

    assert response.status == 200
    assert response.body == body
    assert response.headers["X-Dup"] == "a, b"
    assert response.header("content-type") == "application/json"


def test_a_body_ended_by_closing_the_connection_comes_back_whole(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([Stream(300_000, framing="close")])

    response = success_of(send(transport, server.url())[0])

    assert response.body == b"x" * 300_000


def test_the_request_arrives_as_sent(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([json_reply({"succeeded": ["1"]})])
    url = server.url("/v0.3.0/client/cancel_jobs?x=1&x=2")

    success_of(send(transport, url, method="PUT", body=b'{"job_id": ["1"]}')[0])

    (received,) = server.requests
    assert received.method == "PUT"
    assert received.path == "/v0.3.0/client/cancel_jobs"
    assert received.query == {"x": ["1", "2"]}
    assert received.body == b'{"job_id": ["1"]}'
    assert received.header("authorization") == SECRET  # the right server does get the key
    assert received.header("Content-Length") == "17"


def test_a_target_with_spaces_or_control_characters_goes_percent_encoded(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([BODY])

    success_of(send(transport, server.url("/a b\t\r\nX-Injected: 1?q=\u00e9"))[0])

    (received,) = server.requests
    assert received.target == "/a%20b%09%0D%0AX-Injected:%201?q=%C3%A9"  # one request line
    assert received.header("X-Injected") is None


def test_keep_alive_reuses_one_connection(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([json_reply({"ok": True})])

    for _ in range(20):
        assert success_of(send(transport, server.url())[0]).status == 200

    assert len(server.requests) == 20
    assert server.connections == 1


def test_an_idle_connection_the_server_has_since_closed_is_not_sent_on(
    transport: Urllib3Transport, serve: Serve
) -> None:
    # A keep-alive reply (no "Connection: close"), then the server hangs up while idle.
    server = serve([Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"), Reply(body=b"two")])

    assert success_of(send(transport, server.url())[0]).body == b"one"
    assert server.wait_until(lambda: server.open_connections == 0)  # the server hung up
    assert success_of(send(transport, server.url())[0]).body == b"two"

    assert server.connections == 2


def test_many_distinct_urls_each_get_their_own_reply(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([json_reply({"ok": True})])

    for i in range(300):  # more URLs than the transport remembers parsed
        assert success_of(send(transport, server.url(f"/job/{i}"))[0]).status == 200

    assert [request.path for request in server.requests] == [f"/job/{i}" for i in range(300)]
    assert server.connections == 1


def test_a_connection_the_server_closed_is_replaced(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([Reply(200, body=b"one", close=True), Reply(200, body=b"two")])

    assert success_of(send(transport, server.url())[0]).body == b"one"
    assert success_of(send(transport, server.url())[0]).body == b"two"

    assert server.connections == 2


def test_concurrent_sends_share_the_pool(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([json_reply({"ok": True})])
    statuses: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            result = send(transport, server.url())[0]
            with lock:
                statuses.append(success_of(result).status)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert statuses == [200] * 20
    assert server.connections <= 4


def test_a_redirect_is_returned_not_followed(transport: Urllib3Transport, serve: Serve) -> None:
    target = serve([Reply(200, body=b"followed")])
    server = serve([redirect(target.url("/elsewhere"))])

    response = success_of(send(transport, server.url("/job"))[0])

    assert response.status == 302
    assert response.header("Location") == target.url("/elsewhere")
    assert target.requests == ()
    assert target.connections == 0  # so no Authorization header can have reached it


@pytest.mark.parametrize("status", [503, 429])
def test_retry_later_is_a_reply_and_is_not_retried(
    transport: Urllib3Transport, serve: Serve, status: int
) -> None:
    server = serve([retry_later(status, retry_after="7")])

    response = success_of(send(transport, server.url())[0])

    assert (response.status, response.header("retry-after")) == (status, "7")
    assert len(server.requests) == 1


def test_a_body_that_is_not_json_comes_back_as_bytes(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([Reply(200, (("Content-Type", "application/json"),), b'{"job": ')])

    assert success_of(send(transport, server.url())[0]).body == b'{"job": '


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [("gzip", gzip.compress), ("deflate", zlib.compress)],
    ids=["gzip", "deflate"],
)
def test_a_compressed_body_comes_back_decoded(
    transport: Urllib3Transport, serve: Serve, encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    body = b'{"statuses": ["running"]}' * 100
    server = serve([Reply(200, (("Content-Encoding", encoding),), pack(body))])

    response = success_of(send(transport, server.url())[0])

    assert response.body == body
    assert server.requests[0].header("Accept-Encoding") == "gzip, deflate"


def test_a_reply_to_head_may_announce_any_length(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([Reply(200, (("Content-Length", str(10**12)),))])

    response = success_of(send(transport, server.url(), method="HEAD")[0])

    assert (response.status, response.body) == (200, b"")


def test_failures_then_success_follow_the_script(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve(fail_first(2, Hangup(), json_reply({"ok": True})))

    kinds = [send(transport, server.url())[0] for _ in range(3)]

    assert [failure_of(r).kind for r in kinds[:2]] == ["protocol", "protocol"]
    assert success_of(kinds[2]).status == 200
    assert len(server.requests) == 3
    assert server.connections == 3


# --- Hostile replies: one table ----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A hostile action and the failure it must give (message: a fragment, {port} filled)."""

    action: Action
    kind: TransportErrorKind
    message: str
    timeout: float = 1.0


BODY = Reply(200, (("Content-Type", "application/json"),), b"x" * 100)
LONG_HEAD = Reply(200, (("X-Padding", "p" * 200),), b"{}")

CASES = {
    "hangup": Case(Hangup(), "protocol", "127.0.0.1:{port} closed the connection without a reply"),
    "reset before reply": Case(
        Reset(), "protocol", "connection reset by 127.0.0.1:{port} before the reply headers"
    ),
    "reset mid-body": Case(
        Reset(BODY, body_bytes=10, after_seconds=0.1),
        "protocol",
        "connection reset by 127.0.0.1:{port}",
    ),
    "truncated body": Case(
        Truncate(BODY, body_bytes=10), "protocol", "connection closed after 10 of 100 body bytes"
    ),
    "truncated chunked body": Case(
        Truncate(Reply(200, body=b"x" * 100, chunked=True), body_bytes=20),
        "protocol",
        "body bytes, before the last chunk",
    ),
    "stall before headers": Case(
        Stall(5.0), "timeout", "no complete reply headers from 127.0.0.1:{port} within 0.3 s", 0.3
    ),
    "stall before headers, then reply": Case(
        Stall(5.0, then=BODY), "timeout", "no complete reply headers", 0.3
    ),
    "stall mid-body": Case(
        Pause(BODY, body_bytes=10, seconds=5.0),
        "timeout",
        "reply body not complete within 0.3 s",
        0.3,
    ),
    "trickled body": Case(
        Trickle(Reply(200, body=b"x" * 200), step_bytes=1, interval=0.02),
        "timeout",
        "reply body not complete within 0.4 s",
        0.4,
    ),
    "trickled headers": Case(
        Trickle(LONG_HEAD, step_bytes=1, interval=0.02, head_too=True),
        "timeout",
        "no complete reply headers",
        0.4,
    ),
    "garbage status line": Case(
        Raw(b"HELLO WORLD\r\n\r\n"), "protocol", "malformed reply from 127.0.0.1:{port}"
    ),
    "status line echoing the key": Case(
        Raw(f"HTTP/1.1 2{SECRET}\r\n\r\n".encode()), "protocol", "an invalid status line"
    ),
    "header echoing the key, then short body": Case(
        Raw(f"HTTP/1.1 200 OK\r\nX-Echo: {SECRET}\r\nContent-Length: 9\r\n\r\nab".encode()),
        "protocol",
        "connection closed after 2 of 9 body bytes",
    ),
    "not HTTP/1.x": Case(Raw(b"HTTP/2.0 200 OK\r\n\r\n"), "protocol", "not HTTP/1.x"),
    "header line too long": Case(
        Raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"),
        "protocol",
        "a header line is too long",
    ),
    "conflicting lengths": Case(
        Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"),
        "protocol",
        "conflicting Content-Length values",
    ),
    "invalid length": Case(
        Raw(b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello", close=False),
        "protocol",
        "an invalid Content-Length",
    ),
    "huge announced body": Case(
        Stream(10**12),
        "too_large",
        f"reply body of 1000000000000 bytes (announced) exceeds the {LIMIT}-byte limit",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_hostile_reply_is_a_failure_that_says_what_happened(
    transport: Urllib3Transport, serve: Serve, case: Case
) -> None:
    server = serve([case.action])

    result, elapsed = send(transport, server.url("/job"), timeout=case.timeout)

    error = failure_of(result)
    assert error.kind == case.kind
    assert case.message.format(port=server.port) in error.message
    assert elapsed < case.timeout + MARGIN


def test_a_failed_connection_is_not_reused(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([Pause(BODY, body_bytes=10, seconds=5.0), BODY])

    assert failure_of(send(transport, server.url(), timeout=0.3)[0]).kind == "timeout"
    assert success_of(send(transport, server.url())[0]).body == BODY.body

    assert server.connections == 2


# --- Framing and reuse --------------------------------------------------------------------
#
# A connection goes back to the pool only when the reply's end was certain, so the bytes of
# one reply can never be read as the start of the next.


def raw(data: bytes) -> Raw:
    """`data` sent as is, with the connection left open for the next request."""
    return Raw(data, close=False)


def test_interim_replies_are_skipped(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve(
        [raw(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")]
    )

    bodies = [success_of(send(transport, server.url())[0]).body for _ in range(2)]

    assert bodies == [b"hi", b"hi"]
    assert server.connections == 1


def test_chunks_with_extensions_and_trailers_are_read_and_the_connection_kept(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve(
        [
            raw(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"2;name=value\r\nhe\r\n3\r\nllo\r\n0\r\nX-Trailer: t\r\n\r\n"
            )
        ]
    )

    bodies = [success_of(send(transport, server.url())[0]).body for _ in range(2)]

    assert bodies == [b"hello", b"hello"]
    assert server.connections == 1


def test_bare_line_feeds_are_read(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([raw(b"HTTP/1.1 200 OK\nContent-Length: 2\nX-A: 1\n\nhi")])

    response = success_of(send(transport, server.url())[0])

    assert (response.body, response.header("x-a")) == (b"hi", "1")


@pytest.mark.parametrize(
    "first",
    [
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
    ],
    ids=["HTTP/1.0", "Connection: close"],
)
def test_a_connection_whose_reply_end_is_uncertain_is_not_reused(
    transport: Urllib3Transport, serve: Serve, first: bytes
) -> None:
    server = serve([raw(first), json_reply({"ok": True})])

    assert success_of(send(transport, server.url())[0]).body == b"hi"
    assert success_of(send(transport, server.url())[0]).body == b'{"ok": true}'

    assert server.connections == 2


FRAMING_FAULTS = {
    "endless interim replies": (
        b"HTTP/1.1 100 Continue\r\n\r\n" * 9,
        "127.0.0.1:{port} closed the connection without a reply",
    ),
    "too many headers": (
        b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n",
        "malformed reply from 127.0.0.1:{port} (an invalid reply head)",
    ),
    "chunk size not hex": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "malformed reply body from 127.0.0.1:{port} after 0 bytes (an invalid chunk size)",
    ),
    "chunk longer than its size": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n",
        "after 2 bytes (an invalid chunk size)",
    ),
    "a length of 5,000 digits after zeros": (
        b"HTTP/1.1 200 OK\r\nContent-Length: " + b"0" * 5000 + b"1" * 19 + b"\r\n\r\n",
        "(an invalid Content-Length)",
    ),
    "a length of 5,000 digits": (
        b"HTTP/1.1 200 OK\r\nContent-Length: " + b"1" * 5000 + b"\r\n\r\n",
        "(an invalid Content-Length)",
    ),
    "chunks past the bound": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1\r\nx\r\n" * 10,
        "reply body exceeds the 5-byte limit",
    ),
}


@pytest.mark.parametrize("case", FRAMING_FAULTS.values(), ids=FRAMING_FAULTS.keys())
def test_a_reply_that_breaks_framing_is_a_failure_and_its_connection_dropped(
    serve: Serve, case: tuple[bytes, str]
) -> None:
    data, message = case
    server = serve([Raw(data), Reply(200, body=b"ok")])

    with Urllib3Transport(max_body_bytes=5) as transport:
        error = failure_of(send(transport, server.url())[0])
        assert success_of(send(transport, server.url())[0]).body == b"ok"

    assert error.kind == ("too_large" if "limit" in message else "protocol")
    assert message.format(port=server.port) in error.message
    assert server.connections == 2


def test_tiny_chunks_keep_memory_near_the_bound(serve: Serve) -> None:
    limit = 128 * 1024
    chunks = b"2\r\nab\r\n" * (limit // 2) + b"0\r\n\r\n"
    server = serve([Raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)])

    with Urllib3Transport(max_body_bytes=limit) as transport:
        (result, _), peak = with_peak(lambda: send(transport, server.url(), timeout=30.0))

    assert success_of(result).body == b"ab" * (limit // 2)
    assert peak < 4 * limit  # one growing buffer, not an object per chunk


def test_connect_keeps_one_deadline_over_every_address(
    transport: Urllib3Transport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host with three addresses that all drop the SYN: together, not each, within budget."""
    with unanswered_port() as port:
        lookup = socket.getaddrinfo
        monkeypatch.setattr(
            socket, "getaddrinfo", lambda host, *args: lookup("127.0.0.1", *args) * 3
        )
        result, elapsed = send(transport, f"http://three.example:{port}/", timeout=0.5)

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "connect",  # no connection was made in time: nothing of the request was sent
        f"no connection to three.example:{port} within 0.5 s",
    )
    assert elapsed < 0.5 + MARGIN


def test_a_timeout_of_centuries_is_accepted(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([Reply(200, body=b"ok")])

    assert success_of(send(transport, server.url(), timeout=1e10)[0]).body == b"ok"


def test_a_send_that_cannot_finish_times_out(transport: Urllib3Transport) -> None:
    with socket.socket() as listener:  # accepts (the kernel does) but never reads
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port: int = listener.getsockname()[1]

        result, elapsed = send(
            transport,
            f"http://127.0.0.1:{port}/",
            method="PUT",
            body=b"x" * 64 * 2**20,
            timeout=0.3,
        )

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "timeout",
        f"could not send the request to 127.0.0.1:{port} in 0.3 s",
    )
    assert elapsed < 0.3 + MARGIN


def _answer_once_then_stop_reading(listener: socket.socket, stop: threading.Event) -> None:
    """Answers the first request (keep-alive), then never reads the connection again."""
    conn, _ = listener.accept()
    with conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        stop.wait(5.0)


def test_a_send_that_cannot_finish_on_a_reused_connection_times_out_saying_so(
    transport: Urllib3Transport,
) -> None:
    stop = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port: int = listener.getsockname()[1]
        server = threading.Thread(target=_answer_once_then_stop_reading, args=(listener, stop))
        server.start()
        try:
            url = f"http://127.0.0.1:{port}/"
            assert success_of(send(transport, url, timeout=2.0)[0]).body == b"ok"
            result, elapsed = send(
                transport, url, method="PUT", body=b"x" * 32 * 2**20, timeout=0.3
            )
        finally:
            stop.set()
            server.join(5.0)

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "timeout",  # not "no connection": the connection was made, for the first request
        f"could not send the request to 127.0.0.1:{port} in 0.3 s",
    )
    assert elapsed < 0.3 + MARGIN


WATCHDOG = "transports.urllib3 deadline watchdog"


def watchdogs() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == WATCHDOG}


def test_one_watchdog_thread_keeps_every_deadline_of_a_transport_and_ends_with_it(
    serve: Serve,
) -> None:
    server = serve([json_reply({"ok": True})])
    before = watchdogs()
    transport = Urllib3Transport(trust_env=False)
    seen: list[int] = []

    def work() -> None:
        for _ in range(10):
            success_of(send(transport, server.url())[0])
            seen.append(len(watchdogs() - before))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10.0)
    (watchdog,) = watchdogs() - before
    transport.close()
    watchdog.join(5.0)

    assert seen == [1] * 40  # one thread for the transport, none per request
    assert not watchdog.is_alive()


# --- Size bound ---------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_a_huge_streamed_body_is_refused_in_bounded_memory(
    transport: Urllib3Transport, serve: Serve, framing: str
) -> None:
    total = 200 * 10**6
    server = serve([Stream(total, framing="chunked" if framing == "chunked" else "close")])

    (result, elapsed), peak = with_peak(lambda: send(transport, server.url(), timeout=10.0))

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "too_large",
        f"reply body exceeds the {LIMIT}-byte limit",
    )
    assert peak < LIMIT + 8 * 2**20  # the bound plus a little, far below the 200 MB sent
    assert elapsed < 10.0


def test_a_small_bound_keeps_memory_small(serve: Serve) -> None:
    server = serve([Stream(50 * 10**6, framing="chunked")])

    with Urllib3Transport(max_body_bytes=2**20) as transport:
        (result, _), peak = with_peak(lambda: send(transport, server.url(), timeout=5.0))

    assert failure_of(result).message == "reply body exceeds the 1048576-byte limit"
    assert peak < 4 * 2**20


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_body_of_exactly_the_bound_is_accepted(serve: Serve, chunked: bool) -> None:
    server = serve([Reply(200, body=b"x" * 1000, chunked=chunked), Reply(200, body=b"x" * 1001)])

    with Urllib3Transport(max_body_bytes=1000) as transport:
        assert success_of(send(transport, server.url())[0]).body == b"x" * 1000
        error = failure_of(send(transport, server.url())[0])

    assert error.kind == "too_large"
    assert "exceeds the 1000-byte limit" in error.message


# --- Compression --------------------------------------------------------------------------


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body of about `inflated` / 1000 bytes that inflates to `inflated` zero bytes
    (1 MiB members, concatenated: a valid gzip stream, made in milliseconds)."""
    member = gzip.compress(bytes(2**20), 9)
    return member * (inflated // 2**20)


def test_a_gzip_bomb_is_refused_while_it_inflates_in_bounded_memory(serve: Serve) -> None:
    bomb = gzip_bomb(2**30)  # 1 GiB inflated
    assert len(bomb) < 2 * 2**20
    server = serve([Reply(200, (("Content-Encoding", "gzip"),), bomb)])

    with Urllib3Transport(trust_env=False) as transport:
        (result, _), peak = with_peak(lambda: send(transport, server.url(), timeout=30.0))

    assert (failure_of(result).kind, failure_of(result).message) == (
        "too_large",
        f"reply body exceeds the {LIMIT}-byte limit",
    )
    assert peak < 100 * 2**20  # the 64 MiB bound and a little, never the 1 GiB


def test_a_compressed_reply_within_the_bound_is_whole_however_much_it_inflates(
    serve: Serve,
) -> None:
    server = serve([Reply(200, (("Content-Encoding", "gzip"),), gzip_bomb(8 * 2**20))])

    with Urllib3Transport(max_body_bytes=8 * 2**20, trust_env=False) as transport:
        response = success_of(send(transport, server.url(), timeout=30.0)[0])

    assert response.body == bytes(8 * 2**20)


#: The codings this urllib3 decodes here (zstd only with its module installed).
DECODED = {coding.lower() for coding in urllib3.response.BaseHTTPResponse.CONTENT_DECODERS}


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        pytest.param(
            "zstd",
            "'zstd'",
            marks=pytest.mark.skipif("zstd" in DECODED, reason="zstd decodes here"),
        ),
        ("x-made-up", "'x-made-up'"),
        ("gzip, x-made-up", "'x-made-up'"),  # one coding urllib3 knows, one it does not
        ("Made-Up, other", "'made-up', 'other'"),
        ("gzip ", "'gzip '"),  # urllib3 reads one coding as written, and knows no "gzip "
        (SECRET, "(one not shown)"),  # a server may echo the key anywhere
        ("a" * 40, "(one not shown)"),
    ],
)
def test_a_body_in_an_unknown_content_coding_is_a_failure_naming_the_coding(
    transport: Urllib3Transport, serve: Serve, encoding: str, named: str
) -> None:
    body = gzip.compress(b'{"ok": true}') if "gzip" in encoding else b"(\xb5/\xfd"
    server = serve([Reply(200, (("Content-Encoding", encoding),), body)])

    error = failure_of(send(transport, server.url())[0])

    assert (error.kind, error.message) == (
        "protocol",
        f"the reply from 127.0.0.1:{server.port} is in a Content-Encoding this transport "
        f"cannot decode: {named} (it asks for gzip, deflate)",
    )


@pytest.mark.parametrize("encoding", ["identity", "identity ", "GZIP", "x-gzip", "gzip,gzip"])
def test_a_body_in_a_coding_urllib3_decodes_is_read(
    transport: Urllib3Transport, serve: Serve, encoding: str
) -> None:
    body = b"{}" if "identity" in encoding else gzip.compress(b"{}")
    if encoding == "gzip,gzip":
        body = gzip.compress(body)
    server = serve([Reply(200, (("Content-Encoding", encoding),), body)])

    assert success_of(send(transport, server.url())[0]).body == b"{}"


def test_a_head_reply_may_name_any_coding(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([Reply(200, (("Content-Encoding", "x-made-up"),), b"")])

    assert success_of(send(transport, server.url(), method="HEAD")[0]).status == 200


def test_a_body_that_does_not_decode_is_a_protocol_failure(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([Reply(200, (("Content-Encoding", "gzip"),), b"not gzip at all")])

    error = failure_of(send(transport, server.url())[0])

    assert (error.kind, error.message) == (
        "protocol",
        f"the reply body from 127.0.0.1:{server.port} could not be decoded after 0 bytes",
    )


# --- Before any reply ---------------------------------------------------------------------


def test_a_closed_port_is_a_connect_failure(transport: Urllib3Transport) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]  # bound, never listening: connects are refused

        result, elapsed = send(transport, f"http://127.0.0.1:{port}/job", timeout=0.5)

    error = failure_of(result)
    assert (error.kind, error.message) == ("connect", f"connection refused by 127.0.0.1:{port}")
    assert elapsed < 0.5 + MARGIN


def test_no_time_left_sends_nothing(transport: Urllib3Transport, serve: Serve) -> None:
    server = serve([BODY])

    error = failure_of(send(transport, server.url(), timeout=0.0)[0])

    assert error.kind == "timeout"
    assert server.connections == 0


@pytest.mark.parametrize("budget", [1e-9, 1e-7, 1e-6])
def test_a_budget_spent_before_connecting_is_a_connect_failure_not_an_exception(
    transport: Urllib3Transport, budget: float
) -> None:
    error = failure_of(send(transport, "http://127.0.0.1:9/x", timeout=budget)[0])

    assert error.kind == "connect"  # no connection was made: nothing was sent


def test_a_timeout_that_is_not_a_number_is_a_bug(transport: Urllib3Transport) -> None:
    with pytest.raises(ValueError, match="finite"):
        send(transport, "http://127.0.0.1:9/", timeout=float("inf"))


def test_a_header_that_cannot_be_sent_is_refused_without_quoting_it(
    transport: Urllib3Transport, serve: Serve
) -> None:
    server = serve([BODY])
    headers = {"Authorization": SECRET + "\r\nX-Injected: 1"}

    error = failure_of(send(transport, server.url(), headers=headers)[0])

    assert error.kind == "refused"
    assert "Authorization" in error.message
    assert server.connections == 0


@pytest.mark.parametrize(
    ("method", "url", "headers", "reason"),
    [
        ("GE T", "{origin}/job", {}, "the method is not an HTTP token"),
        ("GET", "{origin}/job", {"Bad Name": "x"}, "a header name is not an HTTP token"),
        (
            "GET",
            "{origin}/job",
            {"Content-Length": "0"},
            "'Content-Length' is set by the transport",
        ),
        (
            "GET",
            "{origin}/job",
            {"X-Note": "caf\u20ac"},
            "the value of header 'X-Note' is not Latin-1",
        ),
        (
            "GET",
            "http://evil.example\\@127.0.0.1:{port}/job",
            {},
            "not a valid http:// or https://",
        ),
    ],
    ids=["method", "header name", "framing header", "not latin-1", "backslash"],
)
def test_a_request_that_could_be_misread_is_refused_before_any_connection(
    transport: Urllib3Transport,
    serve: Serve,
    method: str,
    url: str,
    headers: dict[str, str],
    reason: str,
) -> None:
    server = serve([BODY])
    where = url.format(origin=server.origin, port=server.port)

    error = failure_of(send(transport, where, method=method, headers=headers)[0])

    assert error.kind == "refused"
    assert reason in error.message
    assert server.connections == 0


def test_a_url_that_is_not_http_is_refused(transport: Urllib3Transport) -> None:
    error = failure_of(send(transport, "ftp://127.0.0.1/job")[0])

    assert error.kind == "refused"


def test_a_url_with_user_info_is_refused_without_quoting_it(transport: Urllib3Transport) -> None:
    error = failure_of(send(transport, f"https://user:{SECRET}@127.0.0.1/job")[0])

    assert (error.kind, error.message) == (
        "refused",
        "cannot send to 'https://…@127.0.0.1/job': not a valid http:// or https:// URL",
    )


def test_a_password_holding_a_slash_is_not_quoted(transport: Urllib3Transport) -> None:
    error = failure_of(send(transport, f"http://user:{SECRET}/x@127.0.0.1/job")[0])

    assert (error.kind, error.message) == (
        "refused",
        "cannot send to 'http://…@127.0.0.1/job': not a valid http:// or https:// URL",
    )


def test_a_url_without_a_scheme_is_refused_without_quoting_its_password(
    transport: Urllib3Transport,
) -> None:
    error = failure_of(send(transport, f"user:{SECRET}@127.0.0.1/job")[0])

    assert (error.kind, error.message) == (
        "refused",
        "cannot send to '…@127.0.0.1/job': not a valid http:// or https:// URL",
    )


@pytest.mark.parametrize("host", ["0177.0.0.1", "127.1", "0x7f.0.0.1", "2130706433"])
def test_an_ipv4_address_in_a_form_tls_would_read_otherwise_is_refused(
    transport: Urllib3Transport, host: str
) -> None:
    # The resolver reads "0177.0.0.1" as octal (127.0.0.1); a certificate check would read
    # it as 177.0.0.1. Neither reading is safe to pick.
    assert failure_of(send(transport, f"https://{host}/job")[0]).kind == "refused"


def test_a_timeout_too_large_for_a_float_is_a_value_error(transport: Urllib3Transport) -> None:
    with pytest.raises(ValueError, match="finite"):
        transport.send(Request("GET", "http://127.0.0.1:9/", {}, None, 10**400))


def closed_soon(server: HostileServer, within: float = 2.0) -> bool:
    """Whether every connection to `server` is closed within `within` seconds (its threads
    see a close within one poll)."""
    return server.wait_until(lambda: server.open_connections == 0, within)


def test_the_transport_closes_its_idle_connections_when_collected(serve: Serve) -> None:
    server = serve([Reply(200, body=b"ok")])
    transport = Urllib3Transport()
    success_of(send(transport, server.url())[0])
    assert server.open_connections == 1  # kept alive in the pool

    del transport
    gc.collect()

    assert closed_soon(server)


def test_close_closes_the_idle_connections_at_once(serve: Serve) -> None:
    server = serve([Reply(200, body=b"ok")])
    with Urllib3Transport() as transport:
        success_of(send(transport, server.url())[0])
        assert server.open_connections == 1

    assert closed_soon(server)


def test_a_host_name_with_an_empty_label_is_refused(transport: Urllib3Transport) -> None:
    error = failure_of(send(transport, "http://" + "a" * 64 + ".example/job")[0])

    assert error.kind == "refused"  # never retried: it cannot work later either


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        (socket.EAI_NONAME, "no such host is known"),
        (socket.EAI_AGAIN, "the resolver did not answer (a temporary failure)"),
        (socket.EAI_FAIL, "no address was found"),
    ],
)
def test_a_name_that_does_not_resolve_is_a_resolve_failure_naming_the_host(
    transport: Urllib3Transport, monkeypatch: pytest.MonkeyPatch, code: int, answer: str
) -> None:
    def no_such_name(*args: object) -> NoReturn:
        raise socket.gaierror(code, "the resolver's own words")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)

    error = failure_of(send(transport, "https://nowhere.example/job")[0])

    assert (error.kind, error.message) == (
        "resolve",
        f"could not resolve the host name 'nowhere.example': {answer}",
    )


def test_a_reserved_name_fails_to_resolve_without_any_network(
    transport: Urllib3Transport,
) -> None:
    # RFC 6761 §6.4: no name under .invalid ever resolves, so no network is asked about it
    # successfully, whatever the machine's resolver is.
    error = failure_of(send(transport, "https://api.superstaq.invalid/job")[0])

    assert error.kind == "resolve"
    assert error.message.startswith("could not resolve the host name 'api.superstaq.invalid'")


def test_port_zero_is_refused(transport: Urllib3Transport) -> None:
    assert failure_of(send(transport, "http://127.0.0.1:0/job")[0]).kind == "refused"


@pytest.mark.parametrize("name", ["Host", "Content-Length", "transfer-encoding"])
def test_a_framing_header_from_the_caller_is_refused(
    transport: Urllib3Transport, serve: Serve, name: str
) -> None:
    server = serve([BODY])

    error = failure_of(send(transport, server.url(), headers={name: "1"})[0])

    assert (error.kind, error.message) == (
        "refused",
        f"header {name!r} is set by the transport; not sent",
    )
    assert server.connections == 0


def test_a_closed_transport_refuses(serve: Serve) -> None:
    server = serve([BODY])
    transport = Urllib3Transport()
    success_of(send(transport, server.url())[0])

    transport.close()

    assert failure_of(send(transport, server.url())[0]).kind == "refused"
    assert len(server.requests) == 1


def test_repr_shows_settings_only() -> None:
    transport = Urllib3Transport(max_body_bytes=1000, trust_env=False)

    assert repr(transport) == "Urllib3Transport(ca_certs=None, max_body_bytes=1000)"


def test_settings_out_of_range_raise() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        Urllib3Transport(max_body_bytes=-1)
    with pytest.raises(ValueError, match="pool_maxsize"):
        Urllib3Transport(pool_maxsize=0)
