"""Properties of the pure wait decision and of id batching."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from sqcore._models import TERMINAL_CIRCUIT_STATES, CircuitStatus
from sqcore._wait import (
    Done,
    SleepFor,
    TimedOut,
    batch_ids,
    decide_wait,
    open_ids,
    unique,
)
from tests.strategies import instants, seconds, status_lists, statuses


@given(instants, instants, statuses, seconds)
def test_decide_wait_cases(
    now: float, deadline: float, status: CircuitStatus, polling: float
) -> None:
    decision = decide_wait(now, deadline, status, polling)
    if status in TERMINAL_CIRCUIT_STATES:
        assert decision == Done()
    elif deadline - now <= 0:
        assert decision == TimedOut(status)
    else:
        assert isinstance(decision, SleepFor)
        assert 0 <= decision.seconds <= polling
        assert now + decision.seconds <= deadline + 1e-9 * max(1.0, abs(deadline))
        assert decision.seconds == min(polling, deadline - now)


@given(
    start=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    timeout=st.floats(min_value=0, max_value=100, allow_nan=False),
    polling=st.floats(min_value=0.1, max_value=100, allow_nan=False),
    request_seconds=st.floats(min_value=0, max_value=50, allow_nan=False),
    terminal_after=st.none() | st.integers(0, 50),
)
def test_waiting_on_a_fake_clock_ends_and_never_oversleeps(
    start: float,
    timeout: float,
    polling: float,
    request_seconds: float,
    terminal_after: int | None,
) -> None:
    """Simulates the shell's loop: check (costs request time), decide, sleep."""
    deadline = start + timeout
    now = start
    checks = 0
    while True:
        now += request_seconds  # the status check itself takes time
        status = (
            CircuitStatus.COMPLETED
            if terminal_after is not None and checks >= terminal_after
            else CircuitStatus.RUNNING
        )
        checks += 1
        decision = decide_wait(now, deadline, status, polling)
        if isinstance(decision, SleepFor):
            assert now + decision.seconds <= deadline + 1e-6
            now += decision.seconds
        else:
            break
        assert checks <= 2000
    if isinstance(decision, TimedOut):
        assert now >= deadline
    else:
        assert decision == Done()


def test_zero_timeout_means_one_check() -> None:
    assert decide_wait(5.0, 5.0, CircuitStatus.RUNNING, 5) == TimedOut(CircuitStatus.RUNNING)
    assert decide_wait(5.0, 5.0, CircuitStatus.COMPLETED, 5) == Done()


def test_zero_polling_rechecks_at_once() -> None:
    assert decide_wait(0.0, 10.0, CircuitStatus.RUNNING, 0) == SleepFor(0)


@given(st.dictionaries(st.uuids().map(str), st.none() | status_lists, max_size=8))
def test_open_ids_never_returns_terminal(known: dict[str, list[CircuitStatus] | None]) -> None:
    result = open_ids(known)
    assert list(result) == [
        k for k, v in known.items() if v is None or any(s not in TERMINAL_CIRCUIT_STATES for s in v)
    ]


_ids = st.lists(st.uuids().map(str), max_size=300)


@given(_ids, st.integers(0, 200), st.integers(50, 5000))
def test_batch_ids_keeps_every_id_in_order_within_the_bound(
    ids: list[str], base: int, limit: int
) -> None:
    batches = batch_ids(ids, base, limit)
    assert [i for batch in batches for i in batch] == ids
    for batch in batches:
        assert batch
        length = base + sum(1 + len("job_id=") + len(i) for i in batch)
        assert length <= limit or len(batch) == 1


@given(_ids, st.integers(0, 200), st.integers(500, 5000))
def test_batch_ids_is_greedy(ids: list[str], base: int, limit: int) -> None:
    """No batch could have taken the next batch's first id: the count is minimal."""
    batches = batch_ids(ids, base, limit)
    for batch, following in itertools.pairwise(batches):
        length = base + sum(1 + len("job_id=") + len(i) for i in (*batch, following[0]))
        assert length > limit


@given(st.lists(st.integers(0, 5)))
def test_unique_keeps_first_occurrence_order(items: list[int]) -> None:
    result = unique(items)
    assert len(result) == len(set(items))
    assert result == sorted(set(items), key=items.index)
