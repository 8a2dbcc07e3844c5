"""Properties of the pure status decisions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sqcore._models import (
    STATUS_PRIORITY_ORDER,
    TERMINAL_CIRCUIT_STATES,
    UNSUCCESSFUL_CIRCUIT_STATES,
    CircuitStatus,
)
from sqcore._status import (
    failure_summary,
    index_error,
    is_terminal,
    needs_refresh,
    overall_status,
    unsuccessful_circuits,
)
from tests.strategies import status_lists, statuses

S = CircuitStatus


def _reference_overall(values: list[CircuitStatus]) -> CircuitStatus:
    for candidate in STATUS_PRIORITY_ORDER:
        if candidate in values:
            return candidate
    raise AssertionError("unreachable")


@given(status_lists)
def test_overall_status_is_present_and_first_by_priority(values: list[CircuitStatus]) -> None:
    result = overall_status(values)
    assert result in values
    assert result == _reference_overall(values)
    rank = STATUS_PRIORITY_ORDER.index(result)
    assert all(STATUS_PRIORITY_ORDER.index(v) >= rank for v in values)


@given(status_lists.flatmap(lambda v: st.tuples(st.just(v), st.permutations(v))))
def test_overall_status_ignores_order(
    pair: tuple[list[CircuitStatus], list[CircuitStatus]],
) -> None:
    values, shuffled = pair
    assert overall_status(shuffled) == overall_status(values)


def test_overall_status_upstream_sequences() -> None:
    assert overall_status([S.RUNNING, S.AWAITING_SUBMISSION, S.COMPLETED]) is S.AWAITING_SUBMISSION
    assert overall_status([S.COMPLETED, S.FAILED]) is S.FAILED
    assert overall_status([S.COMPLETED, S.CANCELLED]) is S.CANCELLED
    assert overall_status([S.SIMULATING, S.RUNNING]) is S.SIMULATING
    assert overall_status([S.COMPLETED, S.DELETED]) is S.COMPLETED
    assert overall_status([S.DELETED]) is S.DELETED
    assert overall_status([]) is S.RECEIVED


def test_priority_order_is_a_permutation_with_open_states_first() -> None:
    assert sorted(STATUS_PRIORITY_ORDER) == sorted(CircuitStatus)
    first_terminal = min(STATUS_PRIORITY_ORDER.index(s) for s in TERMINAL_CIRCUIT_STATES)
    assert all(s not in TERMINAL_CIRCUIT_STATES for s in STATUS_PRIORITY_ORDER[:first_terminal])
    assert UNSUCCESSFUL_CIRCUIT_STATES < TERMINAL_CIRCUIT_STATES


@given(status_lists)
def test_is_terminal_matches_definition(values: list[CircuitStatus]) -> None:
    assert is_terminal(values) == all(v in TERMINAL_CIRCUIT_STATES for v in values)
    # A job is terminal exactly when its overall status is terminal.
    assert is_terminal(values) == (overall_status(values) in TERMINAL_CIRCUIT_STATES)


@given(status_lists)
def test_needs_refresh_false_only_for_known_terminal(values: list[CircuitStatus]) -> None:
    assert needs_refresh(None)
    assert needs_refresh(values) == (not is_terminal(values))


@given(st.integers(-5, 30), st.integers(0, 20))
def test_index_error_exactly_out_of_range(index: int, n: int) -> None:
    problem = index_error(index, n)
    assert (problem is None) == (0 <= index < n)
    if problem is not None:
        assert str(index) in problem
        if n:
            assert f"0 to {n - 1}" in problem


@given(status_lists, st.data())
def test_unsuccessful_circuits(values: list[CircuitStatus], data: st.DataObject) -> None:
    assert unsuccessful_circuits(values) == tuple(
        i for i, v in enumerate(values) if v in UNSUCCESSFUL_CIRCUIT_STATES
    )
    index = data.draw(st.integers(0, len(values) - 1))
    expected = (index,) if values[index] in UNSUCCESSFUL_CIRCUIT_STATES else ()
    assert unsuccessful_circuits(values, index) == expected


@given(st.lists(st.tuples(statuses, st.none() | st.text(max_size=10)), min_size=1, max_size=10))
def test_failure_summary_names_every_failed_circuit(
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


def test_failure_summary_upstream_shape_and_index() -> None:
    values = [S.COMPLETED, S.FAILED, S.FAILED]
    messages = [None, "too many qubits", None]
    assert failure_summary(values, messages) == (
        "Failure: [Circuit 1 - too many qubits, Circuit 2 - Unknown]"
    )
    assert failure_summary(values, messages, 2) == "Failure: [Circuit 2 - Unknown]"
    assert failure_summary(values, messages, 0) is None
