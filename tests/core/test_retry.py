"""`sqcore.core.retry`: the backoff, the retry decision and Retry-After.

The policy (SPEC.md, Client: Errors; and `create_job`): 503, 429, connection faults and
timeouts are retried with exponential backoff and jitter, honouring Retry-After, until the
budget is spent; everything else is final. A submission (not idempotent) is retried only when
the server provably did not take it: a 503, a 429, or a connection that was never made.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore.core.errors import ApiFailure, NetworkFault, Retryable, ServerError, Unauthorized
from sqcore.core.retry import (
    BASE_DELAY_SECONDS,
    MAX_DELAY_SECONDS,
    RESUBMITTABLE_FAULTS,
    RETRYABLE_FAULTS,
    UNSENT_FAULTS,
    GiveUp,
    MaybeSent,
    OutOfTime,
    RetryIn,
    backoff_seconds,
    decide_retry,
    parse_retry_after,
)
from tests.strategies import draws, failures, network_faults, replies_to_retry, transport_kinds
from transports._types import TransportErrorKind

#: The transport faults asking again can help with, and of those the ones after which the
#: server cannot have taken a submission (written out here, not read from the code).
RETRIED_KINDS = {"timeout", "connect", "protocol"}
RESUBMITTED_KINDS = {"connect"}
#: The reply statuses after which a submission may have been taken: the server failed while
#: handling it, or a gateway lost the answer of the server behind it.
MAYBE_TAKEN = {500, 502, 504}

attempts = st.integers(0, 10_000)
time_left = st.floats(min_value=-10, max_value=1e5, allow_nan=False)
retryable_failures: st.SearchStrategy[Retryable | NetworkFault] = replies_to_retry | network_faults
NOW = 784_111_777.0  # Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date


def _is_retried(failure: ApiFailure, idempotent: bool = True) -> bool:
    """The policy, written from SPEC.md."""
    if isinstance(failure, Retryable):
        return True
    if isinstance(failure, NetworkFault):
        return failure.fault in (RETRIED_KINDS if idempotent else RESUBMITTED_KINDS)
    return False


def _wanted(attempt: int, failure: Retryable | NetworkFault, draw: float) -> float:
    """The wait a retry asks for: the backoff, or the server's Retry-After if longer."""
    delay = backoff_seconds(attempt, draw)
    if isinstance(failure, Retryable) and failure.retry_after is not None:
        delay = max(delay, failure.retry_after)
    return delay


# -- the backoff -----------------------------------------------------------------------------


@given(attempts, draws)
def test_a_backoff_stays_within_its_cap_and_keeps_at_least_half(attempt: int, draw: float) -> None:
    delay = backoff_seconds(attempt, draw)
    assert 0 < delay <= MAX_DELAY_SECONDS
    uncapped = BASE_DELAY_SECONDS * 2.0 ** min(attempt, 64)
    assert delay >= min(MAX_DELAY_SECONDS, uncapped) / 2


@given(st.integers(0, 5), draws)
def test_a_backoff_doubles_with_each_attempt_below_the_cap(attempt: int, draw: float) -> None:
    assert backoff_seconds(attempt + 1, draw) == pytest.approx(2 * backoff_seconds(attempt, draw))


@pytest.mark.parametrize(
    ("attempt", "draw", "expected"),
    [
        (0, 0.0, BASE_DELAY_SECONDS / 2),
        (0, 0.5, BASE_DELAY_SECONDS * 0.75),
        (3, 0.0, BASE_DELAY_SECONDS * 8 / 2),
        (20, 0.0, MAX_DELAY_SECONDS / 2),
        (10**6, 0.5, MAX_DELAY_SECONDS * 0.75),
    ],
)
def test_backoff_exact_values(attempt: int, draw: float, expected: float) -> None:
    assert backoff_seconds(attempt, draw) == pytest.approx(expected)


def test_a_backoff_clamps_a_draw_outside_zero_to_one() -> None:
    assert backoff_seconds(2, 7.0) == pytest.approx(BASE_DELAY_SECONDS * 4)
    assert backoff_seconds(2, -3.0) == pytest.approx(BASE_DELAY_SECONDS * 2)


# -- the decision ----------------------------------------------------------------------------


def test_the_policy_tables_are_the_documented_ones() -> None:
    assert RETRYABLE_FAULTS == RETRIED_KINDS
    assert RESUBMITTABLE_FAULTS == RESUBMITTED_KINDS
    assert RESUBMITTABLE_FAULTS <= RETRYABLE_FAULTS


