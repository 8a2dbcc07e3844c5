"""Fixtures: each test of the table runs once per shell (blocking and asyncio), on the
in-process emulator and a fake clock of that shell's kind; and, for the tests on real
sockets, an emulator on the real clock behind its loopback server (`live`, `server`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.aio.shells import KEY, SHELLS, Shell
from tests.fakes import EPOCH, FakeClock
from transports import Transport
from transports.emulator import Emulator, EmulatorServer

MakeShell = Callable[..., Shell]


@pytest.fixture(params=sorted(SHELLS))
def kind(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def clock(kind: str) -> FakeClock:
    return SHELLS[kind][1]()


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    return Emulator(api_key=KEY, clock=clock, wall_clock=lambda: EPOCH + clock.now)


@pytest.fixture
def make_shell(kind: str, clock: FakeClock, emulator: Emulator) -> MakeShell:
    """A shell of this test's kind; on the emulator unless given another transport."""

    def make(transport: Transport | None = None, **settings: float) -> Shell:
        own = emulator.async_transport() if kind == "async" else emulator.transport()
        return SHELLS[kind][0](own if transport is None else transport, clock, **settings)

    return make


@pytest.fixture
def shell(make_shell: MakeShell) -> Shell:
    return make_shell()


#: The key the loopback emulator wants.
LIVE_KEY = "sk-test-AIO-live-41d"


@pytest.fixture
def live() -> Emulator:
    """An emulator on the real clock, for real HTTP."""
    return Emulator(api_key=LIVE_KEY)


@pytest.fixture
def server(live: Emulator) -> Iterator[EmulatorServer]:
    """`live` served on a loopback port."""
    with EmulatorServer(live) as served:
        yield served
