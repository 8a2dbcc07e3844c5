"""cirq-superstaq's `css.JobV3`, compiled from its installed source onto `sqcore.Job`,
answers as the unmodified class does on upstream's client, for the same job JSON: counts,
statuses, circuits, qubit maps, counts set by hand, and the failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sqcore import Client, Job
from tests.embedding.rebase import on_sqcore
from tests.embedding.sdks import Call, calls, outcome, sdk
from tests.fakes import untyped
from transports.emulator import Emulator

cirq = sdk("cirq")
css = sdk("cirq_superstaq")

from general_superstaq.superstaq_client import _SuperstaqClientV3  # noqa: E402

JobV3OnSqcore = on_sqcore(css.JobV3, Job)

Q0, Q1 = cirq.LineQubit.range(2)
BELL = cirq.Circuit(cirq.H(Q0), cirq.CNOT(Q0, Q1), cirq.measure(Q0, Q1, key="m"))
UNMEASURED = cirq.Circuit(cirq.H(Q0), cirq.CNOT(Q0, Q1))
MID_MEASURED = cirq.Circuit(cirq.measure(Q0, key="a"), cirq.X(Q0), cirq.measure(Q1, key="b"))
ONE_BIT = cirq.Circuit(cirq.X(Q0), cirq.measure(Q0, key="m"))

#: Both jobs of one emulated job: (on sqcore, unmodified on upstream's client).
Pair = tuple[Job, object]
MakePair = Callable[..., Pair]


@pytest.fixture
def pair(
    superstaq_emulator: Emulator, sqcore_client: Client, upstream_client: _SuperstaqClientV3
) -> MakePair:
    def make(*circuits: object, **script: object) -> Pair:
        job_id = untyped(superstaq_emulator.create_job)(
            input_circuits=[css.serialize_circuits(circuit) for circuit in circuits],
            circuit_type="cirq",
            **script,
        )
        return JobV3OnSqcore(sqcore_client, job_id), css.JobV3(upstream_client, job_id)

    return make


def _same(pair: Pair, table: list[Call]) -> None:
    ours, theirs = pair
    for call in table:
        assert outcome(ours, call) == outcome(theirs, call), call


READS = [
    *calls(
        "counts",
        "combined_counts",
        "status",
        "repetitions",
        "compiled_circuits",
        "input_circuits",
        "num_qubits",
        "initial_logical_to_physical",
        "final_logical_to_physical",
        "jaqal_program",
        "to_dict",
        "job_id",
        "target",
        counts=[0, 1],
        status=[0, 1],
        compiled_circuits=[0, 1],
        input_circuits=[0, 1],
        num_qubits=[0, 1],
        initial_logical_to_physical=[0, 1],
        final_logical_to_physical=[0, 1],
        _terminal_measurement_qubit_indices=[0, 1],
        _check_if_unsuccessful=[0, 1],
    ),
    ("counts", (), {"qubit_indices": [0]}),
    ("counts", (1,), {"qubit_indices": [1]}),
    ("combined_counts", (), {"qubit_indices": [1]}),
    ("__str__", (), {}),
]


def test_a_completed_job_answers_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, UNMEASURED, durations=0, counts=[{"00": 60, "11": 40}, {"01": 7}])
    _same(made, READS)


def test_a_job_with_seeded_counts_and_a_mid_circuit_measurement_answers_as_upstreams(
    pair: MakePair,
) -> None:
    _same(pair(BELL, MID_MEASURED, durations=0, shots=50), READS)


def test_a_failed_circuit_fails_as_upstreams(pair: MakePair) -> None:
    _same(pair(BELL, BELL, durations=0, fail={1: "too many qubits"}), READS)


def test_a_cancelled_job_answers_as_upstreams(pair: MakePair, superstaq_emulator: Emulator) -> None:
    made = pair(BELL, BELL, durations=[0, 60], job_type="submit")
    superstaq_emulator.cancel(str(made[0].job_id()))
    _same(made, READS)


def test_a_compile_job_without_counts_answers_as_upstreams(pair: MakePair) -> None:
    _same(pair(BELL, BELL, durations=0, job_type="compile"), READS)


def test_a_failed_compilation_has_no_compiled_circuit_as_upstreams(pair: MakePair) -> None:
    _same(pair(BELL, UNMEASURED, durations=0, job_type="compile", fail={0: "no"}), READS)


def test_circuits_of_unequal_widths_cannot_be_combined_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, ONE_BIT, durations=0, counts=[{"00": 1}, {"1": 1}])
    _same(made, calls("combined_counts", "counts"))


def test_counts_set_by_hand_are_read_back_as_upstreams(pair: MakePair) -> None:
    made = pair(BELL, UNMEASURED, durations=0)
    for job in made:
        assert (
            outcome(
                job,
                (
                    "set_counts_for_circuit",
                    (
                        1,
                        {"10": 3, "01": 4},
                    ),
                    {},
                ),
            )[0]
            == "value"
        )
    _same(made, calls("counts", "combined_counts", "to_dict"))
    for job in made:
        assert outcome(job, ("set_counts", ([{"11": 1}, {"00": 2}],), {}))[0] == "value"
    _same(made, calls("counts", "combined_counts", "to_dict"))
