"""`sqcore.engine.submit`, fed outcomes: a submission returns its job, is never sent twice
after it may have been taken, is looked up once by its tag when its reply may be lost, and
marks every request and sleep that may leave a job behind with the words to say."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore.engine.effects import Abandoned, JobState, Log, Now, Send, Sleep, Warn
from sqcore.engine.session import Session, Submitting
from sqcore.engine.submit import create
from tests.engine.feed import Feed, Server, always, in_turn, reply, session
from tests.fixtures import JOB_65, JOB_66, job_65, reply_of
from transports import Request, Response, TransportError

RANDOM = uuid.UUID(int=7)
TAG = f"sqcore-submission:{RANDOM}"
CREATED = reply(200, {"job_id": JOB_65, "num_circuits": 1})
LOST = TransportError("timeout", "the reply never came")
CONTACT = (
    "\n\nIf you would like to contact a member of our team, email us at superstaq@infleqtion.com."
)


def submitting(made: Session, *, tag: bool = True) -> Submitting:
    return made.submission(
        "circuits", {"target": "ss_unconstrained_simulator", "submission_tag": tag}, RANDOM
    )


def by_method(post: Response | TransportError, get: Response | TransportError) -> Server:
    def server(request: Request) -> Response | TransportError:
        return post if request.method == "POST" else get

    return server


def test_a_submission_returns_its_job_and_shows_the_replys_warnings() -> None:
    answer = reply(200, {"job_id": JOB_65, "num_circuits": 1, "warnings": [{"message": "hm"}]})
    feed = Feed(always(answer))

    created = feed.play(create(session(), submitting(session()))).unwrap()

    assert created == JobState(JOB_65)
    assert feed.of(Warn) == [Warn("hm")]
    (request,) = feed.requests
    assert request.method == "POST"
    assert TAG.encode() in (request.body or b"")


def test_every_request_of_a_submission_says_what_it_leaves_behind_if_abandoned() -> None:
    feed = Feed(always(CREATED))
    feed.play(create(session(), submitting(session())))
    (send,) = feed.of(Send)
    assert send.abandoned == Abandoned(
        f"submitting a job to ss_unconstrained_simulator (submission tag {TAG})",
        f"The job may have been created: look for it with find_jobs(tags=['{TAG}']) before "
        "submitting again.",
    )
    assert send.abandoned.said("KeyboardInterrupt") == (
        f"submitting a job to ss_unconstrained_simulator (submission tag {TAG}) was stopped by "
        "KeyboardInterrupt after its request was sent. The job may have been created: look "
        f"for it with find_jobs(tags=['{TAG}']) before submitting again."
    )


def test_a_lost_reply_is_looked_up_by_its_tag_and_the_job_found_is_returned_and_logged() -> None:
    found = reply(200, reply_of({JOB_65: job_65(tags=["mine", TAG])}))
    feed = Feed(by_method(LOST, found))

    created = feed.play(create(session(), submitting(session()))).unwrap()

    assert created.job_id == JOB_65 and created.data is not None and created.reply is None
    post, get = feed.requests
    assert post.method == "POST"
    assert get.method == "GET" and "tags=sqcore-submission" in get.url
    (line,) = [log.template % log.args for log in feed.of(Log) if log.level == "info"]
    assert line == (
        "submitting a job to ss_unconstrained_simulator: its reply was lost, but the job was "
        f"created: found job {JOB_65} by its submission tag {TAG}"
    )
    assert all(send.abandoned is not None for send in feed.of(Send))  # the lookup's too


def test_a_job_the_lookup_lists_without_the_tag_is_not_taken_for_the_submission() -> None:
    others = reply(200, reply_of({JOB_66: job_65(tags=["someone-elses"]), JOB_65: job_65()}))
    feed = Feed(by_method(LOST, others))

    fault = feed.play(create(session(), submitting(session()))).failure()

    assert fault.may_have_been_created and fault.submission_tag == TAG
    assert [log.template % log.args for log in feed.of(Log) if log.level == "info"] == [
        f"submitting a job to ss_unconstrained_simulator: no job found by its submission tag {TAG}"
    ]


def test_a_lookup_that_finds_nothing_leaves_the_submissions_fault() -> None:
    feed = Feed(by_method(LOST, reply(200, b"{}")))

    fault = feed.play(create(session(), submitting(session()))).failure()

    assert fault.may_have_been_created and fault.submission_tag == TAG
    assert fault.message.endswith(f"find_jobs(tags=['{TAG}']) before submitting again.")
    assert [log.template % log.args for log in feed.of(Log) if log.level == "info"] == [
        f"submitting a job to ss_unconstrained_simulator: no job found by its submission tag {TAG}"
    ]


def test_a_lookup_that_fails_says_why_and_its_sleeps_say_the_job_may_exist() -> None:
    busy = reply(503, {"detail": "the lookup is down"})
    feed = Feed(by_method(LOST, busy))

    fault = feed.play(create(session(max_retry_seconds=1), submitting(session()))).failure()

    assert fault.may_have_been_created
    (line,) = [
        log.template % log.args
        for log in feed.of(Log)
        if log.level == "info" and "failed" in log.template % log.args
    ]
    assert "looking it up by its submission tag" in line and "the lookup is down" in line
    assert feed.of(Sleep) and all(sleep.abandoned is not None for sleep in feed.of(Sleep))


def test_without_a_tag_nothing_is_looked_up_and_the_advice_names_the_start() -> None:
    feed = Feed(always(LOST))

    fault = feed.play(create(session(), submitting(session(), tag=False))).failure()

    assert len(feed.requests) == 1
    assert fault.submission_tag is None
    # the feed's wall clock at the start is 08:16:40 (EPOCH + 1000); ten minutes before it:
    assert "submitted_after=datetime.fromisoformat('2027-01-15T08:06:40+00:00')" in fault.message


def test_a_reply_that_cannot_be_read_came_with_a_2xx_so_the_job_is_looked_up() -> None:
    feed = Feed(by_method(reply(200, {"job_id": "nope"}), reply(200, b"{}")))

    fault = feed.play(create(session(), submitting(session()))).failure()

    assert fault.may_have_been_created
    assert fault.message.startswith("Could not read the server's reply for submitting a job to ")
    assert len(feed.requests) == 2


@settings(max_examples=100)
@given(
    posts=st.lists(
        st.sampled_from(
            [
                TransportError("connect", "refused"),
                TransportError("timeout", "slow"),
                reply(503, b""),
                reply(500, b""),
                CREATED,
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_submission_is_posted_again_only_while_it_was_provably_not_taken(
    posts: list[Response | TransportError],
) -> None:
    sent: list[Response | TransportError] = []
    posting = in_turn(*posts)

    def server(request: Request) -> Response | TransportError:
        if request.method != "POST":
            return reply(200, b"{}")
        answer = posting(request)
        sent.append(answer)
        return answer

    Feed(server).play(create(session(), submitting(session())))

    for answer in sent[:-1]:
        assert answer in (TransportError("connect", "refused"), reply(503, b""))


def test_a_submission_reads_the_clock_once_before_it_is_sent() -> None:
    feed = Feed(always(CREATED))
    feed.play(create(session(), submitting(session())))
    assert [type(effect) for effect in feed.effects] == [Now, Send]


def test_a_lookup_that_fails_logs_the_fault_as_its_exception_says_it() -> None:
    feed = Feed(by_method(LOST, reply(500, {"detail": "down"})))
    feed.play(create(session(), submitting(session())))
    (line,) = [log.template % log.args for log in feed.of(Log)]
    assert line.endswith("failed: down (Status code: 500)" + CONTACT)


def test_without_a_tag_the_advice_names_the_users_tags_else_the_target() -> None:
    made = session()
    with_tags = made.submission("c", {"target": "t", "tags": ["mine"]}, RANDOM)
    without = made.submission("c", {"target": "t"}, RANDOM)
    feed = Feed(always(LOST))

    tagged_fault = feed.play(create(made, with_tags)).failure()
    target_fault = feed.play(create(made, without)).failure()

    assert tagged_fault.message == (
        "Request failed while submitting a job to t, after it was sent: timeout: the reply "
        "never came. The job may have been created: look for it with find_jobs(tags=['mine'], "
        "submitted_after=datetime.fromisoformat('2027-01-15T08:06:40+00:00')) before "
        "submitting again."
    )
    assert "find_jobs(targets=['t'], submitted_after=" in target_fault.message
    assert [send.abandoned.what for send in feed.of(Send) if send.abandoned] == [
        "submitting a job to t",
        "submitting a job to t",
    ]


def test_an_unreadable_reply_to_a_submission_is_a_superstaq_exception() -> None:
    feed = Feed(always(reply(200, {"job_id": "nope"})))
    fault = feed.play(create(session(), submitting(session(), tag=False))).failure()
    assert (fault.kind, fault.may_have_been_created, fault.submission_tag) == (
        "superstaq",
        True,
        None,
    )
