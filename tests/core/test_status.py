"""`sqcore.core.status`: the overall status, terminal checks, circuit indices and failure summaries,
as properties over arbitrary status lists and as exact cases at the edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqcore.core.models import (
    STATUS_PRIORITY_ORDER,
    TERMINAL_CIRCUIT_STATES,
    UNSUCCESSFUL_CIRCUIT_STATES,
    CircuitStatus,
)
from sqcore.core.status import (
    failure_summary,
    index_error,
    is_terminal,
    overall_status,
    status_of,
    terminal_count,
)
from tests.strategies import status_lists, statuses

S = CircuitStatus


def _reference_overall(values: list[CircuitStatus]) -> CircuitStatus:
    """Upstream's rule, by brute force: the first status in priority order that is present."""
    for candidate in STATUS_PRIORITY_ORDER:
        if candidate in values:
            return candidate
    raise AssertionError("unreachable")


# -- overall status --------------------------------------------------------------------------


@given(status_lists)
def test_the_overall_status_is_present_and_first_by_priority(values: list[CircuitStatus]) -> None:
    result = overall_status(values)
    assert result in values
    assert result == _reference_overall(values)
    rank = STATUS_PRIORITY_ORDER.index(result)
    assert all(STATUS_PRIORITY_ORDER.index(v) >= rank for v in values)


@given(status_lists.flatmap(lambda v: st.tuples(st.just(v), st.permutations(v))))
def test_the_overall_status_ignores_the_order_of_circuits(
    pair: tuple[list[CircuitStatus], list[CircuitStatus]],
) -> None:
    values, shuffled = pair
    assert overall_status(shuffled) == overall_status(values)


def test_the_overall_status_of_upstream_sequences() -> None:
    assert overall_status([S.RUNNING, S.AWAITING_SUBMISSION, S.COMPLETED]) is S.AWAITING_SUBMISSION
    assert overall_status([S.COMPLETED, S.FAILED]) is S.FAILED
    assert overall_status([S.COMPLETED, S.CANCELLED]) is S.CANCELLED
    assert overall_status([S.SIMULATING, S.RUNNING]) is S.SIMULATING
    assert overall_status([S.COMPLETED, S.DELETED]) is S.COMPLETED
    assert overall_status([S.DELETED]) is S.DELETED


@given(status_lists.flatmap(lambda v: st.tuples(st.just(v), st.integers(0, len(v) - 1))))
def test_the_status_asked_for_is_the_jobs_or_the_circuits(
    case: tuple[list[CircuitStatus], int],
) -> None:
    values, index = case
    assert status_of(values, None) is _reference_overall(values)
    assert status_of(values, index) is values[index]


def test_the_overall_status_of_no_circuits_is_received() -> None:
    assert overall_status([]) is S.RECEIVED
    assert overall_status(()) is S.RECEIVED


def test_the_priority_order_is_a_permutation_with_open_states_first() -> None:
    assert sorted(STATUS_PRIORITY_ORDER) == sorted(CircuitStatus)
    first_terminal = min(STATUS_PRIORITY_ORDER.index(s) for s in TERMINAL_CIRCUIT_STATES)
    assert all(s not in TERMINAL_CIRCUIT_STATES for s in STATUS_PRIORITY_ORDER[:first_terminal])
    assert UNSUCCESSFUL_CIRCUIT_STATES < TERMINAL_CIRCUIT_STATES


# -- terminal checks -------------------------------------------------------------------------


@given(status_lists)
def test_a_job_is_terminal_when_every_circuit_is(values: list[CircuitStatus]) -> None:
    assert is_terminal(values) == all(v in TERMINAL_CIRCUIT_STATES for v in values)
    # A job is terminal exactly when its overall status is terminal.
    assert is_terminal(values) == (overall_status(values) in TERMINAL_CIRCUIT_STATES)


@pytest.mark.parametrize("status", sorted(CircuitStatus))
def test_one_circuit_is_terminal_exactly_in_a_terminal_state(status: CircuitStatus) -> None:
    assert is_terminal([status]) is (status in TERMINAL_CIRCUIT_STATES)
    assert terminal_count([status]) == (1 if status in TERMINAL_CIRCUIT_STATES else 0)


