"""Property tests for the emulator's pure schedule (`_state`) and its fetch view (`_view`)."""

from __future__ import annotations

import datetime
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transports.emulator._state import (
    CANCEL_MESSAGE,
    JOB_TYPES,
    PIPELINES,
    CircuitSpec,
    Job,
    JobSpec,
    Pipeline,
    cancel_job,
    circuit_state,
    circuit_states,
    completion_time,
    default_durations,
    is_open,
    pipeline_for,
)
from transports.emulator._view import counts_for, format_timestamp, job_view

TERMINAL = frozenset({"completed", "failed", "cancelled"})
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

pipelines = st.sampled_from(PIPELINES)
durations = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)
times = st.floats(min_value=-10.0, max_value=2e4, allow_nan=False, allow_infinity=False)
created_times = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)
failures = st.none() | st.text(min_size=1, max_size=30)
circuits = st.builds(
    CircuitSpec,
    input_circuit=st.just('{"cirq_type": "Circuit", "moments": []}'),
    duration_seconds=durations,
    shots=st.integers(min_value=0, max_value=10_000),
    failure=failures,
)


@st.composite
def jobs(draw: st.DrawFn) -> Job:
    """A job created at a random monotonic time, maybe already cancelled."""
    created_at = draw(created_times)
    spec = JobSpec(
        job_id=str(draw(st.uuids(version=4))),
        job_type=draw(st.sampled_from(JOB_TYPES)),
        target="ss_unconstrained_simulator",
        circuit_type=draw(st.sampled_from(("cirq", "qiskit", "qasm"))),
        circuits=tuple(draw(st.lists(circuits, min_size=1, max_size=6))),
        num_qubits=draw(st.integers(min_value=1, max_value=12)),
        created_at=created_at,
        created_wall=1_800_000_000.0,
        seed=draw(st.integers(min_value=0, max_value=2**32)),
    )
    cancelled = draw(st.none() | st.floats(min_value=0.0, max_value=2e4, allow_nan=False))
    return Job(spec, None if cancelled is None else created_at + cancelled)


@given(pipelines, circuits, created_times, times, times)
def test_status_only_moves_forward(
    pipeline: Pipeline, circuit: CircuitSpec, created: float, first: float, second: float
) -> None:
    early, late = sorted((created + first, created + second))
    before = circuit_state(pipeline, circuit, created, early)
    after = circuit_state(pipeline, circuit, created, late)
    assert before.rank <= after.rank
    assert before.changed_at <= after.changed_at
    if before.terminal:
        assert after == before


@given(pipelines, circuits, created_times, times)
def test_status_is_the_stage_of_its_rank(
    pipeline: Pipeline, circuit: CircuitSpec, created: float, offset: float
) -> None:
    now = created + offset
    state = circuit_state(pipeline, circuit, created, now)
    if state.rank < len(pipeline.stages):
        assert state.status == pipeline.stages[state.rank].status
        assert not state.terminal
        assert state.message is None
    else:
        assert state.terminal
    assert created <= state.changed_at <= max(created, now)


@given(pipelines, circuits, created_times, st.floats(min_value=0.0, max_value=1e4))
def test_every_circuit_is_terminal_from_its_duration(
    pipeline: Pipeline, circuit: CircuitSpec, created: float, extra: float
) -> None:
    ends_at = created + circuit.duration_seconds
    state = circuit_state(pipeline, circuit, created, ends_at + extra)
    assert state.terminal
    assert state.changed_at == ends_at
    if circuit.failure is None:
        assert (state.status, state.message) == ("completed", None)
    else:
        assert (state.status, state.message) == ("failed", circuit.failure)


@given(pipelines, circuits, created_times, st.floats(min_value=0.0, max_value=1.0))
def test_every_circuit_is_open_before_its_duration(
    pipeline: Pipeline, circuit: CircuitSpec, created: float, fraction: float
) -> None:
    now = created + circuit.duration_seconds * fraction
    if now < created + circuit.duration_seconds:
        assert not circuit_state(pipeline, circuit, created, now).terminal


@given(pipelines, st.floats(min_value=1e-3, max_value=1e4), st.data())
def test_a_poller_can_see_every_stage(
    pipeline: Pipeline, duration: float, data: st.DataObject
) -> None:
    circuit = CircuitSpec("c", duration, 10)
    count = len(pipeline.stages)
    index = data.draw(st.integers(min_value=0, max_value=count - 1))
    middle = duration * (index + 0.5) / count
    assert circuit_state(pipeline, circuit, 0.0, middle).status == pipeline.stages[index].status


@given(pipelines, created_times)
def test_zero_duration_is_terminal_at_creation(pipeline: Pipeline, created: float) -> None:
    circuit = CircuitSpec("c", 0.0, 1)
    assert circuit_state(pipeline, circuit, created, created).status == "completed"


@given(pipelines, circuits, created_times, st.tuples(times, times, times))
def test_cancel_freezes_open_circuits_only(
    pipeline: Pipeline,
    circuit: CircuitSpec,
    created: float,
    offsets: tuple[float, float, float],
) -> None:
    cancel_offset, first, second = offsets
    cancel_at = created + max(0.0, cancel_offset)
    # Times before creation count as the creation instant.
    early, late = sorted((created + max(0.0, first), created + max(0.0, second)))
    plain = circuit_state(pipeline, circuit, created, early)
    state = circuit_state(pipeline, circuit, created, early, cancel_at)
    if early < cancel_at or cancel_at >= created + circuit.duration_seconds:
        # Before the cancel, or when the circuit was already terminal at it: no effect.
        assert state == plain
    else:
        assert (state.status, state.message) == ("cancelled", CANCEL_MESSAGE)
        assert state.changed_at == cancel_at
        # ... and it never changes again.
        assert circuit_state(pipeline, circuit, created, late, cancel_at) == state


