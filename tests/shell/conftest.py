"""Fixtures: an in-process emulator on a fake clock, and Clients wired to it or to a
`FunctionTransport`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sqcore import Client
from tests.fakes import EPOCH, FakeClock, SlowTransport
from transports import Transport
from transports.emulator import Emulator

KEY = "sk-test-KEY-5f3a9c"
HOST = "https://superstaq.example"


def client_on(
    transport: Transport,
    clock: FakeClock | None = None,
    *,
    max_retry_seconds: float = 60.0,
) -> Client:
    """A Client on `transport` with the test key and host, a fake clock and a fixed draw
    (0.5) for the retry jitter."""
    return Client(
        api_key=KEY,
        remote_host=HOST,
        transport=transport,
        clock=FakeClock() if clock is None else clock,
        rng=lambda: 0.5,
        max_retry_seconds=max_retry_seconds,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    return Emulator(api_key=KEY, clock=clock, wall_clock=lambda: EPOCH + clock.now)


ClientFactory = Callable[..., Client]


@pytest.fixture
def make_client(emulator: Emulator, clock: FakeClock) -> ClientFactory:
    """Builds a Client on the emulator; `latency=` makes each request cost fake time."""

    def make(
        latency: float = 0.0,
        *,
        api_key: str = KEY,
        max_retry_seconds: float = 60.0,
        transport: Transport | None = None,
    ) -> Client:
        inner = emulator.transport() if transport is None else transport
        return Client(
            api_key=api_key,
            remote_host=HOST,
            transport=SlowTransport(inner, clock, latency) if latency else inner,
            clock=clock,
            rng=lambda: 0.5,
            max_retry_seconds=max_retry_seconds,
        )

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> Client:
    return make_client()
