"""Review: defects of `Urllib3Transport`'s deadline and fault bookkeeping, on real sockets.

1. `send` raises `TimeoutError` instead of returning `Failure(TransportError("timeout"))`
   when the budget is spent between `Call(...)` and `_exchange`'s `call.time_left()`
   (transports/_urllib3.py: `left = call.time_left()` sits outside the `try`). A tiny
   budget shows it every time; under load a small one can.
2. A request sent on a pooled (reused) connection never leaves phase "connect"
   (transports/_bounded.py: only `Bounded.connect` moves the phase to "send", and a reused
   connection is not connected again), so a send that times out is reported as "no
   connection to ... within", and any fault while sending is judged a connect fault.
3. A connection that was never made (the SYN is dropped until the deadline) is a "timeout",
   which `create_job` treats as "may have been sent": it is not retried and the error
   claims the job may exist, though SPEC retries a submission when "a connection that was
   never made".
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from sqcore import Client, SuperstaqException
from transports import Request, Urllib3Transport

SECRET = "sk-SECRET-review-9"


def test_a_budget_spent_before_the_exchange_is_a_failure_not_an_exception() -> None:
    with Urllib3Transport(trust_env=False) as transport:
        for budget in (1e-9, 1e-7, 1e-6):
            try:
                result = transport.send(
                    Request("GET", "http://127.0.0.1:9/x", {"Authorization": SECRET}, None, budget)
                )
            except TimeoutError as exc:  # a transport must never raise for a network fault
                pytest.fail(f"send raised {exc!r} for a budget of {budget} s")
            assert result.failure().kind == "connect"  # no connection made: nothing sent


def _keep_alive_then_stop_reading(listener: socket.socket, stop: threading.Event) -> None:
    """Answers the first request (keep-alive), then never reads the connection again."""
    conn, _ = listener.accept()
    with conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        stop.wait(5.0)


def test_a_send_that_times_out_on_a_reused_connection_is_not_called_a_connect_fault() -> None:
    stop = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port: int = listener.getsockname()[1]
        server = threading.Thread(target=_keep_alive_then_stop_reading, args=(listener, stop))
        server.start()
        try:
            with Urllib3Transport(trust_env=False) as transport:
                url = f"http://127.0.0.1:{port}/"
                first = transport.send(Request("GET", url, {}, None, 2.0))
                assert first.unwrap().body == b"ok"
                start = time.monotonic()
                second = transport.send(Request("PUT", url, {}, b"x" * 32 * 2**20, 0.3))
                elapsed = time.monotonic() - start
        finally:
            stop.set()
            server.join(5.0)
    error = second.failure()
    assert error.kind == "timeout" and elapsed < 0.3 + 0.5
    assert error.message == f"could not send the request to 127.0.0.1:{port} in 0.3 s", (
        f"the send on a reused connection was reported as: {error.message!r}"
    )


def test_a_submission_whose_connection_was_never_made_is_not_said_to_be_sent() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]  # fill the accept queue: SYNs dropped
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.1)
        try:
            with Urllib3Transport(trust_env=False) as transport:
                client = Client(
                    SECRET,
                    f"http://127.0.0.1:{port}",
                    transport=transport,
                    max_retry_seconds=0.0,
                    request_timeout_seconds=0.3,
                )
                with pytest.raises((SuperstaqException, TimeoutError)) as raised:
                    client.create_job("[]", target="ss_unconstrained_simulator")
        finally:
            for filler in fillers:
                filler.close()
    message = str(raised.value)
    assert "no connection to" in message  # what the transport said: never connected
    assert "may have been created" not in message, message
