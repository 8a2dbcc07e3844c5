"""qiskit-superstaq's `qss.SuperstaqJobV3` (a qiskit `JobV1` too, with a `status()` of
qiskit's own type and LITTLE-endian counts), compiled from its installed source onto
`sqcore.Job`, answers as the unmodified class does on upstream's client, for the same job
JSON: results, statuses, circuits, qubit maps, counts set by hand, and the failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sqcore import Client, Job, as_completed
from sqcore.testing import SimulatedClock
from tests.embedding.rebase import on_sqcore
from tests.embedding.sdks import Call, calls, outcome, sdk
from tests.fakes import untyped
from transports.emulator import Emulator

qiskit = sdk("qiskit")
qss = sdk("qiskit_superstaq")

from general_superstaq.superstaq_client import _SuperstaqClientV3  # noqa: E402

JobV3OnSqcore = on_sqcore(qss.SuperstaqJobV3, Job)


def _circuit(qubits: int, clbits: int, measured: list[tuple[int, int]]) -> object:
    circuit = qiskit.QuantumCircuit(qubits, clbits)
    circuit.h(0)
    for target in range(1, qubits):
        circuit.cx(0, target)
    for qubit, clbit in measured:
        circuit.measure(qubit, clbit)
    return circuit


BELL = _circuit(2, 2, [(0, 0), (1, 1)])
CROSSED = _circuit(3, 3, [(0, 2), (2, 0)])  # clbit 1 unmeasured: counts are re-arranged
UNMEASURED = _circuit(2, 2, [])
ONE_BIT = _circuit(1, 1, [(0, 0)])

Pair = tuple[Job, object]
MakePair = Callable[..., Pair]


@pytest.fixture
def pair(
    superstaq_emulator: Emulator, sqcore_client: Client, upstream_client: _SuperstaqClientV3
) -> MakePair:
    def make(*circuits: object, **script: object) -> Pair:
        job_id = untyped(superstaq_emulator.create_job)(
            input_circuits=[qss.serialize_circuits(circuit) for circuit in circuits],
            circuit_type="qiskit",
            **script,
        )
        return JobV3OnSqcore(sqcore_client, job_id), qss.SuperstaqJobV3(upstream_client, job_id)

    return make


def _same(pair: Pair, table: list[Call]) -> None:
    ours, theirs = pair
    for call in table:
        assert outcome(ours, call) == outcome(theirs, call), call


READS = [
    *calls(
        "result",
        "combined_result",
        "status",
        "shots",
        "compiled_circuits",
        "input_circuits",
        "initial_logical_to_physical",
        "final_logical_to_physical",
        "jaqal_program",
        "to_dict",
        "job_id",
        "target",
        result=[0, 1],
        status=[0, 1],
        compiled_circuits=[0, 1],
        input_circuits=[0, 1],
        initial_logical_to_physical=[0, 1],
        final_logical_to_physical=[0, 1],
        _terminal_measurement_qubit_indices=[0, 1],
        _check_if_unsuccessful=[0, 1],
        _get_clbit_indices=[0, 1],
    ),
    ("result", (), {"qubit_indices": [0]}),
    ("combined_result", (), {"qubit_indices": [1]}),
    ("__str__", (), {}),
]


def test_a_completed_job_answers_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, UNMEASURED, durations=0, counts=[{"00": 60, "01": 40}, {"10": 7}])
    _same(made, READS)


def test_bits_measured_out_of_order_are_arranged_as_upstreams(pair: MakePair) -> None:
    made = pair(CROSSED, BELL, durations=0, num_qubits=2, counts=[{"01": 5, "10": 6}, None])
    _same(made, READS)


def test_a_failed_circuit_fails_as_upstreams(pair: MakePair) -> None:
    _same(pair(BELL, BELL, durations=0, fail={0: "calibration drift"}), READS)


def test_a_cancelled_job_answers_as_upstreams(pair: MakePair, superstaq_emulator: Emulator) -> None:
    made = pair(BELL, BELL, durations=[0, 60], job_type="submit")
    superstaq_emulator.cancel(str(made[0].job_id()))
    _same(made, READS)


def test_a_compile_job_without_counts_answers_as_upstreams(pair: MakePair) -> None:
    _same(pair(BELL, BELL, durations=0, job_type="compile"), READS)


def test_a_failed_compilation_has_no_compiled_circuits_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, BELL, durations=0, job_type="compile", fail={0: "no", 1: "no"})
    _same(made, READS)


def test_circuits_of_unequal_widths_cannot_be_combined_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, ONE_BIT, durations=0, counts=[{"00": 1}, {"1": 1}])
    _same(made, calls("combined_result", "result"))


def test_counts_set_by_hand_are_reversed_and_read_back_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, UNMEASURED, durations=0)
    for job in made:
        assert (
            outcome(
                job,
                (
                    "set_counts_for_circuit",
                    (
                        0,
                        {"10": 3, "01": 4},
                    ),
                    {},
                ),
            )[0]
            == "value"
        )
    _same(made, calls("result", "to_dict"))
    for job in made:
        assert outcome(job, ("set_counts", ([{"11": 1, "10": 2}, {"01": 2}],), {}))[0] == "value"
    _same(made, calls("result", "combined_result", "to_dict"))


def test_a_running_job_is_waited_for_in_simulated_time_then_reads_as_upstreams(
    pair: MakePair, superstaq_clock: SimulatedClock
) -> None:
    ours, theirs = pair(BELL, BELL, durations=[30.0, 45.0], job_type="submit")
    status: Call = ("status", (), {})
    assert outcome(ours, status) == outcome(theirs, status)
    assert ours.status() == qiskit.providers.JobStatus.INITIALIZING  # received
    result = outcome(ours, ("result", (), {"timeout": 60, "wait": 5}))
    assert superstaq_clock.now == 45  # waited in simulated time: the job is done for both
    assert result == outcome(theirs, ("result", (), {}))
    assert outcome(ours, status) == outcome(theirs, status)


def test_sqcores_waits_take_the_qiskit_job_whose_status_is_qiskits(pair: MakePair) -> None:
    jobs = [pair(BELL, durations=seconds)[0] for seconds in (20.0, 10.0)]
    assert all(isinstance(job, JobV3OnSqcore) for job in jobs)
    done = list(as_completed(jobs, polling_seconds=1))
    assert done == [jobs[1], jobs[0]]
    assert [job.status() for job in done] == [qiskit.providers.JobStatus.DONE] * 2
