"""Submissions whose reply is lost, for real: a loopback server that takes the POST, creates
the job in the emulator, and then drops the connection, stalls past the client's deadline,
or fails with a 500; and asyncio submissions cancelled while the server sits on the reply.

Both shells go over real sockets (the blocking `Client` on `Urllib3Transport`, `AsyncClient`
on its default `ThreadedTransport`). Real time is the subject of the cancellation tests, so
their bounds are generous.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import pytest

from sqcore import Client, SuperstaqException, SuperstaqServerException
from sqcore.aio import AsyncClient
from transports.emulator import Emulator

from .hostile import (
    Hangup,
    HostileServer,
    OnPost,
    Reply,
    Serve,
    Stall,
    emulator_behind,
    retry_later,
    servers,
)

KEY = "sk-test-lost-replies-5d"
CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}]'
TARGET = "ss_unconstrained_simulator"
#: The client's per-request deadline, past which a stalled reply is a timeout.
DEADLINE = 0.5
#: How long the server sits on a POST's reply: well past the deadline.
STALL = 2.0
#: Slack for a loaded 2-core machine.
MARGIN = 3.0


def posted_ids(emulator: Emulator) -> list[str]:
    return [r.job_ids[0] for r in emulator.requests if r.method == "POST" and r.job_ids]


async def submit(
    kind: str, server: HostileServer, *, submission_tag: bool = False, tags: Sequence[str] = ()
) -> str:
    """Submits through the shell `kind` over real sockets; the new job's id."""
    if kind == "sync":
        with Client(
            api_key=KEY,
            remote_host=server.origin,
            request_timeout_seconds=DEADLINE,
            max_retry_seconds=5.0,
        ) as client:
            job = client.create_job(
                CIRCUITS, target=TARGET, submission_tag=submission_tag, tags=tags
            )
            return str(job.job_id())
    async with AsyncClient(
        api_key=KEY,
        remote_host=server.origin,
        request_timeout_seconds=DEADLINE,
        max_retry_seconds=5.0,
    ) as aclient:
        ajob = await aclient.create_job(
            CIRCUITS, target=TARGET, submission_tag=submission_tag, tags=tags
        )
        return str(ajob.job_id())


SHELLS = ["sync", "async"]
LOSSES: dict[str, OnPost] = {
    "the connection dropped": lambda _reply: Hangup(),
    "the reply stalled past the deadline": lambda _reply: Stall(STALL),
    "a 500 after the body was sent": lambda _reply: Reply(500, (), b'{"detail": "kaput"}'),
}


@pytest.mark.parametrize("kind", SHELLS)
@pytest.mark.parametrize("loss", sorted(LOSSES))
async def test_a_lost_reply_is_found_again_by_its_submission_tag(
    serve: Serve, kind: str, loss: str, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = Emulator(api_key=KEY)
    server = emulator_behind(serve, emulator, LOSSES[loss])
    caplog.set_level(logging.INFO, logger="sqcore")
    started = time.monotonic()

    job_id = await submit(kind, server, submission_tag=True)

    assert time.monotonic() - started < STALL + MARGIN
    assert posted_ids(emulator) == [job_id]
    assert [r.method for r in server.requests] == ["POST", "GET"]
    assert "sqcore-submission:" in server.requests[1].query["tags"][0]
    assert any(
        f"found job {job_id} by its submission tag" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize("kind", SHELLS)
@pytest.mark.parametrize("loss", sorted(LOSSES))
async def test_without_a_tag_a_lost_reply_raises_saying_the_job_may_have_been_created(
    serve: Serve, kind: str, loss: str
) -> None:
    emulator = Emulator(api_key=KEY)
    server = emulator_behind(serve, emulator, LOSSES[loss])

    with pytest.raises(SuperstaqException) as caught:
        await submit(kind, server, tags=["run-3"])

    assert caught.value.may_have_been_created is True
    assert caught.value.submission_tag is None
    assert isinstance(caught.value, SuperstaqServerException) == loss.startswith("a 500")
    assert "look for it with find_jobs(tags=['run-3'], submitted_after=" in str(caught.value)
    assert len(posted_ids(emulator)) == 1
    assert [r.method for r in server.requests] == ["POST"]  # nothing looked up without a tag


# -- asyncio: a submission cancelled while its reply is awaited -----------------------------


def notes(error: BaseException) -> list[str]:
    """The notes on `error` and on the exceptions it was raised from."""
    found: list[str] = []
    current: BaseException | None = error
    while current is not None:
        found += getattr(current, "__notes__", [])
        current = current.__cause__ or current.__context__
    return found


async def test_a_submission_cancelled_after_it_was_sent_warns_and_notes_how_to_find_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Its own server, closed before the event loop is (unlike the `serve` fixture's): the
    # loop's end waits for the thread still sending the stalled POST, which closing the
    # server ends at once, not when the stall would.
    with servers() as serve:
        emulator = Emulator(api_key=KEY)
        server = emulator_behind(serve, emulator, lambda reply: Stall(STALL, then=reply))
        caplog.set_level(logging.WARNING, logger="sqcore")

        async with AsyncClient(api_key=KEY, remote_host=server.origin) as client:
            started = time.monotonic()
            # (asyncio.TimeoutError: TimeoutError itself from Python 3.11, its own class on 3.10)
            with pytest.raises(asyncio.TimeoutError) as caught:
                await asyncio.wait_for(
                    client.create_job(CIRCUITS, target=TARGET, submission_tag=True), 0.5
                )
            assert time.monotonic() - started < 0.5 + MARGIN

            (tag,) = [t for t in emulator.submitted(posted_ids(emulator)[0]).tags]
            (note,) = notes(caught.value)
            assert "may have been created" in note and f"find_jobs(tags=['{tag}'])" in note
            (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert warning.getMessage() == note
            assert f"(submission tag {tag})" in note
            # The advice works: the job is found by its tag.
            (found,) = await client.find_jobs(tags=[tag])
            assert str(found.job_id()) == posted_ids(emulator)[0]


async def test_a_submission_cancelled_before_anything_was_taken_adds_no_note(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    # A 503 with Retry-After: the server did not take it; the client sleeps before retrying,
    # and is cancelled in that sleep.
    server = serve([retry_later(503, retry_after="30")])
    caplog.set_level(logging.WARNING, logger="sqcore")

    async with AsyncClient(api_key=KEY, remote_host=server.origin, max_retry_seconds=60) as client:
        # (asyncio.TimeoutError: TimeoutError itself from Python 3.11, its own class on 3.10)
        with pytest.raises(asyncio.TimeoutError) as caught:
            await asyncio.wait_for(
                client.create_job(CIRCUITS, target=TARGET, submission_tag=True), 0.5
            )

    assert len(server.requests) == 1
    assert notes(caught.value) == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
