"""One table of hostile servers, run on sqcore's `Urllib3Transport` and on the requests and
httpx adapters in examples/: each fault comes back as the same `TransportError` kind on all
three, never as an exception, within the request's timeout.

The timeouts are short and the trickles slow enough that no per-operation timeout ever
trips: a request ends by its deadline only if the adapter bounds the whole request.
"""

from __future__ import annotations

import gzip
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.wire.certificates import server_context
from tests.wire.hostile import (
    Action,
    Hangup,
    Pause,
    Raw,
    Reply,
    Reset,
    Serve,
    Stall,
    Stream,
    Trickle,
    Truncate,
    json_reply,
    redirect,
    unanswered_port,
)
from tests.wire.proxy import ProxyServer
from transports._types import TransportErrorKind

from .senders import KINDS, MARGIN, failure_of, sender, success_of, timed

#: The body bound in this table: small, so a huge reply is refused quickly.
LIMIT = 2**20


@dataclass(frozen=True)
class Case:
    """What the server does, the fault kind it must give, and the request's timeout."""

    action: Action
    kind: TransportErrorKind
    timeout: float = 2.0


BODY = Reply(200, (("Content-Type", "application/json"),), b"x" * 100)
PADDED_HEAD = Reply(200, (("X-Padding", "p" * 200),), b"{}")
#: 16 MiB of zeros in about 16 KiB of gzip.
BOMB = Reply(200, (("Content-Encoding", "gzip"),), gzip.compress(bytes(16 * 2**20)))

CASES = {
    "silence before the headers": Case(Stall(5.0), "timeout", 0.4),
    "headers trickled a byte at a time": Case(
        Trickle(PADDED_HEAD, interval=0.05, head_too=True), "timeout", 0.4
    ),
    "body trickled a byte at a time": Case(
        Trickle(Reply(200, body=b"x" * 200), interval=0.05), "timeout", 0.4
    ),
    "silence mid-body": Case(Pause(BODY, body_bytes=10, seconds=5.0), "timeout", 0.4),
    "hang-up before the reply": Case(Hangup(), "protocol"),
    "reset before the reply": Case(Reset(), "protocol"),
    "reset mid-body": Case(Reset(BODY, body_bytes=10, after_seconds=0.1), "protocol"),
    "body cut short": Case(Truncate(BODY, body_bytes=10), "protocol"),
    "chunked body cut short": Case(
        Truncate(Reply(200, body=b"x" * 100, chunked=True), body_bytes=20), "protocol"
    ),
    "garbage status line": Case(Raw(b"HELLO WORLD\r\n\r\n"), "protocol"),
    "huge body": Case(Stream(10**9), "too_large"),
    "gzip bomb": Case(BOMB, "too_large"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_hostile_reply_is_the_same_fault_on_every_transport(
    serve: Serve, kind: str, case: Case
) -> None:
    server = serve([case.action])

    with sender(kind, max_body_bytes=LIMIT) as send:
        result, elapsed = timed(send, server.url("/job"), timeout=case.timeout)

    assert failure_of(result).kind == case.kind
    assert elapsed < case.timeout + MARGIN


@pytest.mark.parametrize("kind", KINDS)
def test_a_port_that_never_answers_is_a_connect_fault_within_the_timeout(kind: str) -> None:
    with unanswered_port() as port, sender(kind) as send:
        result, elapsed = timed(send, f"http://127.0.0.1:{port}/job", timeout=0.4)

    assert failure_of(result).kind == "connect"  # nothing was sent
    assert elapsed < 0.4 + MARGIN


@pytest.mark.parametrize("kind", KINDS)
def test_a_port_nobody_listens_on_is_a_connect_fault(kind: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

    with sender(kind) as send:
        result, _ = timed(send, f"http://127.0.0.1:{port}/job", timeout=2.0)

    assert failure_of(result).kind == "connect"


@pytest.mark.parametrize("kind", KINDS)
def test_an_untrusted_certificate_is_a_tls_fault(serve: Serve, ca: trustme.CA, kind: str) -> None:
    server = serve([BODY], ssl_context=server_context(ca, "127.0.0.1"))

    with sender(kind) as send:
        result, _ = timed(send, f"https://127.0.0.1:{server.port}/job", timeout=2.0)

    assert failure_of(result).kind == "tls"


@pytest.mark.parametrize("kind", KINDS)
def test_a_trusted_certificate_gets_the_reply(
    serve: Serve, ca: trustme.CA, ca_pem: Path, kind: str
) -> None:
    server = serve([json_reply({"ok": True})], ssl_context=server_context(ca, "127.0.0.1"))

    with sender(kind, ca_pem=ca_pem) as send:
        result, _ = timed(send, f"https://127.0.0.1:{server.port}/job", timeout=2.0)

    assert success_of(result).body == b'{"ok": true}'


@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_is_returned_and_nothing_follows_it(serve: Serve, kind: str) -> None:
    elsewhere = serve([BODY])
    server = serve([redirect(elsewhere.url("/stolen"))])

    with sender(kind) as send:
        reply = success_of(timed(send, server.url("/job"), timeout=2.0)[0])

    assert (reply.status, reply.header("Location")) == (302, elsewhere.url("/stolen"))
    assert elsewhere.requests == ()


@pytest.mark.parametrize("kind", KINDS)
def test_a_gzip_reply_comes_back_decoded(serve: Serve, kind: str) -> None:
    body = b'{"job": "done"}' * 1000
    server = serve([Reply(200, (("Content-Encoding", "gzip"),), gzip.compress(body))])

    with sender(kind) as send:
        assert success_of(timed(send, server.url("/job"), timeout=2.0)[0]).body == body


@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_that_refuses_the_tunnel_is_a_proxy_fault(kind: str) -> None:
    with ProxyServer({}, refuse=407) as proxy, sender(kind, proxy=proxy.url()) as send:
        result, _ = timed(send, "https://api.superstaq.test/job", timeout=2.0)

    assert failure_of(result).kind == "proxy"


@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_nobody_listens_on_is_a_connect_fault(kind: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"

    with sender(kind, proxy=proxy) as send:
        result, _ = timed(send, "https://api.superstaq.test/job", timeout=2.0)

    assert failure_of(result).kind == "connect"
