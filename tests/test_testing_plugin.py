"""`sqcore.testing`, the pytest plugin for SDK authors: its fixtures in a pytest run of
another project (pytester), what they give, and that a run that does not use them pays
nothing for them."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from sqcore import CircuitStatus, Client, Job, SuperstaqServerException
from sqcore.testing import EPOCH, SimulatedClock
from transports.emulator import Emulator


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    (plugin,) = [entry for entry in entry_points(group="pytest11") if entry.name == "sqcore"]
    assert plugin.value == "sqcore.testing"


def test_a_job_that_takes_an_hour_is_waited_for_in_simulated_time(
    sqcore_client: Client, superstaq_emulator: Emulator, superstaq_clock: SimulatedClock
) -> None:
    job = Job(sqcore_client, superstaq_emulator.create_job(durations=3600, counts=[{"1": 7}]))
    job.wait_until_terminal_state(timeout_seconds=7200, polling_seconds=60)
    assert job.status() is CircuitStatus.COMPLETED
    assert job.job_data.counts == [{"1": 7}]
    assert superstaq_clock.monotonic() == 3600
    assert superstaq_clock.time() == EPOCH + 3600
    assert superstaq_emulator.request_count == 61


def test_faults_reach_the_client_as_from_the_api(
    sqcore_client: Client, superstaq_emulator: Emulator, superstaq_clock: SimulatedClock
) -> None:
    job_id = superstaq_emulator.create_job(durations=0)
    superstaq_emulator.fail_next(2, status=503, retry_after=5)
    assert sqcore_client.fetch_jobs([job_id])[job_id].statuses == [CircuitStatus.COMPLETED]
    assert superstaq_clock.monotonic() >= 10  # two Retry-After waits, simulated
    superstaq_emulator.fail_next(status=500, message="boom")
    with pytest.raises(SuperstaqServerException, match="boom"):
        sqcore_client.fetch_jobs([job_id])


def test_the_simulated_clock_never_goes_back() -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        SimulatedClock().sleep(-1)


def test_another_projects_tests_get_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from sqcore import Job

        def test_waits(sqcore_client, superstaq_emulator):
            job_id = superstaq_emulator.create_job(num_circuits=2, durations=[5, 600])
            job = Job(sqcore_client, job_id)
            job.wait_until_terminal_state(timeout_seconds=1000, polling_seconds=1)
            assert job.status() == "completed"

        def test_fresh_for_each_test(superstaq_emulator, superstaq_clock):
            assert superstaq_emulator.request_count == 0 and superstaq_clock.now == 0
        """
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=2, warnings=0)


def test_a_run_that_does_not_use_the_fixtures_imports_nothing_for_them() -> None:
    code = (
        "import sys, sqcore.testing; "
        "print(sorted(m for m in sys.modules if m.startswith(('transports', 'sqcore.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "['sqcore.testing']"
