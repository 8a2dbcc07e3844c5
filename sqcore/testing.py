"""Shell: a pytest plugin for SDK authors: Superstaq jobs in the test process, no key, no
network, no real waiting.

Installed with sqcore and registered as the `pytest11` entry point `sqcore`, so its
fixtures are there in any pytest run (`-p no:sqcore` turns it off):

- `superstaq_clock`: a `SimulatedClock`, time that moves only when something sleeps on it
  or a test calls `advance(seconds)`.
- `superstaq_emulator`: a `transports.emulator.Emulator` on that clock, accepting any key.
  Script its jobs with `create_job(...)` (how many circuits; the SDK's own serialized
  `input_circuits`, `compiled_circuits` and `counts`; `durations`: seconds until each
  circuit is terminal, passing through the job type's statuses on the way; `fail`:
  circuit -> status message; `job_type`, `circuit_type`, `shots`, `tags`, `metadata`),
  cancel them (`cancel`), make the next requests fail (`fail_next(status=503, ...)`), and
  read what was asked (`requests`, `request_count`, `submitted(job_id)`).
- `sqcore_client`: a `sqcore.Client` on the emulator and the same clock. A wait sleeps on
  the simulated clock, so `job.wait_until_terminal_state()` on a job that takes an hour
  returns at once, having polled as it would have over the hour.

    def test_counts(sqcore_client, superstaq_emulator):
        job_id = superstaq_emulator.create_job(counts=[{"00": 60, "11": 40}], durations=30)
        job = MyJob(sqcore_client, job_id)   # an SDK's subclass of sqcore.Job
        assert job.counts(0) == {"00": 60, "11": 40}

Nothing is imported until a test asks for a fixture, so the plugin costs a pytest run that
does not use it nothing, and it adds no option, hook or marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqcore._client import Client
    from transports.emulator import Emulator

__all__ = ["SimulatedClock", "sqcore_client", "superstaq_clock", "superstaq_emulator"]

#: The wall-clock epoch seconds at simulated time 0 (2027-01-15, a fixed, plausible date).
EPOCH = 1_800_000_000.0


class SimulatedClock:
    """Time that moves only when something sleeps on it or a test advances it: a `Client`'s
    clock (`monotonic`, `time`, `sleep`) and, called, the emulator's.

    Args:
        start: The monotonic seconds it starts at.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __repr__(self) -> str:
        return f"SimulatedClock(now={self.now!r})"

    def monotonic(self) -> float:
        """The simulated monotonic seconds."""
        return self.now

    def time(self) -> float:
        """The simulated wall clock: `EPOCH` plus the monotonic seconds."""
        return EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        """Moves time on by `seconds`, at once.

        Raises:
            ValueError: `seconds` is negative.
        """
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Moves time on by `seconds` (jobs on the emulator move on with it).

        Raises:
            ValueError: `seconds` is negative.
        """
        if not seconds >= 0:
            raise ValueError(f"time only moves forward: cannot advance by {seconds!r} seconds")
        self.now += seconds

    def __call__(self) -> float:
        """The simulated monotonic seconds (the emulator's clock is a callable)."""
        return self.now


@pytest.fixture
def superstaq_clock() -> SimulatedClock:
    """The simulated time of `superstaq_emulator` and `sqcore_client`."""
    return SimulatedClock()


@pytest.fixture
def superstaq_emulator(superstaq_clock: SimulatedClock) -> Emulator:
    """An in-process emulator of the Superstaq job endpoints on the simulated clock."""
    from transports.emulator import Emulator

    return Emulator(clock=superstaq_clock, wall_clock=superstaq_clock.time)


@pytest.fixture
def sqcore_client(
    superstaq_emulator: Emulator, superstaq_clock: SimulatedClock
) -> Iterator[Client]:
    """A `sqcore.Client` on `superstaq_emulator` (in process) and the simulated clock."""
    from sqcore._client import Client

    with Client(
        api_key="sqcore-testing",
        remote_host="https://superstaq.test",
        transport=superstaq_emulator.transport(),
        clock=superstaq_clock,
        client_name="sqcore-testing",
    ) as client:
        yield client
