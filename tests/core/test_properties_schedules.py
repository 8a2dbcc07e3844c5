"""Whole schedules, not single decisions: the wait loop and the retry loop run on arbitrary
clocks (every check or attempt costs its own time), as the shell runs them.

Wait: the loop always ends, never sleeps past the deadline, and sees a job that turns terminal
before the deadline within one polling interval plus one check. Retry: no sleep passes the
budget, none exceeds the cap unless the server's Retry-After asks for more, and the loop ends.
"""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sqcore._errors import ApiFailure, NetworkFault, Retryable
from sqcore._models import TERMINAL_CIRCUIT_STATES, CircuitStatus
from sqcore._retry import BASE_DELAY_SECONDS, MAX_DELAY_SECONDS, GiveUp, RetryIn, decide_retry
from sqcore._wait import Done, SleepFor, TimedOut, decide_wait

OPEN = sorted(set(CircuitStatus) - TERMINAL_CIRCUIT_STATES)
TERMINAL = sorted(TERMINAL_CIRCUIT_STATES)

costs = st.lists(st.floats(0, 30), min_size=1, max_size=12)
draws = st.floats(0, 1, exclude_max=True)
# `now + (deadline - now)` may round one unit in the last place past `deadline`.
ULP = 1e-12


@settings(max_examples=300)
@given(
    start=st.floats(-1e6, 1e6),
    timeout=st.floats(0, 200),
    polling=st.just(0.0) | st.floats(0.01, 60),
    check_costs=costs,
    terminal_after=st.none() | st.floats(0, 300),
    open_status=st.sampled_from(OPEN),
    final_status=st.sampled_from(TERMINAL),
)
def test_a_wait_ends_never_oversleeps_and_sees_the_end_in_time(
    start: float,
    timeout: float,
    polling: float,
    check_costs: list[float],
    terminal_after: float | None,
    open_status: CircuitStatus,
    final_status: CircuitStatus,
) -> None:
    assume(polling > 0 or min(check_costs) > 0.01)
    deadline = start + timeout
    ends_at = math.inf if terminal_after is None else start + terminal_after
    step = polling if polling > 0 else min(check_costs)
    bound = math.ceil(timeout / step) + 3

    now, checks, first_check = start, 0, None
    while True:
        now += check_costs[checks % len(check_costs)]
        first_check = now if first_check is None else first_check
        checks += 1
        assert checks <= bound, "the wait does not end"
        status = final_status if now >= ends_at else open_status
        decision = decide_wait(now, deadline, status, polling)
        if not isinstance(decision, SleepFor):
            break
        assert 0 <= decision.seconds <= polling
        assert now + decision.seconds <= deadline + ULP * max(1.0, abs(deadline))
        now += decision.seconds

    if isinstance(decision, TimedOut):
        assert decision == TimedOut(open_status)
        assert now >= deadline
        assert now < ends_at
    else:
        assert decision == Done()
        assert now >= ends_at
    if ends_at <= deadline:
        # Seen by the first check after it, at most one sleep and one check later.
        assert decision == Done()
        assert now <= max(first_check, ends_at + polling + max(check_costs)) + 1e-6 * abs(now)


retryable_failures: st.SearchStrategy[ApiFailure] = st.one_of(
    st.builds(Retryable, st.just("503"), st.none() | st.floats(0, 40)),
    st.builds(NetworkFault, st.just("reset"), st.just(True)),
)


@settings(max_examples=300)
@given(
    budget=st.floats(0, 120),
    failures=st.lists(retryable_failures, min_size=1, max_size=8),
    attempt_costs=costs,
    draw_list=st.lists(draws, min_size=1, max_size=8),
)
def test_a_retry_schedule_stays_within_its_cap_and_budget_and_ends(
    budget: float,
    failures: list[ApiFailure],
    attempt_costs: list[float],
    draw_list: list[float],
) -> None:
    now, attempt, slept_until = 0.0, 0, 0.0
    bound = math.ceil(budget / (BASE_DELAY_SECONDS / 2)) + 2
    while True:
        now += attempt_costs[attempt % len(attempt_costs)]
        failure = failures[attempt % len(failures)]
        decision = decide_retry(attempt, failure, budget - now, draw_list[attempt % len(draw_list)])
        if isinstance(decision, GiveUp):
            assert decision == GiveUp(failure, out_of_time=True)
            break
        assert isinstance(decision, RetryIn)
        asked = failure.retry_after if isinstance(failure, Retryable) else None
        assert 0 < decision.seconds <= budget - now
        assert decision.seconds <= max(MAX_DELAY_SECONDS, asked or 0.0)
        if asked is not None:
            assert decision.seconds >= asked
        now += decision.seconds
        slept_until = now
        attempt += 1
        assert attempt <= bound, "the retries do not end"
    assert slept_until <= budget + ULP * budget