@given(status_lists)
def test_terminal_count_counts_the_terminal_circuits(values: list[CircuitStatus]) -> None:
    count = terminal_count(values)
    assert count == sum(v in TERMINAL_CIRCUIT_STATES for v in values)
    assert (count == len(values)) == is_terminal(values)


def test_no_circuits_are_terminal_and_count_zero() -> None:
    assert is_terminal([]) is True  # nothing is left open
    assert terminal_count([]) == 0


# -- circuit indices -------------------------------------------------------------------------


@given(st.integers(-5, 30), st.integers(0, 20))
def test_an_index_is_refused_exactly_when_out_of_range(index: int, n: int) -> None:
    problem = index_error(index, n)
    assert (problem is None) == (0 <= index < n)
    if problem is not None:
        assert str(index) in problem
        if n:
            assert f"0 to {n - 1}" in problem


@pytest.mark.parametrize(("index", "n"), [(0, 1), (0, 2), (1, 2), (4, 5)])
def test_every_index_in_range_is_valid(index: int, n: int) -> None:
    assert index_error(index, n) is None


def test_index_errors_name_the_valid_range() -> None:
    assert index_error(0, 0) == "circuit index 0 is out of range: the job has no circuits"
    assert index_error(1, 1) == (
        "circuit index 1 is out of range: the job has 1 circuit (valid indices 0 to 0)"
    )
    assert index_error(-1, 2) == (
        "circuit index -1 is out of range: the job has 2 circuits (valid indices 0 to 1)"
    )
    assert index_error(3, 3) == (
        "circuit index 3 is out of range: the job has 3 circuits (valid indices 0 to 2)"
    )


# -- failure summaries -----------------------------------------------------------------------


@given(st.lists(st.tuples(statuses, st.none() | st.text(max_size=10)), min_size=1, max_size=10))
def test_a_failure_summary_names_every_failed_circuit_in_order(
    pairs: list[tuple[CircuitStatus, str | None]],
) -> None:
    values = [p[0] for p in pairs]
    messages = [p[1] for p in pairs]
    summary = failure_summary(values, messages)
    failed = [i for i, v in enumerate(values) if v is S.FAILED]
    if not failed:
        assert summary is None
        return
    assert summary is not None
    assert summary.startswith("Failure: [") and summary.endswith("]")
    position = 0
    for i in failed:
        part = f"Circuit {i} - {messages[i] if messages[i] is not None else 'Unknown'}"
        found = summary.find(part, position)
        assert found >= position
        position = found + len(part)


def test_a_failure_summary_has_upstreams_shape_and_can_take_one_index() -> None:
    values = [S.COMPLETED, S.FAILED, S.FAILED]
    messages = [None, "too many qubits", None]
    assert failure_summary(values, messages) == (
        "Failure: [Circuit 1 - too many qubits, Circuit 2 - Unknown]"
    )
    assert failure_summary(values, messages, 2) == "Failure: [Circuit 2 - Unknown]"
    assert failure_summary(values, messages, 0) is None


def test_a_failed_circuit_without_a_message_entry_is_unknown() -> None:
    """Fewer messages than circuits (a server bug) still gives a summary, never an IndexError."""
    assert failure_summary([S.FAILED, S.FAILED], []) == (
        "Failure: [Circuit 0 - Unknown, Circuit 1 - Unknown]"
    )
    assert failure_summary([S.COMPLETED, S.FAILED], ["fine"]) == "Failure: [Circuit 1 - Unknown]"
    assert failure_summary([S.FAILED, S.FAILED], ["boom"], 1) == "Failure: [Circuit 1 - Unknown]"


def test_an_empty_message_is_kept_not_replaced() -> None:
    assert failure_summary([S.FAILED], [""]) == "Failure: [Circuit 0 - ]"


def test_only_failed_counts_as_a_failure_not_cancelled_or_deleted() -> None:
    assert failure_summary([S.CANCELLED, S.DELETED, S.COMPLETED], [None, None, None]) is None
