"""The emulator's scripted jobs and faults: what a test (or `sqcore.testing`) tells it to
serve, served as it was told: the SDK's own circuits, compiled circuits and counts, the
circuit type jaqal, and error replies for the next requests."""

from __future__ import annotations

import pytest

from tests.emulator.support import FETCH, UNKNOWN_ID, as_dict, call, detail, fetch, job_of
from tests.fakes import FakeClock, untyped
from transports.emulator import API_VERSION, Emulator


def test_a_job_serves_the_circuits_and_counts_it_was_given(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(
        input_circuits=["in-0", "in-1"],
        compiled_circuits=["out-0", None],
        counts=[{"01": 3, "10": 0.5}, None],
        durations=[0.0, 1.0],
        num_qubits=3,
        shots=10,
    )
    job = job_of(emu, job_id)
    assert job["num_circuits"] == 2
    assert job["input_circuits"] == ["in-0", "in-1"]
    assert job["compiled_circuits"] == ["out-0", None]  # circuit 1 is not compiled yet
    assert job["counts"] == [{"01": 3, "10": 0.5}, None]
    clock.advance(1.0)
    job = job_of(emu, job_id)
    assert job["compiled_circuits"] == ["out-0", "in-1"]  # None: the input circuit
    counts = job["counts"]
    assert isinstance(counts, list) and isinstance(counts[1], dict)
    assert sum(counts[1].values()) == 10 and all(len(bits) == 3 for bits in counts[1])


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"input_circuits": ["a"], "num_circuits": 2}, ValueError, "one entry per circuit"),
        ({"input_circuits": "ab"}, ValueError, "one entry per circuit"),
        ({"input_circuits": [None]}, TypeError, r"input_circuits\[0\] must be a str"),
        ({"compiled_circuits": [1]}, TypeError, r"compiled_circuits\[0\] must be a str"),
        ({"counts": [{"0": "1"}]}, TypeError, r"counts\[0\]\['0'\] must be a number"),
        ({"counts": [{0: 1}]}, TypeError, r"counts\[0\]: the key 0 is not a str"),
        ({"counts": [[("0", 1)]]}, TypeError, r"counts\[0\] must be a mapping"),
        ({"circuit_type": "braket"}, ValueError, "circuit_type must be one of"),
    ],
)
def test_a_bad_script_is_refused_saying_what(
    emu: Emulator, arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        untyped(emu.create_job)(**arguments)


def test_a_jaqal_job_is_served_on_the_jaqal_endpoint(emu: Emulator) -> None:
    job_id = emu.create_job(circuit_type="jaqal", durations=0)
    status, _, reply = call(emu, "GET", f"/{API_VERSION}/client/job/jaqal?job_id={job_id}")
    assert status == 200
    assert as_dict(as_dict(reply)[job_id])["circuit_type"] == "jaqal"


def test_the_next_requests_fail_as_told_then_all_is_served(emu: Emulator) -> None:
    job_id = emu.create_job(durations=0)
    emu.fail_next(2, status=429, message="slow down", retry_after=1.5)
    emu.fail_next(status=500)
    seen = [call(emu, "GET", f"{FETCH}?job_id={UNKNOWN_ID}") for _ in range(3)]
    assert [(status, headers.get("Retry-After")) for status, headers, _ in seen] == [
        (429, "1.5"),
        (429, "1.5"),
        (500, None),
    ]
    assert detail(seen[0][2]) == "slow down"
    assert detail(seen[2][2]) == "Service unavailable (emulated fault)."
    assert list(fetch(emu, job_id)) == [job_id]
    assert [request.job_ids for request in emu.requests[:3]] == [(), (), ()]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"count": 0}, "count must be >= 1"),
        ({"status": 200}, "must be an error status"),
        ({"retry_after": -1.0}, "retry_after must be >= 0"),
    ],
)
def test_a_bad_fault_is_refused(emu: Emulator, arguments: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        untyped(emu.fail_next)(**arguments)
