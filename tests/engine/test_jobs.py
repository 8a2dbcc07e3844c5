"""`sqcore.engine.jobs`, fed outcomes: a refresh keeps the job's reply for its data, a
wait's arguments are checked once, and a wait on one job refreshes while it is open, tells
what it fetched, reports each check and never sleeps past its deadline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore.core.models import TERMINAL_COMPILE_STATES, CircuitStatus
from sqcore.core.waiting import Backoff
from sqcore.engine.effects import JobState, Learned, Report, Send, Sleep, Warn
from sqcore.engine.jobs import decoded, is_settled, refresh, wait, wait_plan
from tests.engine.feed import Feed, always, in_turn, jobs_reply, reply, session
from tests.fixtures import JOB_65, fixture, job_65, reply_of
from transports import Request, Response

S = CircuitStatus
RUNNING = reply(200, jobs_reply({JOB_65: ["running", "completed"]}))
DONE = reply(200, jobs_reply({JOB_65: ["completed", "completed"]}))


def test_a_refresh_reads_the_statuses_and_keeps_the_reply_for_the_data() -> None:
    body = fixture("fetch_completed_single.json")
    feed = Feed(always(reply(200, body)))

    state = feed.play(refresh(session(), JOB_65)).unwrap()

    assert state == JobState(JOB_65, (S.COMPLETED,), body)
    assert is_settled(state)
    read = decoded(session(), state).unwrap()
    assert read.reply is None
    assert read.data is not None and read.data.target == "ss_unconstrained_simulator"
    assert decoded(session(), read).unwrap() is read


def test_data_that_cannot_be_read_is_a_fault_naming_the_job_and_path() -> None:
    body = reply_of({JOB_65: job_65(shots=["many"])})
    fault = decoded(session(), JobState(JOB_65, (S.COMPLETED,), body)).failure()
    assert fault.kind == "superstaq"
    assert fault.message.startswith(f"Could not read the server's reply for job {JOB_65}: ")
    assert fault.message.endswith("(at $.shots[0])")


def test_a_state_never_fetched_is_not_settled_and_one_without_circuits_is() -> None:
    assert not is_settled(JobState(JOB_65))
    assert not is_settled(JobState(JOB_65, (S.RUNNING, S.COMPLETED)))
    assert is_settled(JobState(JOB_65, ()))


@pytest.mark.parametrize(
    ("polling", "warning"),
    [
        (0, "polling_seconds=0.0"),
        (Backoff(0.01, 2.0, 1.0), "Backoff(initial=0.01)"),
        (0.1, None),
    ],
)
def test_a_plan_floors_the_interval_and_says_so(
    polling: float | Backoff, warning: str | None
) -> None:
    plan = wait_plan(None, 60.0, polling)
    assert plan.timeout_seconds == 60.0
    if warning is None:
        assert plan.warning is None
    else:
        assert plan.warning == (
            f"{warning} would flood the server with requests: polling every 0.1 s instead, "
            "the shortest interval sqcore polls at"
        )


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"timeout_seconds": -1}, ValueError),
        ({"polling_seconds": "5"}, TypeError),
        ({"index": 1.5}, TypeError),
        ({"index": True}, TypeError),
    ],
)
def test_a_plan_refuses_bad_arguments_at_once(
    arguments: dict[str, object], error: type[Exception]
) -> None:
    given: dict[str, object] = {"timeout_seconds": None, "polling_seconds": 5, **arguments}
    with pytest.raises(error):
        wait_plan(
            given["timeout_seconds"],
            60.0,
            given["polling_seconds"],
            index=given.get("index"),
        )


def test_a_wait_refreshes_until_terminal_telling_each_state_and_reporting_each_check() -> None:
    feed = Feed(in_turn(RUNNING, RUNNING, DONE))

    done = feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 1)))

    assert done.unwrap() is None
    assert len(feed.requests) == 3
    told = [state for learned in feed.learned for state in learned.states]
    assert [state.statuses for state in told] == [(S.RUNNING, S.COMPLETED)] * 2 + [
        (S.COMPLETED, S.COMPLETED)
    ]
    assert all(state.reply is not None for state in told)
    assert [report.progress.done for report in feed.of(Report)] == [1, 1, 2]
    assert [sleep.seconds for sleep in feed.of(Sleep)] == [1, 1]


def test_a_wait_on_a_settled_job_makes_no_request() -> None:
    feed = Feed(always(RUNNING))
    feed.play(wait(session(), JobState(JOB_65, (S.COMPLETED,)), wait_plan(10, 60, 1)))
    assert feed.of(Send) == []
    assert len(feed.of(Report)) == 1


def test_a_floored_interval_is_warned_about_first() -> None:
    feed = Feed(always(DONE))
    feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 0)))
    assert isinstance(feed.effects[0], Warn)


def test_an_index_out_of_range_is_a_fault_after_the_first_check() -> None:
    feed = Feed(always(RUNNING))
    fault = feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 1, index=2))).failure()
    assert (fault.kind, fault.message) == (
        "index",
        "circuit index 2 is out of range: the job has 2 circuits (valid indices 0 to 1)",
    )
    assert len(feed.requests) == 1


def test_a_wait_for_one_circuit_ends_when_that_one_does() -> None:
    feed = Feed(always(RUNNING))
    assert (
        feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 1, index=1))).unwrap() is None
    )
    assert len(feed.requests) == 1


def test_a_wait_until_compiled_ends_on_a_compiled_status() -> None:
    feed = Feed(always(reply(200, jobs_reply({JOB_65: ["awaiting_submission"]}))))
    plan = wait_plan(10, 60, 1, check_until_compiled=True)
    assert plan.finished == TERMINAL_COMPILE_STATES
    assert feed.play(wait(session(), JobState(JOB_65), plan)).unwrap() is None


def test_a_wait_out_of_time_names_the_status_value() -> None:
    feed = Feed(always(RUNNING))
    fault = feed.play(wait(session(), JobState(JOB_65), wait_plan(2.5, 60, 1))).failure()
    assert (fault.kind, fault.message) == (
        "timeout",
        "Timed out while waiting for results. Final status was 'running'.",
    )
    assert [sleep.seconds for sleep in feed.of(Sleep)] == [1, 1, 0.5]


status_names = st.sampled_from([status.value for status in CircuitStatus])


@settings(max_examples=150)
@given(
    timeline=st.lists(st.lists(status_names, min_size=1, max_size=3), min_size=1, max_size=8),
    timeout=st.floats(0, 50),
    polling=st.floats(0.1, 20)
    | st.builds(Backoff, st.floats(0.1, 5), st.floats(1, 3), st.just(30.0)),
    latency=st.floats(0, 5),
)
def test_a_wait_always_ends_and_never_sleeps_past_its_deadline(
    timeline: list[list[str]], timeout: float, polling: float | Backoff, latency: float
) -> None:
    width = len(timeline[0])
    answers = [reply(200, jobs_reply({JOB_65: (names * 3)[:width]})) for names in timeline]
    feed = Feed(in_turn(*answers), latency=latency)
    start = feed.now

    feed.play(wait(session(), JobState(JOB_65), wait_plan(timeout, 60, polling)))

    assert len(feed.of(Sleep)) < 10_000
    assert all(end <= start + timeout + 1e-9 for end in feed.sleep_ends())


def test_each_state_a_wait_fetches_is_told_once() -> None:
    def server(_request: Request) -> Response:
        return DONE

    feed = Feed(server)
    feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 1)))
    assert feed.learned == [Learned((JobState(JOB_65, (S.COMPLETED, S.COMPLETED), DONE.body),))]
