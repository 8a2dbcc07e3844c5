"""Test doubles for the shell: a fake clock whose sleep advances time, transports that cost
fake time or stop a runaway loop, and servers written as plain functions for the shipped
`transports.FunctionTransport`. No real sleeps anywhere: `SkippingClock` reads real time but
skips its sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from returns.result import Result

from transports import FunctionTransport, Request, Response, Transport, TransportError

EPOCH = 1_800_000_000.0


class FakeClock:
    """A monotonic clock that moves only when someone sleeps or `advance`s it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.sleep_ends: list[float] = []  # the instant each sleep ended

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.sleeps.append(seconds)
        self.now += seconds
        self.sleep_ends.append(self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __call__(self) -> float:
        """The emulator's clock callable."""
        return self.now


class SkippingClock:
    """Real time, except that a sleep is skipped: it is recorded, and moves this clock's
    time forward by as much, at once. For a client over real sockets (whose deadlines are
    real) whose backoff and Retry-After waits a test checks without spending them."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def time(self) -> float:
        return time.time() + self.skipped

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.sleeps.append(seconds)
        self.skipped += seconds


class SlowTransport:
    """Wraps a transport: each request costs `latency` seconds of fake time."""

    def __init__(self, inner: Transport, clock: FakeClock, latency: float) -> None:
        self.inner = inner
        self.clock = clock
        self.latency = latency

    def send(self, request: Request) -> Result[Response, TransportError]:
        self.clock.advance(min(self.latency, request.timeout))
        return self.inner.send(request)


class Guard:
    """Wraps a transport: fails the test, instead of hanging it, once a loop makes more
    requests than it may."""

    def __init__(self, inner: Transport, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.count = 0

    def send(self, request: Request) -> Result[Response, TransportError]:
        self.count += 1
        assert self.count <= self.limit, f"more than {self.limit} requests: the loop never ends"
        return self.inner.send(request)


def json_reply(status: int, body: bytes, **headers: str) -> Response:
    return Response(status, {"Content-Type": "application/json", **headers}, body)


def always(outcome: Response | TransportError) -> FunctionTransport:
    """A transport that gives `outcome` to every request."""
    return FunctionTransport(lambda _request: outcome)


def sequence(*outcomes: Response | TransportError) -> FunctionTransport:
    """A transport that gives `outcomes` in turn, then the last one forever."""
    left = list(outcomes)

    def server(_request: Request) -> Response | TransportError:
        return left.pop(0) if len(left) > 1 else left[0]

    return FunctionTransport(server)


_T = TypeVar("_T")


def untyped(function: Callable[..., _T]) -> Callable[..., _T]:
    """The same function, callable with arguments of any type: for tests that check how a
    public function rejects ill-typed input at run time."""
    return function
