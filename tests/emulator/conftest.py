"""Fixtures: an emulator on a fake clock (which moves only when a test advances it)."""

from __future__ import annotations

import pytest

from tests.emulator.support import KEY, WALL
from tests.fakes import FakeClock
from transports.emulator import Emulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Emulator:
    return Emulator(api_key=KEY, clock=clock, wall_clock=lambda: WALL, seed=0)
