"""Pure: a job submission (`create_job`), and the lookup of its job when its reply may have
been lost, as an operation of the engine.

A submission is not idempotent: `call` repeats it only when the server provably did not
take it. After a fault that may follow its delivery, a submission sent with a tag
(`submission_tag=True`) is looked up once by that tag: found, it is the result (a log line
says so); not found, or the lookup failing itself, the submission's fault stands (it says
the job may have been created, and how to find it). Every request that may have created
the job, and every sleep after one, says so if it is abandoned in flight (`Abandoned`).
"""

from __future__ import annotations

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from sqcore.core.errors import Fault, exception_of
from sqcore.core.query import FindAgain, JobQuery, find_again
from sqcore.core.wire import parse_create_reply
from sqcore.engine.calls import call, find
from sqcore.engine.effects import Abandoned, JobState, Log, Step, Warn, now
from sqcore.engine.session import Session, Submitting

__all__ = ["create"]


def create(session: Session, submitting: Submitting) -> Step[Result[JobState, Fault]]:
    """Submits a job (`Client.create_job`; `submitting` from `Session.submission`): the new
    job's state (with its data, when it was found again by its tag).

    Effects: Now (the wall-clock start, which the advice to find the job names), those of
    `call` and `find`, Warn for the reply's warnings, info Logs about a lookup. Faults: the
    submission's (`may_have_been_created` after a possible delivery).
    """
    began = yield from now()
    found_again = find_again(submitting.tag, submitting.tags, submitting.target, began.wall)
    tagged = "" if submitting.tag is None else f" (submission tag {submitting.tag})"
    abandoned = Abandoned(submitting.what + tagged, found_again.advice)
    body = yield from call(
        session,
        submitting.request,
        submitting.what,
        submission=found_again,
        abandoned=abandoned,
        started=began,
    )
    created = yield from _read(session, body, submitting, found_again)
    if is_successful(created):
        return created
    fault = created.failure()
    tag = fault.submission_tag
    if not fault.may_have_been_created or tag is None:
        return Failure(fault)
    what = submitting.what
    lookup = yield from find(session, session.find(JobQuery(tags=(tag,))), (), abandoned)
    if not is_successful(lookup):
        reason = str(exception_of(lookup.failure()))
        yield Log(
            "info", "%s: looking it up by its submission tag %s failed: %s", (what, tag, reason)
        )
        return Failure(fault)
    # A server that ignores the filter lists other jobs too: only one carrying the tag is it.
    found = [state for state in lookup.unwrap() if state.data and tag in state.data.tags]
    if not found:
        yield Log("info", "%s: no job found by its submission tag %s", (what, tag))
        return Failure(fault)
    yield Log(
        "info",
        "%s: its reply was lost, but the job was created: found job %s by its submission tag %s",
        (what, found[0].job_id, tag),
    )
    return Success(found[0])


def _read(
    session: Session, body: Result[bytes, Fault], submitting: Submitting, found_again: FindAgain
) -> Step[Result[JobState, Fault]]:
    """The new job's id from a create reply (its warnings shown). A reply that cannot be
    read still came with a 2xx: the job exists, and the fault says how to find it."""
    if not is_successful(body):
        return Failure(body.failure())
    reply = parse_create_reply(body.unwrap())
    if not is_successful(reply):
        unreadable = session.given_up(reply.failure(), submitting.what)
        return Failure(
            Fault(
                "superstaq",
                f"{exception_of(unreadable)} {found_again.advice}",
                may_have_been_created=True,
                submission_tag=found_again.tag,
            )
        )
    created = reply.unwrap()
    for message in created.warnings:
        yield Warn(session.redact(message))
    return Success(JobState(str(created.job_id)))
