"""Both SDKs' job classes, compiled from their installed source onto `sqcore.Job`, answer
as the unmodified classes do on upstream's client, for the same job JSON (real serialized
circuits): counts and results, statuses, circuits, qubit maps, counts set by hand, and the
failures."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from tests.embedding.cirq_side import CIRQ
from tests.embedding.qiskit_side import QISKIT
from tests.embedding.sdks import SCENARIOS, Call, MakePair, Pair, SdkJob, same, scenario
from transports.emulator import Emulator


@pytest.fixture(params=[CIRQ, QISKIT], ids=["cirq-superstaq", "qiskit-superstaq"])
def side(request: pytest.FixtureRequest) -> SdkJob:
    chosen = request.param
    assert isinstance(chosen, SdkJob)
    return chosen


@pytest.fixture
def pair(both: Callable[..., Pair], side: SdkJob) -> MakePair:
    """`pair(*circuit_names, **script)`: a job of the side's sample circuits."""

    def make(*names: str, **script: object) -> Pair:
        return both(side, *(side.circuits[name] for name in names), **script)

    return make


def test_a_completed_job_answers_as_upstreams(pair: MakePair, side: SdkJob) -> None:
    made = pair("bell", "unmeasured", durations=0, counts=[{"00": 60, "01": 40}, {"10": 7}])
    same(made, side.reads)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scripted_job_answers_as_upstreams(
    pair: MakePair, side: SdkJob, superstaq_emulator: Emulator, name: str
) -> None:
    made = scenario(functools.partial(pair, "bell", "bell"), superstaq_emulator, name)
    same(made, side.reads)


def test_circuits_of_unequal_widths_cannot_be_combined_as_upstreams(
    pair: MakePair, side: SdkJob
) -> None:
    made = pair("bell", "one_bit", durations=0, counts=[{"00": 1}, {"1": 1}])
    same(made, side.counts_reads)


def test_counts_set_by_hand_are_read_back_as_upstreams(pair: MakePair, side: SdkJob) -> None:
    made = pair("bell", "unmeasured", durations=0)
    by_circuit: Call = ("set_counts_for_circuit", (1, {"10": 3, "01": 4}), {})
    same(made, [by_circuit, *side.counts_reads])
    every: Call = ("set_counts", ([{"11": 1, "10": 2}, {"01": 2}],), {})
    same(made, [every, *side.counts_reads])
