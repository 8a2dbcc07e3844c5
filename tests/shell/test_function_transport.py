"""`transports.FunctionTransport`: a transport whose server is a plain function (as httpx's
MockTransport), as SDK authors use it in their own tests."""

from __future__ import annotations

from returns.pipeline import is_successful

from sqcore import Client
from tests.fixtures import JOB_65, fixture
from transports import FunctionTransport, Request, Response, Transport, TransportError


def test_it_records_each_request_and_returns_what_the_function_gives() -> None:
    replies: list[Response | TransportError] = [
        Response(200, {}, b"one"),
        TransportError("timeout", "too slow"),
    ]
    transport = FunctionTransport(lambda _request: replies.pop(0))
    first = Request("GET", "https://h.example/a", {}, None, 1.0)
    second = Request("PUT", "https://h.example/b", {}, b"{}", 2.0)
    ok, fault = transport.send(first), transport.send(second)
    assert ok.unwrap() == Response(200, {}, b"one")
    assert not is_successful(fault)
    assert fault.failure() == TransportError("timeout", "too slow")
    assert transport.requests == [first, second]


def test_it_is_a_transport_named_after_its_server() -> None:
    def server(_request: Request) -> Response:
        return Response(204, {}, b"")

    transport = FunctionTransport(server)
    assert isinstance(transport, Transport)
    assert repr(transport) == "FunctionTransport(server)"
    assert transport.handler is server
    assert repr(FunctionTransport(lambda _request: Response(204, {}, b""))) == (
        "FunctionTransport(<lambda>)"
    )


def test_a_client_talks_to_a_function_as_to_a_server() -> None:
    def server(request: Request) -> Response:
        assert request.url.endswith(f"/client/job/cirq?job_id={JOB_65}")
        return Response(200, {}, fixture("fetch_completed_single.json"))

    client = Client(
        api_key="sk-doc-KEY-1", remote_host="https://h.example", transport=FunctionTransport(server)
    )
    assert client.fetch_jobs([JOB_65])[JOB_65].target == "ss_unconstrained_simulator"
