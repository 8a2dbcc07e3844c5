"""Finding jobs again, on both shells (each test taking the `shell` fixtures runs on the
blocking `Client` and on `sqcore.aio`; see conftest.py; the last two are each shell's own
interruption), on the in-process emulator and a fake clock.

`find_jobs` sends upstream's `JobQuery` and returns jobs whose data is cached. A submission
whose reply may be lost after it reached the server (a timeout or broken reply after the
request was sent, a 500) raises a `SuperstaqException` with `may_have_been_created=True`
whose message names the `find_jobs` call that finds the job; with `submission_tag=True` the
client makes that call itself, once, and returns the job it finds.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import uuid

import pytest
from returns.result import Failure, Result

from sqcore import CircuitStatus, Client, SuperstaqException, SuperstaqServerException
from sqcore.aio import AsyncClient
from tests.aio.conftest import MakeShell
from tests.aio.shells import HOST, KEY, AnyJob, AsyncFakeClock, Shell
from tests.fakes import EPOCH, FakeClock, json_reply
from transports import FunctionTransport, Request, Response, TransportError
from transports.emulator import Emulator

S = CircuitStatus
CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}]'
TARGET = "ss_unconstrained_simulator"
UTC = datetime.timezone.utc
TAG = re.compile(r"sqcore-submission:([0-9a-f-]{36})")


def ids(jobs: list[AnyJob]) -> list[str]:
    return [str(job.job_id()) for job in jobs]


# -- find_jobs -------------------------------------------------------------------------------


async def test_found_jobs_carry_their_data_so_reading_it_makes_no_request(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    done = emulator.create_job(num_circuits=2, durations=0, tags=("run-7",))
    emulator.create_job(tags=("run-8",))
    clock.advance(1)

    (job,) = await shell.find(tags=["run-7"])
    count = emulator.request_count

    assert str(job.job_id()) == done
    assert (await job.data()).tags == ["run-7"]
    assert await job.status() is S.COMPLETED
    assert (await job.to_dict())["statuses"] == ["completed", "completed"]
    assert emulator.request_count == count == 1


async def test_every_filter_is_sent_as_upstreams_query_and_the_emulator_applies_it(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    early = emulator.create_job(target="ibmq_brisbane_qpu", durations=60)
    clock.advance(10)
    late = emulator.create_job(target="ibmq_brisbane_qpu", durations=60)
    emulator.create_job(target=TARGET, durations=60)
    half_way = datetime.datetime.fromtimestamp(EPOCH + clock.now - 5, UTC)

    assert ids(await shell.find(targets=["ibmq_brisbane_qpu"])) == [early, late]
    assert ids(await shell.find(targets=["ibmq_brisbane_qpu"], submitted_after=half_way)) == [late]
    assert ids(await shell.find(submitted_before=half_way)) == [early]
    assert ids(await shell.find(statuses=[S.RECEIVED], job_ids=[late.upper()])) == [late]
    assert ids(await shell.find(statuses=["completed"])) == []
    assert ids(await shell.find(user_emails=["emulator@example.com"], min_priority=0)) == [
        early,
        late,
        *ids(await shell.find(targets=[TARGET])),
    ]
    assert ids(await shell.find(max_priority=-1)) == []


async def test_a_found_job_that_is_still_open_refreshes_like_any_job(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    emulator.create_job(durations=3.0, tags=("slow",))

    (job,) = await shell.find(tags=["slow"])
    assert (await job.data()).statuses == [S.RECEIVED]
    clock.advance(5)

    assert await job.status() is S.COMPLETED


@pytest.mark.parametrize(
    ("filters", "error", "words"),
    [
        ({"submitted_after": datetime.datetime(2027, 1, 1)}, ValueError, "submitted_after must be"),
        ({"submitted_before": "2027-01-01"}, TypeError, "submitted_before must be a datetime"),
        ({"statuses": ["done"]}, ValueError, "statuses[0] 'done' is not one of received"),
        ({"statuses": [3]}, TypeError, "statuses[0] must be a CircuitStatus"),
        ({"tags": "run-7"}, TypeError, "tags must be a sequence, not a single str"),
        ({"tags": 7}, TypeError, "tags must be a sequence, not int"),
        ({"user_emails": ["a@b.c", None]}, TypeError, "user_emails[1] must be a str, not NoneType"),
        ({"targets": [""]}, ValueError, "targets[0] must not be empty"),
        ({"job_ids": ["nope"]}, ValueError, "'nope' is not a valid job id"),
        ({"min_priority": 5, "max_priority": 1}, ValueError, "min_priority 5 is above"),
        ({"min_priority": True}, TypeError, "min_priority must be an int"),
        (
            {
                "submitted_after": datetime.datetime(2027, 1, 2, tzinfo=UTC),
                "submitted_before": datetime.datetime(2027, 1, 1, tzinfo=UTC),
            },
            ValueError,
            "is not before submitted_before",
        ),
        ({"tags": ["x" * 5000]}, ValueError, "over the 4000 that fit"),
        ({"tag": ["x"]}, TypeError, "find_jobs() got unexpected keyword argument(s) 'tag'"),
    ],
)
async def test_a_bad_filter_is_refused_by_name_before_any_request(
    shell: Shell, emulator: Emulator, filters: dict[str, object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=re.escape(words)):
        await shell.find(**filters)

    assert emulator.request_count == 0


async def test_a_naive_time_is_refused_saying_it_needs_a_zone(
    shell: Shell, emulator: Emulator
) -> None:
    with pytest.raises(ValueError, match=r"submitted_before must be timezone-aware") as caught:
        await shell.find(submitted_before=datetime.datetime(2027, 1, 15, 8, 0))

    assert "2027-01-15T08:00:00" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"not-a-job": {}}', "the key 'not-a-job' is not a job id (a UUID) (at $)"),
        (b"[]", "the reply is not a JSON object of jobs"),
        (
            b'{"00000000-0000-0000-0000-000000000065": {"statuses": "x"}}',
            "job 00000000-0000-0000-0000-000000000065",
        ),
    ],
)
async def test_a_reply_that_is_not_the_documented_shape_is_a_superstaq_exception(
    make_shell: MakeShell, body: bytes, words: str
) -> None:
    shell = make_shell(FunctionTransport(lambda _request: json_reply(200, body)))

    with pytest.raises(SuperstaqException, match=re.escape(words)) as caught:
        await shell.find(tags=["x"])

    assert caught.value.may_have_been_created is False


async def test_a_query_is_retried_as_every_other_call(
    make_shell: MakeShell, emulator: Emulator, clock: FakeClock
) -> None:
    job = emulator.create_job(tags=("t",))
    inner = emulator.transport()
    replies: list[Response | TransportError] = [
        json_reply(503, b'{"detail": "busy"}'),
        TransportError("protocol", "reset"),
    ]

    def handler(request: Request) -> Response | TransportError:
        return replies.pop(0) if replies else inner.send(request).unwrap()

    shell = make_shell(FunctionTransport(handler))

    assert ids(await shell.find(tags=["t"])) == [job]
    assert len(clock.sleeps) == 2


# -- submissions that can be found again -----------------------------------------------------


def delivered_then(
    emulator: Emulator, outcome: Response | TransportError, *, deliver: bool = True
) -> FunctionTransport:
    """The emulator, but every POST (delivered to it when `deliver`: the job is created) is
    answered with `outcome`: the reply is lost, or the server fails after taking it."""
    inner = emulator.transport()

    def handler(request: Request) -> Response | TransportError:
        if request.method == "POST":
            if deliver:
                inner.send(request)
            return outcome
        return inner.send(request).unwrap()

    return FunctionTransport(handler)


LOST = TransportError("timeout", "no reply within 30 s")


async def test_by_default_the_body_is_upstreams_new_job_with_the_users_tags_untouched(
    shell: Shell, emulator: Emulator
) -> None:
    job = await shell.create(CIRCUITS, target=TARGET, tags=["a", "b"])

    assert emulator.submitted(str(job.job_id())).tags == ("a", "b")


async def test_a_submission_tag_is_one_more_tag_a_fresh_uuid4_after_the_users(
    shell: Shell, emulator: Emulator
) -> None:
    first = await shell.create(CIRCUITS, target=TARGET, tags=["a"], submission_tag=True)
    second = await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    tags = emulator.submitted(str(first.job_id())).tags
    assert tags[0] == "a" and len(tags) == 2
    match = TAG.fullmatch(tags[1])
    assert match is not None and uuid.UUID(match.group(1)).version == 4
    assert emulator.submitted(str(second.job_id())).tags[0] != tags[1]


async def test_a_lost_reply_with_a_submission_tag_is_found_again_by_it_and_logged(
    make_shell: MakeShell, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    shell = make_shell(delivered_then(emulator, LOST))
    caplog.set_level(logging.INFO, logger="sqcore")

    job = await shell.create(CIRCUITS, target=TARGET, tags=["mine"], submission_tag=True)

    assert emulator.jobs_posted == 1
    (posted,) = [r.job_ids[0] for r in emulator.requests if r.method == "POST"]
    assert str(job.job_id()) == posted
    assert (await job.data()).tags[0] == "mine"
    (line,) = [r.getMessage() for r in caplog.records if "found job" in r.getMessage()]
    assert f"found job {posted} by its submission tag sqcore-submission:" in line


async def test_a_500_after_the_body_was_sent_is_found_again_by_the_tag(
    make_shell: MakeShell, emulator: Emulator
) -> None:
    shell = make_shell(delivered_then(emulator, json_reply(500, b'{"detail": "kaput"}')))

    job = await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    assert [str(job.job_id())] == [r.job_ids[0] for r in emulator.requests if r.method == "POST"]


@pytest.mark.parametrize(
    "outcome",
    [LOST, TransportError("protocol", "connection reset"), json_reply(500, b'{"detail": "x"}')],
    ids=["timeout", "broken reply", "500"],
)
async def test_without_a_tag_a_possible_delivery_says_so_and_names_a_call_that_finds_the_job(
    make_shell: MakeShell, emulator: Emulator, outcome: Response | TransportError
) -> None:
    shell = make_shell(delivered_then(emulator, outcome))

    with pytest.raises(SuperstaqException) as caught:
        await shell.create(CIRCUITS, target=TARGET, tags=["run-9"])

    error = caught.value
    assert error.may_have_been_created is True
    assert error.submission_tag is None
    assert isinstance(error, SuperstaqServerException) == isinstance(outcome, Response)
    call = re.search(r"look for it with find_jobs\((.*)\) before submitting again", str(error))
    assert call is not None
    filters = eval(f"dict({call.group(1)})", {"datetime": datetime.datetime})
    assert ids(await shell.find(**filters)) == [
        r.job_ids[0] for r in emulator.requests if r.method == "POST"
    ]


@pytest.mark.parametrize(
    "outcome", [LOST, json_reply(500, b'{"detail": "x"}')], ids=["timeout", "500"]
)
async def test_a_tagged_submission_not_found_again_raises_with_its_tag(
    make_shell: MakeShell, emulator: Emulator, outcome: Response | TransportError
) -> None:
    shell = make_shell(delivered_then(emulator, outcome, deliver=False))

    with pytest.raises(SuperstaqException) as caught:
        await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    error = caught.value
    assert error.may_have_been_created is True
    assert error.submission_tag is not None and TAG.fullmatch(error.submission_tag)
    assert f"look for it with find_jobs(tags=['{error.submission_tag}'])" in str(error)
    assert [r.method for r in emulator.requests] == ["GET"]  # one lookup, nothing found


async def test_a_lookup_that_fails_itself_raises_the_submissions_error(
    make_shell: MakeShell, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    inner = emulator.transport()

    def handler(request: Request) -> Response | TransportError:
        if request.method == "POST":
            inner.send(request)
            return LOST
        return json_reply(500, b'{"detail": "the lookup is down"}')

    shell = make_shell(FunctionTransport(handler))
    caplog.set_level(logging.INFO, logger="sqcore")

    with pytest.raises(SuperstaqException, match="after it was sent: timeout") as caught:
        await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    assert caught.value.may_have_been_created is True
    assert emulator.jobs_posted == 1
    (line,) = [r.getMessage() for r in caplog.records]
    assert f"looking it up by its submission tag {caught.value.submission_tag} failed: " in line
    assert "the lookup is down" in line


def test_ctrl_c_while_a_lost_submission_is_looked_up_notes_that_it_may_exist() -> None:
    inner = Emulator(api_key=KEY).transport()

    def handler(request: Request) -> Response | TransportError:
        if request.method == "POST":
            inner.send(request)
            return LOST
        raise KeyboardInterrupt

    client = Client(
        api_key=KEY, remote_host=HOST, transport=FunctionTransport(handler), clock=FakeClock()
    )

    with pytest.raises(KeyboardInterrupt) as caught:
        client.create_job(CIRCUITS, target=TARGET, submission_tag=True)

    (note,) = getattr(caught.value, "__notes__", [])
    assert "was stopped by KeyboardInterrupt after its request was sent" in note
    assert "find_jobs(tags=['sqcore-submission:" in note


async def test_a_cancel_while_a_lost_submission_is_looked_up_notes_that_it_may_exist() -> None:
    inner = Emulator(api_key=KEY).transport()
    looking = asyncio.Event()

    class Transport:
        async def send(self, request: Request) -> Result[Response, TransportError]:
            if request.method == "POST":
                inner.send(request)
                return Failure(LOST)
            looking.set()
            await asyncio.Event().wait()  # the lookup hangs until cancelled
            raise AssertionError("not cancelled")

    client = AsyncClient(
        api_key=KEY, remote_host=HOST, transport=Transport(), clock=AsyncFakeClock()
    )
    task = asyncio.ensure_future(client.create_job(CIRCUITS, target=TARGET, submission_tag=True))
    await looking.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError) as caught:
        await task

    # The note is on the CancelledError create_job re-raised: what `await task` raises from
    # Python 3.11; on 3.10 the task raises a new one, during the handling of that one.
    noted = caught.value
    if not hasattr(noted, "__notes__") and isinstance(noted.__context__, asyncio.CancelledError):
        noted = noted.__context__
    (note,) = getattr(noted, "__notes__", [])
    assert "was stopped by CancelledError after its request was sent" in note


@pytest.mark.parametrize(
    ("outcome", "error"),
    [
        (json_reply(422, b'{"detail": "body.shots: bad"}'), SuperstaqServerException),
        (json_reply(401, b'"Not authorized"'), SuperstaqServerException),
        (json_reply(501, b'{"detail": "no"}'), SuperstaqServerException),
        (TransportError("tls", "certificate verify failed"), SuperstaqException),
    ],
    ids=["422", "401", "501", "tls"],
)
async def test_a_submission_certainly_not_taken_says_so_and_looks_nothing_up(
    make_shell: MakeShell,
    emulator: Emulator,
    outcome: Response | TransportError,
    error: type[SuperstaqException],
) -> None:
    shell = make_shell(delivered_then(emulator, outcome, deliver=False))

    with pytest.raises(error) as caught:
        await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    assert caught.value.may_have_been_created is False
    assert caught.value.submission_tag is None
    assert "may have been created" not in str(caught.value)
    assert emulator.request_count == 0  # no lookup


async def test_a_submission_refused_as_busy_until_the_budget_ends_is_a_timeout_not_a_maybe(
    make_shell: MakeShell, emulator: Emulator
) -> None:
    shell = make_shell(delivered_then(emulator, json_reply(503, b""), deliver=False))

    with pytest.raises(TimeoutError, match="Reached maximum number of retries"):
        await shell.create(CIRCUITS, target=TARGET, submission_tag=True)

    assert emulator.request_count == 0
