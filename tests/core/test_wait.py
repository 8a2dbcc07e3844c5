"""`sqcore.core.waiting`: the wait decisions (one job, many jobs), the polling interval (`Backoff`,
`next_interval`), what changed between polls and the progress snapshot.

Single decisions are checked against their documented rule; whole waits run as the shell runs
them, on arbitrary clocks where every check costs its own time: they always end, never sleep
past the deadline, and see the end in time. A Backoff makes a wait on an unchanging job poll
about log(T) times in T seconds, not T / interval times.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sqcore.core.models import (
    STATUS_PRIORITY_ORDER,
    TERMINAL_CIRCUIT_STATES,
    TERMINAL_COMPILE_STATES,
    CircuitStatus,
)
from sqcore.core.status import overall_status
from sqcore.core.waiting import (
    MIN_POLLING_SECONDS,
    Backoff,
    Change,
    Done,
    Progress,
    SleepFor,
    TimedOut,
    assert_never,
    changes_between,
    decide_wait,
    decide_wait_all,
    next_interval,
    progress_of,
    tally,
    with_floor,
)
from tests.fakes import untyped
from tests.strategies import (
    backoffs,
    instants,
    open_statuses,
    pollings,
    seconds,
    status_lists,
    statuses,
    terminal_statuses,
)

S = CircuitStatus
finished_sets = st.sampled_from([TERMINAL_CIRCUIT_STATES, TERMINAL_COMPILE_STATES])
costs = st.lists(st.floats(0, 30), min_size=1, max_size=12)
# `now + (deadline - now)` may round one unit in the last place past `deadline`.
ULP = 1e-12


# -- one job ---------------------------------------------------------------------------------


@given(instants, instants, statuses, seconds, finished_sets)
def test_decide_wait_is_done_timed_out_or_a_sleep_that_ends_by_the_deadline(
    now: float,
    deadline: float,
    status: CircuitStatus,
    interval: float,
    finished: frozenset[CircuitStatus],
) -> None:
    decision = decide_wait(now, deadline, status, interval, finished)
    if status in finished:
        assert decision == Done()
    elif deadline - now <= 0:
        assert decision == TimedOut(status)
    else:
        assert isinstance(decision, SleepFor)
        assert decision.seconds == min(interval, deadline - now)
        assert 0 <= decision.seconds <= interval
        assert now + decision.seconds <= deadline + 1e-9 * max(1.0, abs(deadline))


@pytest.mark.parametrize("status", sorted(CircuitStatus))
def test_waiting_until_compiled_stops_at_every_compiled_state_and_only_there(
    status: CircuitStatus,
) -> None:
    decision = decide_wait(0.0, 10.0, status, 1.0, TERMINAL_COMPILE_STATES)
    compiled = status not in {S.RECEIVED, S.AWAITING_COMPILE, S.COMPILING}
    assert (decision == Done()) is compiled
    # By default only terminal states end the wait.
    assert (decide_wait(0.0, 10.0, status, 1.0) == Done()) is (status in TERMINAL_CIRCUIT_STATES)


def test_a_zero_timeout_means_one_check() -> None:
    assert decide_wait(5.0, 5.0, S.RUNNING, 5) == TimedOut(S.RUNNING)
    assert decide_wait(5.0, 5.0, S.COMPLETED, 5) == Done()


def test_a_zero_interval_checks_again_at_once() -> None:
    assert decide_wait(0.0, 10.0, S.RUNNING, 0) == SleepFor(0)


@settings(max_examples=300)
@given(
    start=st.floats(-1e6, 1e6),
    timeout=st.floats(0, 200),
    polling=st.just(0.0) | st.floats(0.01, 60),
    check_costs=costs,
    terminal_after=st.none() | st.floats(0, 300),
    open_status=open_statuses,
    final_status=terminal_statuses,
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
    """The shell's loop: check (costs time), decide, sleep; the job ends at `terminal_after`."""
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


# -- many jobs -------------------------------------------------------------------------------


open_jobs = st.lists(
    st.none()
    | st.lists(statuses, min_size=1, max_size=4).filter(
        lambda circuits: not all(s in TERMINAL_CIRCUIT_STATES for s in circuits)
    ),
    max_size=10,
)


@given(instants, instants, open_jobs, seconds)
def test_decide_wait_all_is_done_exactly_when_no_job_is_open(
    now: float, deadline: float, still_open: list[list[CircuitStatus] | None], interval: float
) -> None:
    decision = decide_wait_all(now, deadline, still_open, interval)
    if not still_open:
        assert decision == Done()
    elif deadline - now <= 0:
        # The first in priority order of the open jobs' overall statuses: the one a person
        # most wants to hear of (RECEIVED for a job not seen yet).
        named = [S.RECEIVED if c is None else overall_status(c) for c in still_open]
        assert decision == TimedOut(overall_status(named))
        assert decision.status not in TERMINAL_CIRCUIT_STATES
    else:
        assert decision == SleepFor(min(interval, deadline - now))


