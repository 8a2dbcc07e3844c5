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


def test_a_waits_first_check_gets_no_longer_than_the_wait() -> None:
    feed = Feed(always(RUNNING))
    feed.play(wait(session(), JobState(JOB_65), wait_plan(4, 60, 10)))
    assert feed.requests[0].timeout == 4.0


def test_a_fault_of_a_check_ends_the_wait_with_it() -> None:
    feed = Feed(always(reply(401, "Not authorized")))
    fault = feed.play(wait(session(), JobState(JOB_65), wait_plan(10, 60, 1))).failure()
    assert (fault.kind, fault.status_code) == ("server", 401)
    assert feed.of(Report) == []


def test_a_floored_interval_is_warned_about_in_the_plans_words() -> None:
    plan = wait_plan(10, 60, 0)
    feed = Feed(always(DONE))
    feed.play(wait(session(), JobState(JOB_65), plan))
    assert feed.effects[0] == Warn(plan.warning or "")


def test_a_wait_for_one_circuit_reports_that_circuit_and_its_own_changes_only() -> None:
    answers = [
        reply(200, jobs_reply({JOB_65: ["running", "running"]})),
        reply(200, jobs_reply({JOB_65: ["completed", "running"]})),  # the other one moves
        reply(200, jobs_reply({JOB_65: ["completed", "completed"]})),
    ]
    feed = Feed(in_turn(*answers), latency=0.5)

    feed.play(wait(session(), JobState(JOB_65), wait_plan(100, 60, 2, index=1)))

    progress = [report.progress for report in feed.of(Report)]
    assert [(p.counts, p.done, p.total) for p in progress] == [
        (((S.RUNNING, 1),), 0, 1),
        (((S.RUNNING, 1),), 0, 1),
        (((S.COMPLETED, 1),), 1, 1),
    ]
    assert [p.elapsed_seconds for p in progress] == [0.5, 3.0, 5.5]
    assert [[(c.index, c.after) for c in p.changes] for p in progress] == [
        [],
        [],
        [(1, S.COMPLETED)],
    ]


def test_a_backoff_grows_while_nothing_moves_and_starts_over_when_something_does() -> None:
    same = reply(200, jobs_reply({JOB_65: ["running"]}))
    moved = reply(200, jobs_reply({JOB_65: ["pending"]}))
    feed = Feed(in_turn(same, same, same, moved, moved, DONE))

    feed.play(wait(session(), JobState(JOB_65), wait_plan(1000, 60, Backoff(1, 2, 30))))

    assert [sleep.seconds for sleep in feed.of(Sleep)] == [1, 2, 4, 1, 2]


def test_a_decoded_state_keeps_its_job_and_statuses() -> None:
    body = fixture("fetch_completed_single.json")
    state = decoded(session(), JobState(JOB_65, (S.COMPLETED,), body)).unwrap()
    assert (state.job_id, state.statuses, state.reply) == (JOB_65, (S.COMPLETED,), None)
    with pytest.raises(AssertionError, match=f"^job {JOB_65}: a state without a reply"):
        decoded(session(), JobState(JOB_65, (S.COMPLETED,)))


def test_a_bad_timeout_is_named() -> None:
    with pytest.raises(TypeError, match=r"^timeout_seconds must be a number"):
        wait_plan("10", 60, 5)


def test_a_waits_changes_name_the_job_and_its_first_check_none() -> None:
    moved = reply(200, jobs_reply({JOB_65: ["pending", "completed"]}))
    feed = Feed(in_turn(RUNNING, moved, DONE))

    feed.play(wait(session(), JobState(JOB_65), wait_plan(100, 60, 1)))

    first, second, _ = [report.progress.changes for report in feed.of(Report)]
    assert first == ()
    assert {change.job_id for change in second} == {JOB_65}
