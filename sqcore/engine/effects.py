"""Pure: the effects an operation yields, and the outcomes a driver sends back.

An operation is a generator, a `Step[T]`: it yields an effect, the driver performs it and
sends back its outcome, until the operation returns its value `T` (for the public calls, a
`Result` whose failure is a `Fault`, raised by the driver through `exception_of`).

    the effect                      the driver                                and sends back
    Send(request, via, abandoned)   sends it through client `via`'s transport  a Sent
    Sleep(seconds, abandoned)       sleeps on the clock                       an Instant
    Now()                           reads the clock                           an Instant
    Draw(via)                       asks client `via`'s random source         a float in [0, 1)
    Warn(message)                   a SuperstaqWarning at the caller's line   None
    Log(level, template, args)      a line on the `sqcore` logger             None
    Report(progress)                on_progress(progress), when one was given None
    Learned(states, finished)       hands it to the shell: handles take it in None

A Send comes back with the transport's result and the clock as it came (`Sent`), a Sleep
with the clock as it ended: one request is one Now (when its call begins) and one Send.
The driver logs each request (method, path, status, time) at DEBUG.

A `Send` or `Sleep` the caller abandons (a cancelled task, an `asyncio.wait_for` timeout,
Ctrl-C) while a job may have been created carries the words to say (`Abandoned`): the
driver logs them as a warning and notes them on the exception it re-raises.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Literal, TypeVar

import msgspec
from returns.result import Result

from sqcore.core.models import CircuitStatus, JobData
from sqcore.core.waiting import Progress
from transports._types import Request, Response, TransportError

__all__ = [
    "NOW",
    "Abandoned",
    "Draw",
    "Effect",
    "Instant",
    "JobState",
    "Learned",
    "Log",
    "Now",
    "Outcome",
    "Report",
    "Send",
    "Sent",
    "Sleep",
    "Step",
    "Warn",
    "draw",
    "now",
    "send",
    "sleep",
]

_T = TypeVar("_T")


class Instant(msgspec.Struct, frozen=True):
    """A reading of the clock: monotonic seconds (deadlines) and wall-clock epoch seconds
    (Retry-After dates, a submission's start)."""

    monotonic: float
    wall: float


class Abandoned(msgspec.Struct, frozen=True):
    """What to say when a request that may create a job is abandoned in flight.

    Attributes:
        what: What was being done, e.g. "submitting a job to T (submission tag X)".
        advice: How to find the job, e.g. "The job may have been created: look for it ...".
    """

    what: str
    advice: str

    def said(self, cause: str) -> str:
        """The words, for an abandonment by the exception named `cause`."""
        return f"{self.what} was stopped by {cause} after its request was sent. {self.advice}"


class Sent(msgspec.Struct, frozen=True):
    """What a Send came back with: the transport's result, and the clock as it came."""

    result: Result[Response, TransportError]
    at: Instant


class Send(msgspec.Struct, frozen=True):
    """Send `request` through client `via`'s transport (0: the operation's own client)."""

    request: Request
    via: int = 0
    abandoned: Abandoned | None = None


class Sleep(msgspec.Struct, frozen=True):
    """Sleep `seconds` (>= 0) on the clock."""

    seconds: float
    abandoned: Abandoned | None = None


class Now(msgspec.Struct, frozen=True):
    """Read the clock: the outcome is an `Instant`."""


class Draw(msgspec.Struct, frozen=True):
    """Draw a random number in [0, 1) from client `via`'s source (for a retry's jitter)."""

    via: int = 0


class Warn(msgspec.Struct, frozen=True):
    """Show `message` as a `SuperstaqWarning`, pointing at the caller's line."""

    message: str


class Log(msgspec.Struct, frozen=True):
    """A line on the `sqcore` logger: `template % args`, at `level`."""

    level: Literal["debug", "info"]
    template: str
    args: tuple[object, ...] = ()


class Report(msgspec.Struct, frozen=True):
    """A wait's progress after a poll, for its `on_progress`."""

    progress: Progress


class JobState(msgspec.Struct, frozen=True):
    """What a job handle knows of its job: the value a fetch returns and a handle keeps.

    Attributes:
        job_id: The job's id (canonical).
        statuses: Its circuits' statuses (all a status decision needs); None before any
            fetch.
        reply: A fetch reply that holds the job, kept to decode its data on first read: the
            reply itself when it held this job alone, else the job cut out of a batch reply
            (`one_job_replies`), so that the batch can be freed. None when a wait did not
            keep it (an open job's data would be stale by the next poll).
        data: The decoded `JobData`, once someone read it.
    """

    job_id: str
    statuses: tuple[CircuitStatus, ...] | None = None
    reply: bytes | None = None
    data: JobData | None = None


class Learned(msgspec.Struct, frozen=True):
    """What a wait learned, for the shell to hand to the job handles: the new state of each
    job polled whose state changed, and the jobs seen finished since the last `Learned`, in
    the order they were given."""

    states: tuple[JobState, ...] = ()
    finished: tuple[str, ...] = ()


NOW = Now()

Effect = Send | Sleep | Now | Draw | Warn | Log | Report | Learned
#: What an operation is sent back: a Sent (Send), an Instant (Now, Sleep), a float (Draw),
#: None for the rest.
Outcome = Sent | Instant | float | None
#: An operation of the engine, returning `_T`.
Step = Generator[Effect, Outcome, _T]


def send(request: Request, via: int, abandoned: Abandoned | None) -> Step[Sent]:
    """Sends `request`: what the transport returned, and when."""
    sent = yield Send(request, via, abandoned)
    if not isinstance(sent, Sent):
        raise AssertionError(f"a Send was answered with {sent!r}")
    return sent


def sleep(seconds: float, abandoned: Abandoned | None) -> Step[Instant]:
    """Sleeps `seconds`: the clock as the sleep ended."""
    instant = yield Sleep(seconds, abandoned)
    if not isinstance(instant, Instant):
        raise AssertionError(f"a Sleep was answered with {instant!r}")
    return instant


def now() -> Step[Instant]:
    """Reads the clock."""
    instant = yield NOW
    if not isinstance(instant, Instant):
        raise AssertionError(f"a Now was answered with {instant!r}")
    return instant


def draw(via: int) -> Step[float]:
    """Draws a random number in [0, 1)."""
    number = yield Draw(via)
    if not isinstance(number, (int, float)):
        raise AssertionError(f"a Draw was answered with {number!r}")
    return float(number)