@given(attempts, failures, time_left, draws, st.booleans())
def test_a_failure_no_retry_can_fix_gives_up_at_once(
    attempt: int, failure: ApiFailure, left: float, draw: float, idempotent: bool
) -> None:
    if (
        isinstance(failure, Retryable)
        or (
            isinstance(failure, NetworkFault)
            and (
                failure.fault in RETRIED_KINDS or not (idempotent or failure.fault in UNSENT_FAULTS)
            )
        )
        or (isinstance(failure, ServerError) and not idempotent and failure.status in MAYBE_TAKEN)
    ):
        return  # retried, or (a submission) stopped as MaybeSent: the tests below
    assert decide_retry(attempt, failure, left, draw, idempotent=idempotent) == GiveUp(failure)


@given(attempts, retryable_failures, time_left, draws)
def test_a_retryable_failure_is_retried_if_its_wait_fits_in_the_time_left(
    attempt: int, failure: Retryable | NetworkFault, left: float, draw: float
) -> None:
    decision = decide_retry(attempt, failure, left, draw)
    if not _is_retried(failure):
        assert decision == GiveUp(failure)
    elif _wanted(attempt, failure, draw) > left:
        assert decision == OutOfTime(failure)
    else:
        assert decision == RetryIn(_wanted(attempt, failure, draw), failure)
        assert 0 < decision.seconds <= left
        assert decision.seconds >= backoff_seconds(attempt, draw)
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            assert decision.seconds >= failure.retry_after


@given(attempts, failures, st.floats(1e5, 1e6), draws)
def test_a_submission_is_retried_only_when_the_server_cannot_have_taken_it(
    attempt: int, failure: ApiFailure, left: float, draw: float
) -> None:
    """With time to spare: only 503/429 and a connection never made are retried; any network
    fault after which the server may have taken the request (a timeout, a broken or too
    large reply) and a 500, 502 or 504 stop as MaybeSent; the rest give up."""
    decision = decide_retry(attempt, failure, left, draw, idempotent=False)
    if _is_retried(failure, idempotent=False):
        assert isinstance(decision, RetryIn)
        assert decision.failure == failure
    elif (isinstance(failure, NetworkFault) and failure.fault not in UNSENT_FAULTS) or (
        isinstance(failure, ServerError) and failure.status in MAYBE_TAKEN
    ):
        assert decision == MaybeSent(failure)
    else:
        assert decision == GiveUp(failure)


@pytest.mark.parametrize(
    ("failure", "idempotent", "expected"),
    [
        (Retryable("503"), False, "retry"),
        (Retryable("429", 1.0), False, "retry"),
        (NetworkFault("connect", "refused"), False, "retry"),
        (NetworkFault("timeout", "no reply"), False, "maybe sent"),
        (NetworkFault("protocol", "reset"), False, "maybe sent"),
        (NetworkFault("timeout", "no reply"), True, "retry"),
        (NetworkFault("protocol", "reset"), True, "retry"),
        (NetworkFault("tls", "bad certificate"), False, "give up"),
        (NetworkFault("too_large", "99 bytes"), True, "give up"),
        (NetworkFault("too_large", "99 bytes"), False, "maybe sent"),  # a reply came: taken
        (NetworkFault("proxy", "407"), False, "give up"),  # refused before the request
        (NetworkFault("proxy", "407"), True, "give up"),
        (NetworkFault("refused", "closed"), True, "give up"),
        (ServerError(500, "kaput"), True, "give up"),
        (ServerError(500, "kaput"), False, "maybe sent"),  # it failed while handling it
        (ServerError(502, "bad gateway"), False, "maybe sent"),
        (ServerError(504, "gateway timeout"), False, "maybe sent"),
        (ServerError(422, "bad body"), False, "give up"),  # refused: certainly not taken
        (ServerError(501, "not implemented"), False, "give up"),
        (Unauthorized("no"), True, "give up"),
    ],
)
def test_what_is_retried_case_by_case(failure: ApiFailure, idempotent: bool, expected: str) -> None:
    decision = decide_retry(1, failure, 60, 0.5, idempotent=idempotent)
    names = {RetryIn: "retry", MaybeSent: "maybe sent", GiveUp: "give up", OutOfTime: "out of time"}
    outcome = names[type(decision)]
    assert outcome == expected
    assert decision.failure == failure


@given(transport_kinds, st.booleans())
def test_a_network_fault_out_of_time_is_out_of_time_only_if_it_would_be_retried(
    kind: TransportErrorKind, idempotent: bool
) -> None:
    fault = NetworkFault(kind, "x")
    decision = decide_retry(0, fault, -1.0, 0.5, idempotent=idempotent)
    if _is_retried(fault, idempotent):
        assert decision == OutOfTime(fault)
    else:
        assert isinstance(decision, (GiveUp, MaybeSent))


def test_a_retry_may_take_exactly_the_time_left() -> None:
    delay = backoff_seconds(0, 0.0)
    assert decide_retry(0, Retryable("503"), delay, 0.0) == RetryIn(delay, Retryable("503"))
    assert decide_retry(0, Retryable("503"), delay * 0.999, 0.0) == OutOfTime(Retryable("503"))


