"""What only the requests adapter has to see to: requests' own habits (`.netrc`, cookies,
pooled connections) must not break the transport contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.requests_transport import RequestsTransport
from tests.wire.hostile import Pause, Reply, Serve, json_reply

from .senders import SECRET, failure_of, success_of, timed


def test_a_netrc_entry_never_replaces_the_api_key(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    server = serve([json_reply({})])

    with RequestsTransport() as transport:
        success_of(timed(transport.send, server.url("/job"), timeout=2.0)[0])

    assert server.requests[0].header("Authorization") == SECRET


def test_a_session_made_by_the_transport_sends_no_cookie_back(serve: Serve) -> None:
    server = serve([Reply(200, (("Set-Cookie", "session=abc; Path=/"),), b"{}")])

    with RequestsTransport() as transport:
        for _ in range(2):
            success_of(timed(transport.send, server.url("/job"), timeout=2.0)[0])

    assert [request.header("Cookie") for request in server.requests] == [None, None]


def test_a_connection_cut_by_the_deadline_is_not_used_again(serve: Serve) -> None:
    body = b"x" * 100
    server = serve(
        [Pause(Reply(200, body=body), body_bytes=10, seconds=5.0), Reply(200, body=body)]
    )

    with RequestsTransport() as transport:
        assert failure_of(timed(transport.send, server.url(), timeout=0.3)[0]).kind == "timeout"
        assert success_of(timed(transport.send, server.url(), timeout=2.0)[0]).body == body

    assert server.connections == 2


def test_connections_are_kept_alive_between_requests(serve: Serve) -> None:
    server = serve([json_reply({"ok": True})])

    with RequestsTransport() as transport:
        for _ in range(5):
            success_of(timed(transport.send, server.url(), timeout=2.0)[0])

    assert server.connections == 1


def test_a_session_given_is_used_and_left_open(serve: Serve) -> None:
    import requests

    server = serve([json_reply({"ok": True})])
    session = requests.Session()
    session.headers["X-Sdk"] = "mine"

    with RequestsTransport(session) as transport:
        success_of(timed(transport.send, server.url(), timeout=2.0)[0])
    success_of(timed(RequestsTransport(session).send, server.url(), timeout=2.0)[0])
    session.close()

    assert [request.header("X-Sdk") for request in server.requests] == ["mine", "mine"]