@given(jobs(), st.floats(min_value=0.0, max_value=3e4, allow_nan=False))
def test_cancel_job_closes_every_open_circuit(job: Job, offset: float) -> None:
    now = job.spec.created_at + offset
    cancelled = cancel_job(job, now)
    if cancelled is None:
        assert not is_open(job, now)
        return
    assert is_open(job, now)
    for before, after in zip(circuit_states(job, now), circuit_states(cancelled, now), strict=True):
        if before.terminal:
            assert after == before
        else:
            assert after.status == "cancelled"
    assert not is_open(cancelled, now)
    assert not is_open(cancelled, now + 1e6)
    assert cancel_job(cancelled, now + 1.0) is None


@given(jobs(), st.data())
def test_completion_time_is_when_the_circuit_turns_terminal(job: Job, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(job.spec.circuits) - 1))
    done = completion_time(job, index)
    assert circuit_states(job, done)[index].terminal
    assert circuit_states(job, done + 1e3)[index].terminal
    # The instant before: still open, unless it was created terminal.
    before = math.nextafter(done, -math.inf)
    if before >= job.spec.created_at:
        assert not circuit_states(job, before)[index].terminal


@given(
    st.integers(min_value=0, max_value=2**64),
    st.uuids().map(str),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=200),
)
def test_counts_sum_to_shots_over_qubit_bitstrings(
    seed: int, job_id: str, index: int, shots: int, num_qubits: int
) -> None:
    counts = counts_for(seed, job_id, index, shots, num_qubits)
    assert sum(counts.values()) == shots
    assert all(value > 0 for value in counts.values())
    assert all(len(bits) == num_qubits and set(bits) <= {"0", "1"} for bits in counts)
    assert counts == counts_for(seed, job_id, index, shots, num_qubits)


def test_counts_depend_on_seed_job_and_index() -> None:
    job_id = "00000000-0000-0000-0000-000000000065"
    base = counts_for(0, job_id, 0, 10_000, 4)
    assert counts_for(1, job_id, 0, 10_000, 4) != base
    assert counts_for(0, job_id, 1, 10_000, 4) != base
    assert counts_for(0, "00000000-0000-0000-0000-000000000066", 0, 10_000, 4) != base


@given(st.floats(min_value=0.0, max_value=4e9, allow_nan=False))
def test_timestamps_are_iso_utc_with_microseconds(epoch: float) -> None:
    text = format_timestamp(epoch)
    assert TIMESTAMP.fullmatch(text)
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert abs(parsed.timestamp() - epoch) <= 1e-6 + abs(epoch) * 1e-15


@given(jobs(), st.floats(min_value=-5.0, max_value=3e4, allow_nan=False))
def test_job_view_is_consistent_with_the_schedule(job: Job, offset: float) -> None:
    now = job.spec.created_at + offset
    view = job_view(job, now)
    states = circuit_states(job, now)
    count = len(job.spec.circuits)
    assert view.num_circuits == count
    for column in (
        view.statuses,
        view.status_messages,
        view.provider_id,
        view.compiled_circuits,
        view.input_circuits,
        view.counts,
        view.results_dicts,
        view.shots,
        view.last_updated_timestamp,
        view.initial_logical_to_physicals,
        view.final_logical_to_physicals,
        view.logical_qubits,
        view.physical_qubits,
    ):
        assert len(column) == count
    assert view.statuses == tuple(state.status for state in states)
    for state, counts, compiled, stamp in zip(
        states, view.counts, view.compiled_circuits, view.last_updated_timestamp, strict=True
    ):
        assert (counts is not None) == (state.status == "completed")
        assert (compiled is not None) == state.compiled
        assert stamp is not None
        assert stamp >= view.submission_timestamp
    if job.spec.circuit_type != "cirq":
        assert set(view.logical_qubits) == {None}


def test_pipelines_follow_upstream_stage_order() -> None:
    assert [stage.status for stage in pipeline_for("simulate").stages] == [
        "received",
        "awaiting_simulation",
        "simulating",
    ]
    assert [stage.status for stage in pipeline_for("submit").stages] == [
        "received",
        "awaiting_compile",
        "compiling",
        "awaiting_submission",
        "pending",
        "running",
    ]
    for pipeline in PIPELINES:
        assert TERMINAL.isdisjoint(stage.status for stage in pipeline.stages)
        assert pipeline.completed.status == "completed"
    with pytest.raises(ValueError, match="unknown job type"):
        pipeline_for("bogus")


def test_default_durations_are_staggered() -> None:
    assert default_durations(4) == (1.0, 1.25, 1.5, 1.75)


@pytest.mark.parametrize("job_type", ["compile", "convert"])
def test_compile_and_convert_pipelines_stop_once_compiled(job_type: str) -> None:
    pipeline = pipeline_for(job_type)
    after_compiling = {"awaiting_submission", "pending", "running", "awaiting_simulation"}
    assert after_compiling.isdisjoint(stage.status for stage in pipeline.stages)
    assert "simulating" not in {stage.status for stage in pipeline.stages}
    assert not any(stage.submitted for stage in (*pipeline.stages, pipeline.completed))
    assert (pipeline.completed.status, pipeline.completed.compiled) == ("completed", True)