def test_decide_wait_all_over_no_open_job_is_done() -> None:
    assert decide_wait_all(0.0, -1.0, [], 5.0) == Done()


def test_a_job_not_seen_yet_is_named_received() -> None:
    assert decide_wait_all(5.0, 5.0, [[S.RUNNING], None], 1.0) == TimedOut(S.RECEIVED)


def test_a_timed_out_wait_all_names_the_first_open_status_in_priority_order() -> None:
    """RUNNING comes before PENDING, and an open job's own terminal circuits do not count."""
    jobs = [[S.PENDING, S.FAILED], [S.RUNNING, S.COMPLETED]]
    assert decide_wait_all(5.0, 5.0, jobs, 1.0) == TimedOut(S.RUNNING)


# -- the polling interval --------------------------------------------------------------------


def test_a_backoff_has_upstream_pollers_defaults() -> None:
    assert Backoff() == Backoff(initial=1.0, factor=1.5, maximum=30.0)
    assert Backoff(2, 1, 2) == Backoff(2.0, 1.0, 2.0)  # ints are seconds too


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"initial": 0}, "Backoff initial must be > 0 seconds, got 0"),
        ({"initial": -1.0}, "Backoff initial must be > 0 seconds, got -1.0"),
        ({"factor": 0.5}, "Backoff factor must be >= 1, got 0.5"),
        ({"initial": 5.0, "maximum": 4.0}, r"Backoff maximum \(4.0\) must be >= initial \(5.0\)"),
        ({"initial": math.nan}, "Backoff initial must be finite, got nan"),
        ({"factor": math.inf}, "Backoff factor must be finite, got inf"),
        ({"maximum": -math.inf}, "Backoff maximum must be finite, got -inf"),
    ],
)
def test_a_bad_bound_raises_value_error_naming_it(
    arguments: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        Backoff(**arguments)


@pytest.mark.parametrize("name", ["initial", "factor", "maximum"])
@pytest.mark.parametrize(("value", "kind"), [("1", "str"), (None, "NoneType"), (True, "bool")])
def test_a_bound_that_is_not_a_number_raises_type_error_naming_it(
    name: str, value: object, kind: str
) -> None:
    with pytest.raises(TypeError, match=f"^Backoff {name} must be a number, not {kind}$"):
        untyped(Backoff)(**{name: value})


@given(
    initial=st.floats(allow_nan=False, allow_infinity=False),
    factor=st.floats(allow_nan=False, allow_infinity=False),
    maximum=st.floats(allow_nan=False, allow_infinity=False),
)
def test_a_backoff_exists_exactly_when_its_bounds_are_in_range(
    initial: float, factor: float, maximum: float
) -> None:
    valid = initial > 0 and factor >= 1 and maximum >= initial
    try:
        backoff = Backoff(initial, factor, maximum)
    except ValueError as error:
        assert not valid
        assert str(error).startswith("Backoff ")
        assert any(name in str(error) for name in ("initial", "factor", "maximum"))
    else:
        assert valid
        assert (backoff.initial, backoff.factor, backoff.maximum) == (initial, factor, maximum)


@given(st.floats(0, 1e6), st.none() | st.floats(0, 1e6), st.booleans())
def test_a_fixed_interval_never_changes(
    polling: float, previous: float | None, changed: bool
) -> None:
    assert next_interval(polling, previous, changed) == polling


@given(pollings, st.lists(st.booleans(), max_size=40))
def test_an_interval_below_the_floor_is_raised_to_it_and_any_other_is_kept(
    polling: float | Backoff, changes: list[bool]
) -> None:
    floored = with_floor(polling)
    intervals, previous = [], None
    for changed in changes:
        previous = next_interval(floored, previous, changed)
        intervals.append(previous)

    assert all(interval >= MIN_POLLING_SECONDS for interval in intervals)
    low = polling.initial if isinstance(polling, Backoff) else polling
    assert (floored is polling) == (low >= MIN_POLLING_SECONDS)
    if isinstance(polling, Backoff) and floored is not polling:
        assert floored == Backoff(
            MIN_POLLING_SECONDS, polling.factor, max(polling.maximum, MIN_POLLING_SECONDS)
        )


def test_the_floor_is_a_tenth_of_a_second() -> None:
    assert MIN_POLLING_SECONDS == 0.1
    assert with_floor(0.0) == with_floor(1e-4) == 0.1
    assert with_floor(Backoff(0.01, 2.0, 0.05)) == Backoff(0.1, 2.0, 0.1)
    assert with_floor(Backoff(0.05, 1.5, 30.0)) == Backoff(0.1, 1.5, 30.0)


@given(backoffs, st.lists(st.booleans(), max_size=40))
def test_a_backoff_interval_starts_at_initial_grows_while_unchanged_and_starts_over(
    backoff: Backoff, changes: list[bool]
) -> None:
    interval = next_interval(backoff, None, False)
    assert interval == backoff.initial
    for changed in changes:
        following = next_interval(backoff, interval, changed)
        assert backoff.initial <= following <= backoff.maximum
        if changed:
            assert following == backoff.initial
        else:
            assert following == min(interval * backoff.factor, backoff.maximum)
            assert following >= interval
        interval = following


@settings(max_examples=200)
@given(
    timeout=st.floats(0, 200),
    backoff=backoffs,
    check_costs=costs,
    moves=st.lists(st.floats(0, 300), max_size=6),
    terminal_after=st.none() | st.floats(0, 300),
)
def test_a_backing_off_wait_ends_never_oversleeps_and_sees_the_end_within_its_interval(
    timeout: float,
    backoff: Backoff,
    check_costs: list[float],
    moves: list[float],
    terminal_after: float | None,
) -> None:
    """As the shell: the interval grows while the job stands still and starts over when its
    status moves (at each time in `moves`, between two open statuses)."""
    ends_at = math.inf if terminal_after is None else terminal_after
    bound = math.ceil(timeout / backoff.initial) + 3

    def status_at(time: float) -> CircuitStatus:
        if time >= ends_at:
            return S.COMPLETED
        return (S.COMPILING, S.RUNNING)[sum(move <= time for move in moves) % 2]

    now, checks, seen, interval, slept = 0.0, 0, None, None, 0.0
    while True:
        now += check_costs[checks % len(check_costs)]
        checks += 1
        assert checks <= bound, "the wait does not end"
        status = status_at(now)
        interval = next_interval(backoff, interval, seen is not None and status != seen)
        seen = status
        decision = decide_wait(now, timeout, status, interval)
        if not isinstance(decision, SleepFor):
            break
        assert 0 <= decision.seconds <= interval <= backoff.maximum
        assert now + decision.seconds <= timeout + ULP * max(1.0, timeout)
        slept = decision.seconds
        now += slept

    if decision == Done():
        assert now >= ends_at
        if checks > 1:  # the check before saw it open: the end came during the last sleep
            assert now - ends_at <= slept + max(check_costs) + 1e-9 * now
    else:
        assert decision == TimedOut(status_at(now))
        assert ends_at > now >= timeout


def test_backoff_intervals_exactly() -> None:
    backoff = Backoff(initial=1.0, factor=2.0, maximum=5.0)
    intervals = [next_interval(backoff, None, False)]
    for changed in (False, False, False, False, True, False):
        intervals.append(next_interval(backoff, intervals[-1], changed))
    assert intervals == [1.0, 2.0, 4.0, 5.0, 5.0, 1.0, 2.0]
    # A first poll starts at `initial` whatever it saw; a short previous interval is lifted.
    assert next_interval(backoff, None, True) == 1.0
    assert next_interval(backoff, 0.25, False) == 2.0


def _polls_of_an_unchanging_job(polling: float | Backoff, timeout: float) -> int:
    """Polls made by a wait on a job that never moves, on a clock where checks are free."""
    now, deadline, interval, polls = 0.0, timeout, None, 0
    while True:
        polls += 1
        interval = next_interval(polling, interval, changed=False)
        decision = decide_wait(now, deadline, S.RUNNING, interval)
        if not isinstance(decision, SleepFor):
            return polls
        now += decision.seconds


@settings(max_examples=200)
@given(
    timeout=st.floats(10, 1e6),
    initial=st.floats(0.1, 10),
    factor=st.floats(1.5, 3),
)
def test_a_backoff_polls_an_unchanging_job_about_log_t_times_not_t_times(
    timeout: float, initial: float, factor: float
) -> None:
    assume(timeout >= 20 * initial)
    polls = _polls_of_an_unchanging_job(Backoff(initial, factor, maximum=1e12), timeout)
    # The n-th poll comes after initial * (factor**(n-1) - 1) / (factor - 1) seconds; the
    # last sleep is cut at the deadline, which makes one more poll, and one more again when
    # `now + (deadline - now)` rounds a hair short of the deadline (free checks only).
    bound = 3 + math.log(1 + timeout * (factor - 1) / initial) / math.log(factor)
    assert polls <= bound
    # A fixed interval of `initial` polls more than timeout / initial times.
    assert polls <= timeout / initial / 2


def test_a_fixed_interval_polls_an_unchanging_job_t_over_interval_times() -> None:
    # At 0, 1, ..., 9 seconds, then at the deadline.
    assert _polls_of_an_unchanging_job(1.0, 10.0) == 11
    assert _polls_of_an_unchanging_job(0.5, 10.25) == 22


def test_a_backoff_capped_at_its_maximum_polls_at_that_pace() -> None:
    # 1 + 2 + 4 + 8 seconds, then every 10 s: 15 s, then 98 polls to reach 1000 s.
    assert _polls_of_an_unchanging_job(Backoff(1.0, 2.0, 10.0), 1000.0) == 5 + 99


# -- what changed ----------------------------------------------------------------------------


@given(status_lists)
def test_a_first_sight_or_no_change_is_no_change(after: list[CircuitStatus]) -> None:
    assert changes_between("j", None, after) == ()
    assert changes_between("j", list(after), after) == ()
    assert changes_between("j", tuple(after), after) == ()


status_pairs = status_lists.flatmap(
    lambda before: st.tuples(
        st.just(before), st.lists(statuses, min_size=len(before), max_size=len(before))
    )
)


@given(status_pairs)
def test_one_change_per_moved_circuit_after_the_overall_one(
    pair: tuple[list[CircuitStatus], list[CircuitStatus]],
) -> None:
    before, after = pair
    found = changes_between("job-1", before, after)
    assert all(change.job_id == "job-1" for change in found)
    circuits = [change for change in found if change.index is not None]
    assert circuits == [
        Change("job-1", i, old, new)
        for i, (old, new) in enumerate(zip(before, after, strict=True))
        if old != new
    ]
    overall = [change for change in found if change.index is None]
    if overall_status(before) == overall_status(after):
        assert overall == []
    else:
        assert found[0] == Change("job-1", None, overall_status(before), overall_status(after))
        assert overall == [found[0]]


def test_a_job_whose_circuit_count_changed_compares_the_circuits_both_polls_saw() -> None:
    """Not expected of a server, but no reason to fail a wait either."""
    assert changes_between("j", [S.RUNNING], [S.RUNNING, S.COMPLETED]) == ()
    assert changes_between("j", [S.RUNNING, S.PENDING], [S.COMPLETED]) == (
        Change("j", None, S.RUNNING, S.COMPLETED),
        Change("j", 0, S.RUNNING, S.COMPLETED),
    )


def test_changes_between_exactly() -> None:
    before = [S.RUNNING, S.COMPLETED, S.RUNNING]
    after = [S.COMPLETED, S.COMPLETED, S.FAILED]
    assert changes_between("j", before, after) == (
        Change("j", None, S.RUNNING, S.FAILED),
        Change("j", 0, S.RUNNING, S.COMPLETED),
        Change("j", 2, S.RUNNING, S.FAILED),
    )
    # A circuit moving on without changing the overall status is one change.
    assert changes_between("j", [S.RUNNING, S.PENDING], [S.RUNNING, S.COMPLETED]) == (
        Change("j", 1, S.PENDING, S.COMPLETED),
    )


# -- progress --------------------------------------------------------------------------------


@given(st.lists(statuses, max_size=20), seconds)
def test_progress_counts_every_status_in_priority_order(
    values: list[CircuitStatus], elapsed: float
) -> None:
    progress = progress_of(values, elapsed)
    assert progress.total == len(values) == sum(n for _, n in progress.counts)
    assert progress.done == sum(v in TERMINAL_CIRCUIT_STATES for v in values)
    assert all(n > 0 for _, n in progress.counts)
    assert dict(progress.counts) == {s: values.count(s) for s in set(values)}
    order = [STATUS_PRIORITY_ORDER.index(s) for s, _ in progress.counts]
    assert order == sorted(order)
    assert progress.elapsed_seconds == elapsed
    assert progress.changes == ()


def test_progress_exactly_with_its_changes() -> None:
    moved = (Change("j", 0, S.RUNNING, S.COMPLETED),)
    progress = progress_of([S.COMPLETED, S.RUNNING, S.COMPLETED], 2.5, moved)
    assert progress == Progress(((S.RUNNING, 1), (S.COMPLETED, 2)), 2, 3, 2.5, moved)
    assert progress_of([], 0.0) == Progress((), 0, 0, 0.0, ())


@given(st.dictionaries(statuses, st.integers(0, 50)), seconds)
def test_a_tally_of_counts_is_the_progress_of_as_many_statuses(
    counts: dict[CircuitStatus, int], elapsed: float
) -> None:
    values = [status for status, n in counts.items() for _ in range(n)]
    assert tally(counts, elapsed) == progress_of(values, elapsed)


def test_assert_never_names_the_value() -> None:
    with pytest.raises(AssertionError, match=r"^unhandled case: 'surprise'$"):
        untyped(assert_never)("surprise")


def test_a_backoff_starting_at_the_floor_is_kept_as_it_is() -> None:
    at_floor = Backoff(MIN_POLLING_SECONDS, 2.0, 1.0)
    assert with_floor(at_floor) is at_floor
