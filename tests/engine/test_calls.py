"""`sqcore.engine.calls`, fed outcomes: one request with its retries (`call`), a fetch in
batches within one budget (`fetch_each`), cancel and find. What each asks of the world is
read from its effects."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore.core.query import FindAgain, JobQuery
from sqcore.core.replies import parse_poll_reply
from sqcore.engine.calls import (
    MIN_RETRY_ATTEMPT_SECONDS,
    attempt_timeout,
    call,
    cancel,
    fetch_each,
    fetch_jobs,
    find,
)
from sqcore.engine.effects import Abandoned, Draw, Log, Now, Send, Sleep, Warn
from sqcore.engine.session import MIN_ATTEMPT_SECONDS, Budget
from tests.engine.feed import (
    KEY,
    Feed,
    always,
    ids_asked,
    in_turn,
    jobs_reply,
    reply,
    session,
)
from tests.fixtures import JOB_65, JOB_66, JOB_68, fixture
from transports import Request, Response, TransportError

OK = reply(200, b"{}")
BUSY = reply(503, {"detail": "busy"})
FIND_AGAIN = FindAgain("The job may have been created: look for it.", "sqcore-submission:x")
ABANDONED = Abandoned("submitting a job to t", FIND_AGAIN.advice)


def fetch_request(timeout: float) -> Request:
    return Request("GET", "https://superstaq.example/v0.3.0/client/job/cirq", {}, None, timeout)


def test_a_request_answered_at_once_is_one_reading_of_the_clock_and_one_send() -> None:
    feed = Feed(always(OK), latency=0.25)

    body = feed.play(call(session(), fetch_request, "fetching"))

    assert body.unwrap() == b"{}"
    assert [type(effect) for effect in feed.effects] == [Now, Send]
    (send,) = feed.of(Send)
    assert send.request.timeout == 30.0  # the bound: the first attempt has the budget's 60 s
    assert send.via == 0  # through the operation's own client


def test_a_busy_server_is_asked_again_after_a_jittered_backoff_said_in_the_log() -> None:
    feed = Feed(in_turn(BUSY, BUSY, OK), draws=[0.0, 0.999])

    body = feed.play(call(session(), fetch_request, "fetching"))

    assert body.unwrap() == b"{}"
    assert [sleep.seconds for sleep in feed.of(Sleep)] == [0.05, 0.2 * (0.5 + 0.5 * 0.999)]
    assert len(feed.of(Draw)) == 2
    infos = [log.template % log.args for log in feed.of(Log)]
    assert infos == [
        "retrying fetching in 0.05 s after: 503 busy",
        "retrying fetching in 0.20 s after: 503 busy",
    ]


def test_retries_end_with_the_retries_fault_once_the_budget_is_spent() -> None:
    feed = Feed(always(BUSY))

    fault = feed.play(call(session(max_retry_seconds=5), fetch_request, "fetching")).failure()

    assert fault.kind == "retries"
    assert fault.message == "Reached maximum number of retries. Last error: 503 busy"
    assert sum(sleep.seconds for sleep in feed.of(Sleep)) <= 5


def test_a_fault_no_retry_can_fix_ends_the_call_at_once_in_the_sessions_words() -> None:
    feed = Feed(always(reply(401, "Not authorized")))

    fault = feed.play(call(session(), fetch_request, "fetching")).failure()

    assert (fault.kind, fault.status_code) == ("server", 401)
    assert "Not authorized" in fault.message
    assert len(feed.requests) == 1


def test_a_key_the_server_echoes_is_redacted_from_the_fault_and_the_log() -> None:
    feed = Feed(in_turn(reply(503, {"detail": f"no {KEY}"}), reply(500, {"detail": KEY})))

    fault = feed.play(call(session(), fetch_request, "fetching")).failure()

    said = [fault.message] + [log.template % log.args for log in feed.of(Log)]
    assert all(KEY not in text for text in said)
    assert "<redacted>" in fault.message


def test_a_submission_after_a_possible_delivery_is_not_sent_again_and_says_how_to_find_it() -> None:
    feed = Feed(always(TransportError("timeout", "read timed out")))

    fault = feed.play(
        call(
            session(),
            fetch_request,
            "submitting a job to t",
            submission=FIND_AGAIN,
            abandoned=ABANDONED,
        )
    ).failure()

    assert len(feed.requests) == 1
    assert fault.kind == "superstaq"
    assert fault.may_have_been_created
    assert fault.submission_tag == "sqcore-submission:x"
    assert fault.message == (
        "Request failed while submitting a job to t, after it was sent: timeout: read timed "
        "out. The job may have been created: look for it."
    )


def test_a_submission_never_taken_is_sent_again_and_only_its_requests_say_they_may_create() -> None:
    feed = Feed(in_turn(TransportError("connect", "refused"), BUSY, OK))

    feed.play(call(session(), fetch_request, "s", submission=FIND_AGAIN, abandoned=ABANDONED))

    assert [send.abandoned for send in feed.of(Send)] == [ABANDONED] * 3
    assert [sleep.abandoned for sleep in feed.of(Sleep)] == [None, None]  # not taken yet


def test_a_lookups_sleeps_say_the_job_may_exist_too() -> None:
    feed = Feed(in_turn(BUSY, OK))

    feed.play(call(session(), fetch_request, "finding jobs", abandoned=ABANDONED))

    assert [sleep.abandoned for sleep in feed.of(Sleep)] == [ABANDONED]


outcomes = st.sampled_from(
    [
        TransportError("connect", "refused"),
        TransportError("timeout", "slow"),
        TransportError("protocol", "reset"),
        TransportError("tls", "bad"),
        reply(503, b""),
        reply(429, b"", **{"Retry-After": "2"}),
        reply(500, b""),
        reply(502, b""),
        reply(422, b'{"detail": "bad"}'),
        reply(200, b'{"job_id": "x"}'),
    ]
)


@settings(max_examples=200)
@given(answers=st.lists(outcomes, min_size=1, max_size=12), budget=st.floats(0, 120))
def test_a_submission_is_never_sent_again_after_it_may_have_been_taken(
    answers: list[Response | TransportError], budget: float
) -> None:
    feed = Feed(in_turn(*answers), latency=0.5)

    result = feed.play(
        call(session(max_retry_seconds=budget), fetch_request, "s", submission=FIND_AGAIN)
    )

    # Every answer but the last was one the server provably did not take.
    not_taken = ("connect", 503, 429)
    for answer in answers[: len(feed.requests) - 1]:
        kind = answer.kind if isinstance(answer, TransportError) else answer.status
        assert kind in not_taken
    if not is_successful(result):
        last = answers[min(len(feed.requests), len(answers)) - 1]
        kind = last.kind if isinstance(last, TransportError) else last.status
        assert result.failure().may_have_been_created == (kind in ("timeout", "protocol", 500, 502))


@settings(max_examples=200)
@given(
    attempt=st.integers(0, 5),
    now=st.floats(0, 200),
    deadline=st.none() | st.floats(0, 200),
    budget=st.floats(0, 100),
    bound=st.floats(0.01, 60),
)
def test_an_attempt_never_gets_longer_than_the_bound_nor_past_what_is_left(
    attempt: int, now: float, deadline: float | None, budget: float, bound: float
) -> None:
    settings_ = session(max_retry_seconds=budget, request_timeout_seconds=bound)
    began = 0.0
    limits = settings_.budget(began, deadline)

    timeout = attempt_timeout(settings_, limits, attempt, now)

    assert timeout >= MIN_RETRY_ATTEMPT_SECONDS or timeout == bound
    assert timeout <= bound
    if attempt > 0:
        assert timeout <= max(limits.retries_end - now, MIN_RETRY_ATTEMPT_SECONDS)
    elif deadline is not None and now < began + MIN_ATTEMPT_SECONDS:
        assert timeout >= min(bound, began + MIN_ATTEMPT_SECONDS - now)


def test_a_first_attempt_may_overrun_a_deadline_already_past_for_one_check() -> None:
    budget = Budget(deadline=100.0, retries_end=100.0, floor_end=101.0)
    assert attempt_timeout(session(), budget, 0, 100.0) == 1.0


def test_a_fetch_of_many_jobs_asks_in_batches_that_share_one_budget() -> None:
    ids = [str(uuid.UUID(int=n)) for n in range(200)]
    seen: list[list[str]] = []

    def server(request: Request) -> Response:
        asked = ids_asked(request)
        seen.append(asked)
        return reply(200, jobs_reply({job: ["running"] for job in asked}))

    feed = Feed(server)

    polled = feed.play(fetch_each(session(), ids, None, parse_poll_reply)).unwrap()

    assert [job for batch in seen for job in batch] == ids
    assert len(seen) == 3  # 89 ids fit in a URL
    assert [job for poll in polled for job in poll.statuses] == ids
    assert len(feed.of(Now)) == 3  # the budget's start, then one as each later batch begins


def test_a_fetch_shows_the_replys_warnings_redacted() -> None:
    body = jobs_reply({JOB_65: ["running"]})[:-1] + b', "warnings": [{"message": "' + KEY.encode()
    body += b' retires"}]}'
    feed = Feed(always(reply(200, body)))

    feed.play(fetch_each(session(), [JOB_65], None, parse_poll_reply))

    assert feed.of(Warn) == [Warn("<redacted> retires")]


def test_fetch_jobs_reads_every_job_in_full() -> None:
    feed = Feed(always(reply(200, fixture("fetch_two_jobs.json"))))

    jobs = feed.play(fetch_jobs(session(), [JOB_65, JOB_68])).unwrap()

    assert set(jobs) == {JOB_65, JOB_68}


def test_a_cancel_of_nothing_asks_nothing_and_a_cancel_returns_what_was_cancelled() -> None:
    feed = Feed(always(reply(200, {"succeeded": [JOB_65], "message": "ok"})))

    assert feed.play(cancel(session(), [])).unwrap() == []
    assert feed.effects == []
    assert feed.play(cancel(session(), [JOB_65, JOB_66])).unwrap() == [JOB_65]
    (request,) = feed.requests
    assert request.method == "PUT"


def test_a_search_keeps_only_the_ids_it_named() -> None:
    feed = Feed(always(reply(200, fixture("fetch_two_jobs.json"))))
    made = session()

    found = feed.play(find(made, made.find(JobQuery(job_ids=(JOB_68,))), (JOB_68,))).unwrap()

    assert [state.job_id for state in found] == [JOB_68]
    assert found[0].data is not None and found[0].statuses == tuple(found[0].data.statuses)


def test_each_retry_backs_off_twice_as_long_as_the_last() -> None:
    feed = Feed(in_turn(BUSY, BUSY, BUSY, OK), draws=[0.0])
    feed.play(call(session(), fetch_request, "fetching"))
    assert [sleep.seconds for sleep in feed.of(Sleep)] == [0.05, 0.1, 0.2]


def test_a_retry_after_date_is_read_against_the_wall_clock() -> None:
    feed = Feed(in_turn(reply(503, b"", **{"Retry-After": "Fri, 15 Jan 2027 08:17:10 GMT"}), OK))
    feed.play(call(session(), fetch_request, "fetching"))
    (sleep,) = feed.of(Sleep)
    assert sleep.seconds == 30.0  # the feed's wall clock reads 08:16:40


def test_a_retry_gets_only_what_is_left_of_the_retries() -> None:
    feed = Feed(in_turn(BUSY, OK), latency=2.0, draws=[0.0])
    feed.play(call(session(max_retry_seconds=10), fetch_request, "fetching"))
    first, second = feed.requests
    assert first.timeout == 10.0  # the budget (under the 30 s bound)
    # what is left after the request and the backoff
    assert second.timeout == pytest.approx(10.0 - 2.0 - 0.05)


def test_a_fetch_under_a_deadline_gives_its_first_request_no_more_than_the_deadline() -> None:
    feed = Feed(always(reply(200, jobs_reply({JOB_65: ["running"]}))))
    feed.play(fetch_each(session(), [JOB_65], 1000.0 + 4.0, parse_poll_reply))
    (request,) = feed.requests
    assert request.timeout == 4.0


def test_a_fetchs_faults_name_what_it_was_fetching() -> None:
    feed = Feed(always(TransportError("tls", "bad certificate")))
    fault = feed.play(fetch_each(session(), [JOB_65], None, parse_poll_reply)).failure()
    assert fault.message == f"Request failed while fetching job(s) {JOB_65}: tls: bad certificate"

    feed = Feed(always(reply(200, b"[]")))
    fault = feed.play(fetch_each(session(), [JOB_65], None, parse_poll_reply)).failure()
    assert fault.message.startswith(
        f"Could not read the server's reply for fetching job(s) {JOB_65}: "
    )


def test_a_fetch_carries_a_calls_credentials_and_otherwise_the_clients() -> None:
    made = session(ibmq_token="client-token")
    feed = Feed(always(reply(200, fixture("fetch_completed_single.json"))))

    feed.play(fetch_jobs(made, [JOB_65], made.headers({"ibmq_token": "call-token"})))
    feed.play(fetch_jobs(made, [JOB_65]))

    assert [request.headers["ibmq_token"] for request in feed.requests] == [
        "call-token",
        "client-token",
    ]
    assert [send.via for send in feed.of(Send)] == [0, 0]


def test_a_request_through_another_client_draws_from_that_clients_source() -> None:
    feed = Feed(in_turn(BUSY, OK))
    feed.play(call(session(), fetch_request, "fetching", via=2))
    assert [send.via for send in feed.of(Send)] == [2, 2]
    assert feed.of(Draw) == [Draw(2)]


def test_a_cancels_fault_and_warnings_name_what_it_was_cancelling() -> None:
    warned = reply(200, {"succeeded": [], "message": "", "warnings": [{"message": "later"}]})
    feed = Feed(in_turn(warned, TransportError("tls", "no")))

    feed.play(cancel(session(), [JOB_65]))
    fault = feed.play(cancel(session(), [JOB_65])).failure()

    assert feed.of(Warn) == [Warn("later")]
    assert fault.message == f"Request failed while cancelling job(s) {JOB_65}: tls: no"


def test_a_searchs_fault_says_it_was_finding_jobs() -> None:
    made = session()
    feed = Feed(always(TransportError("tls", "no")))
    fault = feed.play(find(made, made.find(JobQuery(tags=("a",))))).failure()
    assert fault.message == "Request failed while finding jobs: tls: no"


def test_a_retry_is_said_at_info() -> None:
    feed = Feed(in_turn(BUSY, OK))
    feed.play(call(session(), fetch_request, "fetching"))
    assert [log.level for log in feed.of(Log)] == ["info"]


def test_a_cancel_of_several_jobs_names_them_all_and_carries_a_calls_credentials() -> None:
    made = session()
    feed = Feed(always(TransportError("tls", "no")))
    headers = made.headers({"cq_token": "call-token"})

    fault = feed.play(cancel(made, [JOB_65, JOB_66], headers)).failure()

    assert fault.message == f"Request failed while cancelling job(s) {JOB_65}, {JOB_66}: tls: no"
    assert feed.requests[0].headers["cq_token"] == "call-token"


def test_replies_that_cannot_be_read_name_the_cancel_and_the_search() -> None:
    made = session()
    feed = Feed(always(reply(200, b"[]")))
    cancelled = feed.play(cancel(made, [JOB_65])).failure()
    found = feed.play(find(made, made.find(JobQuery(tags=("a",))))).failure()
    assert cancelled.message.startswith(
        f"Could not read the server's reply for cancelling job(s) {JOB_65}: "
    )
    assert found.message.startswith("Could not read the server's reply for finding jobs: ")