def test_a_retry_after_longer_than_the_backoff_wins() -> None:
    assert decide_retry(0, Retryable("429", 2.5), 60, 0.0) == RetryIn(2.5, Retryable("429", 2.5))
    short = Retryable("429", 0.0)
    assert decide_retry(9, short, 60, 0.0) == RetryIn(backoff_seconds(9, 0.0), short)


def test_a_retryable_network_fault_backs_off_like_a_503() -> None:
    reset = NetworkFault("protocol", "reset")
    assert decide_retry(1, reset, 60, 0.5) == RetryIn(backoff_seconds(1, 0.5), reset)
    too_large = NetworkFault("too_large", "too large")
    assert decide_retry(1, too_large, 60, 0.5) == GiveUp(too_large)


def test_a_failure_that_is_not_retryable_gives_up_whatever_the_budget() -> None:
    for failure in (Unauthorized("x"), NetworkFault("tls", "y"), ServerError(504, "z", False)):
        assert decide_retry(0, failure, math.inf, 0.0) == GiveUp(failure)


@settings(max_examples=300)
@given(
    budget=st.floats(0, 120),
    script=st.lists(retryable_failures, min_size=1, max_size=8),
    attempt_costs=st.lists(st.floats(0, 30), min_size=1, max_size=12),
    draw_list=st.lists(draws, min_size=1, max_size=8),
    idempotent=st.booleans(),
)
def test_a_retry_schedule_stays_within_its_cap_and_budget_and_ends(
    budget: float,
    script: list[Retryable | NetworkFault],
    attempt_costs: list[float],
    draw_list: list[float],
    idempotent: bool,
) -> None:
    """The shell's loop: attempt (costs time), decide, sleep; the failures come in turn."""
    now, attempt, slept_until = 0.0, 0, 0.0
    bound = math.ceil(budget / (BASE_DELAY_SECONDS / 2)) + 2
    while True:
        now += attempt_costs[attempt % len(attempt_costs)]
        failure = script[attempt % len(script)]
        draw = draw_list[attempt % len(draw_list)]
        decision = decide_retry(attempt, failure, budget - now, draw, idempotent=idempotent)
        if not isinstance(decision, RetryIn):
            assert decision.failure == failure
            assert isinstance(decision, OutOfTime) == _is_retried(failure, idempotent)
            break
        asked = failure.retry_after if isinstance(failure, Retryable) else None
        assert 0 < decision.seconds <= budget - now
        assert decision.seconds <= max(MAX_DELAY_SECONDS, asked or 0.0)
        if asked is not None:
            assert decision.seconds >= asked
        now += decision.seconds
        slept_until = now
        attempt += 1
        assert attempt <= bound, "the retries do not end"
    assert slept_until <= budget + 1e-12 * budget


# -- Retry-After -----------------------------------------------------------------------------


def test_retry_after_in_each_of_its_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) is None
    assert parse_retry_after("", now) is None
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(30, abs=1)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now) == 0.0


def test_a_retry_after_date_with_an_offset_is_converted() -> None:
    # 09:49:37 at +01:00 is 08:49:37 UTC, which is NOW: no wait.
    assert parse_retry_after("Sun, 06 Nov 1994 09:49:37 +0100", NOW) == 0.0
    assert parse_retry_after("Sun, 06 Nov 1994 09:49:37 +0100", NOW - 60) == 60.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", NOW) == 60.0


@pytest.fixture
def local_time_five_hours_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Makes the process's local time zone UTC+5, so a date read as local time is 5 h off.

    (A test host on UTC cannot tell a naive date read as UTC from one read as local time.)
    """
    if not hasattr(time, "tzset"):  # Windows
        pytest.skip("time.tzset is POSIX-only")
    monkeypatch.setenv("TZ", "XST-05:00")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("local_time_five_hours_east")
def test_a_date_without_zone_is_utc_whatever_the_local_zone() -> None:
    """RFC 5322 "-0000": UTC with no zone information; it is never local time."""
    assert datetime.datetime(2000, 1, 1).astimezone().utcoffset() == datetime.timedelta(hours=5)
    assert parse_retry_after("Sun, 06 Nov 1994 08:50:37 -0000", NOW) == 60.0


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "1\u00b2"])
def test_digits_other_than_ascii_are_unreadable_not_an_exception(value: str) -> None:
    """delay-seconds is 1*DIGIT, ASCII only. '²' (Latin-1 0xB2 in a header) once raised."""
    assert parse_retry_after(value, NOW) is None


@given(st.text(max_size=40), st.floats(0, 2e9, allow_nan=False))
def test_any_retry_after_is_read_or_ignored_never_raised(value: str, now: float) -> None:
    result = parse_retry_after(value, now)
    assert result is None or result >= 0
    if value.strip().isascii() and value.strip().isdigit():
        assert result == float(int(value.strip()))  # the nearest float: 2**53 + 1 rounds
