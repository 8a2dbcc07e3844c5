"""`sqcore.engine.watch`, fed outcomes: a wait on many jobs polls only the open ones, each
client's in batches, tells the states that moved and the jobs that ended (each once, in
the order given), decides each job once a poll, and never sleeps past its deadline."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore.core.models import CircuitStatus, JobData
from sqcore.core.waiting import Backoff
from sqcore.engine.effects import JobState, Learned, Report, Send, Sleep, Warn
from sqcore.engine.jobs import wait_plan
from sqcore.engine.watch import watch
from tests.engine.feed import Feed, ids_asked, jobs_reply, reply, session
from tests.fixtures import job_65
from transports import Request, Response

S = CircuitStatus


def ids(count: int) -> list[str]:
    return [str(uuid.UUID(int=n + 1)) for n in range(count)]


def server_of(
    statuses: Callable[[str, int], list[str]],
) -> tuple[Callable[[Request], Response], list[list[str]]]:
    """A server whose job `id` has `statuses(id, poll)` at its poll number `poll` (from 0),
    and the ids each request asked for."""
    asked: list[list[str]] = []
    polls: dict[str, int] = {}

    def server(request: Request) -> Response:
        batch = ids_asked(request)
        asked.append(batch)
        answer = {}
        for job_id in batch:
            answer[job_id] = statuses(job_id, polls.get(job_id, 0))
            polls[job_id] = polls.get(job_id, 0) + 1
        return reply(200, jobs_reply(answer))

    return server, asked


def fresh(job_ids: list[str]) -> list[JobState]:
    return [JobState(job_id) for job_id in job_ids]


def test_only_open_jobs_are_polled_and_each_finished_one_is_handed_out_once_in_order() -> None:
    jobs = ids(4)
    ends = {jobs[0]: 2, jobs[1]: 0, jobs[2]: 1, jobs[3]: 0}  # the poll each job ends at
    server, asked = server_of(lambda job, poll: ["completed" if poll >= ends[job] else "running"])
    feed = Feed(server)

    assert feed.play(watch([session()], fresh(jobs), wait_plan(10, 60, 1))).unwrap() is None

    assert asked == [jobs, [jobs[0], jobs[2]], [jobs[0]]]
    finished = [learned.finished for learned in feed.learned if learned.finished]
    assert finished == [(jobs[1], jobs[3]), (jobs[2],), (jobs[0],)]


def test_only_the_jobs_that_moved_are_told_and_at_first_those_whose_handles_know_more() -> None:
    jobs = ids(5)
    moving = jobs[1]
    server, _ = server_of(
        lambda job, poll: ["completed"] if job == moving and poll == 2 else ["running"]
    )
    feed = Feed(server)
    running = (S.RUNNING,)
    known = [
        JobState(jobs[0]),  # never fetched: told
        JobState(moving, running),  # as polled until it moves
        JobState(jobs[2], running, b"{}"),  # holds a reply that would be stale: told
        JobState(jobs[3], running),  # as polled, but another handle knows less: told
        JobState(jobs[4], running),  # as polled: never told
    ]

    feed.play(watch([session()], known, wait_plan(2.5, 60, 1), unshared={jobs[3]}))

    told = [[state.job_id for state in told.states] for told in feed.learned if told.states]
    assert told == [[jobs[0], jobs[2], jobs[3]], [moving]]
    assert all(state.reply is None for state in feed.learned[0].states)
    (ended,) = [learned.finished for learned in feed.learned if learned.finished]
    assert ended == (moving,)


def test_a_job_that_ended_keeps_its_json_and_an_open_one_none() -> None:
    jobs = ids(2)
    server, _ = server_of(lambda job, poll: ["completed"] if job == jobs[0] else ["running"])
    feed = Feed(server)

    feed.play(watch([session()], fresh(jobs), wait_plan(0, 60, 1)))

    first = feed.learned[0].states
    assert [state.reply is not None for state in first] == [True, False]
    assert first[0].reply is not None and jobs[0].encode() in first[0].reply
    assert jobs[1].encode() not in first[0].reply  # cut out of the batch


def test_jobs_settled_already_are_handed_out_before_the_first_poll() -> None:
    jobs = ids(2)
    server, _ = server_of(lambda job, poll: ["running"])
    feed = Feed(server)
    known = [JobState(jobs[0], (S.COMPLETED,)), JobState(jobs[1])]

    feed.play(watch([session()], known, wait_plan(0, 60, 1)))

    first_told = next(at for at, e in enumerate(feed.effects) if isinstance(e, Learned))
    first_sent = next(at for at, e in enumerate(feed.effects) if isinstance(e, Send))
    assert first_told < first_sent
    assert feed.effects[first_told] == Learned((), (jobs[0],))


def test_jobs_settled_already_are_handed_out_without_any_request() -> None:
    jobs = ids(2)
    settled = [JobState(job_id, (S.COMPLETED,)) for job_id in jobs]
    feed = Feed(lambda _request: reply(500, b""))

    assert feed.play(watch([session()], settled, wait_plan(10, 60, 1))).unwrap() is None

    assert feed.requests == []
    assert feed.learned == [Learned((), tuple(jobs))]


def test_each_client_polls_its_own_jobs() -> None:
    first, second = ids(2)
    server, asked = server_of(lambda job, poll: ["completed"])
    feed = Feed(server)
    jobs = [JobState(first), JobState(second)]

    feed.play(watch([session(), session()], jobs, wait_plan(10, 60, 1), vias=[0, 1]))

    assert asked == [[first], [second]]
    assert [send.via for send in feed.of(Send)] == [0, 1]


def test_a_timed_out_wait_names_ten_open_jobs_with_their_statuses_and_counts_the_rest() -> None:
    jobs = ids(12)
    server, _ = server_of(lambda job, poll: ["running", "completed"])
    feed = Feed(server)

    fault = feed.play(watch([session()], fresh(jobs), wait_plan(0, 60, 1))).failure()

    shown = ", ".join(f"{job_id} (running)" for job_id in jobs[:10])
    assert (fault.kind, fault.message) == (
        "timeout",
        f"Timed out while waiting for results: 12 of 12 jobs still open: {shown} and 2 more.",
    )


def test_progress_counts_the_jobs_overall_statuses_and_says_what_moved() -> None:
    jobs = ids(2)
    server, _ = server_of(
        lambda job, poll: ["completed"] if job == jobs[0] and poll >= 1 else ["running"]
    )
    feed = Feed(server)

    feed.play(watch([session()], fresh(jobs), wait_plan(1, 60, 1), report=True))

    first, second = [report.progress for report in feed.of(Report)]
    assert (first.counts, first.done, first.total, first.changes) == (((S.RUNNING, 2),), 0, 2, ())
    assert second.counts == ((S.RUNNING, 1), (S.COMPLETED, 1))
    assert [(c.job_id, c.index, c.before, c.after) for c in second.changes] == [
        (jobs[0], None, S.RUNNING, S.COMPLETED),
        (jobs[0], 0, S.RUNNING, S.COMPLETED),
    ]


def test_no_report_is_made_unless_asked_and_a_floored_interval_is_warned_about_first() -> None:
    server, _ = server_of(lambda job, poll: ["completed"])
    feed = Feed(server)
    feed.play(watch([session()], fresh(ids(1)), wait_plan(1, 60, 0)))
    assert feed.of(Report) == []
    assert isinstance(feed.effects[0], Warn)


def test_waiting_on_nothing_asks_nothing() -> None:
    feed = Feed(lambda _request: reply(500, b""))
    assert feed.play(watch([], [], wait_plan(1, 60, 1))).unwrap() is None
    assert feed.effects == []


@settings(max_examples=100)
@given(
    count=st.integers(1, 120),
    ends=st.lists(st.integers(0, 30), min_size=1, max_size=120),
    timeout=st.floats(0, 20),
    latency=st.floats(0, 2),
)
def test_a_wait_ends_never_sleeps_past_its_deadline_and_hands_out_each_job_once(
    count: int, ends: list[int], timeout: float, latency: float
) -> None:
    jobs = ids(count)
    end_of = {job_id: ends[n % len(ends)] for n, job_id in enumerate(jobs)}
    server, _ = server_of(lambda job, poll: ["completed" if poll >= end_of[job] else "running"])
    feed = Feed(server, latency=latency)
    start = feed.now

    result = feed.play(watch([session()], fresh(jobs), wait_plan(timeout, 60, 0.5)))

    handed = [job_id for learned in feed.learned for job_id in learned.finished]
    assert len(handed) == len(set(handed))
    if result.map(lambda _: True).value_or(False):
        assert sorted(handed) == sorted(jobs)
    assert all(end <= start + timeout + 1e-9 for end in feed.sleep_ends())


def test_a_job_whose_handle_holds_data_is_told_at_the_first_poll() -> None:
    jobs = ids(1)
    server, _ = server_of(lambda job, poll: ["running"])
    feed = Feed(server)
    data = JobState(
        jobs[0], (S.RUNNING,), None, msgspec.json.decode(json.dumps(job_65()), type=JobData)
    )

    feed.play(watch([session()], [data], wait_plan(0, 60, 1)))

    assert feed.learned == [Learned((JobState(jobs[0], (S.RUNNING,)),))]


def test_a_job_ending_alone_in_its_batch_keeps_the_whole_reply_and_its_statuses() -> None:
    jobs = ids(1)
    server, _ = server_of(lambda job, poll: ["completed", "failed"])
    feed = Feed(server)

    feed.play(watch([session()], fresh(jobs), wait_plan(10, 60, 1)))

    (state,) = feed.learned[0].states
    assert state.statuses == (S.COMPLETED, S.FAILED)
    assert state.reply == jobs_reply({jobs[0]: ["completed", "failed"]})


def test_the_first_poll_gets_no_longer_than_the_wait() -> None:
    server, _ = server_of(lambda job, poll: ["running"])
    feed = Feed(server)
    feed.play(watch([session()], fresh(ids(1)), wait_plan(3, 60, 10)))
    assert feed.requests[0].timeout == 3.0


def test_a_reply_that_cannot_be_read_ends_the_wait_naming_the_batch() -> None:
    jobs = ids(2)
    feed = Feed(lambda _request: reply(200, b"[]"))
    fault = feed.play(watch([session()], fresh(jobs), wait_plan(10, 60, 1))).failure()
    assert fault.message.startswith(
        f"Could not read the server's reply for fetching job(s) {jobs[0]}, {jobs[1]}: "
    )


def test_progress_counts_from_what_the_handles_knew_and_times_from_the_start() -> None:
    jobs = ids(2)
    server, _ = server_of(lambda job, poll: ["running"])
    feed = Feed(server, latency=0.25)
    known = [JobState(jobs[0], (S.COMPLETED,)), JobState(jobs[1], (S.PENDING,))]

    feed.play(watch([session()], known, wait_plan(0, 60, 1), report=True))

    (report,) = feed.of(Report)
    assert report.progress.counts == ((S.RUNNING, 1), (S.COMPLETED, 1))
    assert report.progress.elapsed_seconds == 0.25
    assert [(c.before, c.after) for c in report.progress.changes] == [
        (S.PENDING, S.RUNNING),
        (S.PENDING, S.RUNNING),
    ]


def test_a_backoff_wait_starts_over_when_any_job_moves() -> None:
    jobs = ids(2)
    server, _ = server_of(lambda job, poll: ["running" if poll < 3 else "pending"])
    feed = Feed(server)

    feed.play(watch([session()], fresh(jobs), wait_plan(9, 60, Backoff(1, 2, 30))))

    assert [sleep.seconds for sleep in feed.of(Sleep)][:4] == [1, 2, 4, 1]


def test_a_timed_out_wait_names_the_open_jobs_in_the_order_given_across_clients() -> None:
    jobs = ids(3)[::-1]  # not in the order of their ids
    server, _ = server_of(lambda job, poll: ["running"])
    feed = Feed(server)
    vias = [1, 0, 1]

    fault = feed.play(
        watch([session(), session()], fresh(jobs), wait_plan(0, 60, 1), vias=vias)
    ).failure()

    shown = ", ".join(f"{job_id} (running)" for job_id in jobs)
    assert fault.message == f"Timed out while waiting for results: 3 of 3 jobs still open: {shown}."


@pytest.mark.parametrize(("count", "more"), [(10, ""), (11, " and 1 more")])
def test_ten_open_jobs_are_named_and_only_more_are_counted(count: int, more: str) -> None:
    server, _ = server_of(lambda job, poll: ["running"])
    fault = Feed(server).play(watch([session()], fresh(ids(count)), wait_plan(0, 60, 1)))
    assert fault.failure().message.endswith(f"(running){more}.")


def test_jobs_that_end_in_one_poll_are_handed_out_in_the_order_given() -> None:
    jobs = ids(3)[::-1]  # not in the order of their ids
    server, _ = server_of(lambda job, poll: ["completed"])
    feed = Feed(server)
    vias = [1, 0, 1]

    feed.play(watch([session(), session()], fresh(jobs), wait_plan(5, 60, 1), vias=vias))

    assert [learned.finished for learned in feed.learned if learned.finished] == [tuple(jobs)]


def test_a_floored_interval_is_warned_about_in_the_plans_words() -> None:
    plan = wait_plan(1, 60, 0)
    server, _ = server_of(lambda job, poll: ["completed"])
    feed = Feed(server)
    feed.play(watch([session()], fresh(ids(1)), plan))
    assert feed.effects[0] == Warn(plan.warning or "")
