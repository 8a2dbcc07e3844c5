"""Shell: an operation of the engine being run, and every effect the two drivers perform
alike: reading the clock, drawing a random number, warning, logging, reporting progress,
and raising a fault. A driver (`sqcore._driver` blocks, `sqcore.aio._driver` awaits) takes
what is left, sending and sleeping, and hands `Learned` to the shell that asked.

    with Steps(op, clients, on_progress) as steps:
        effect = steps.next(None)
        while effect is not None:           # Send, Sleep or Learned
            effect = steps.next(<perform effect>)     # a Send's result, or None
        return steps.value()                 # the op's value, or its fault raised
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from returns.pipeline import is_successful
from returns.result import Result

from sqcore.core.errors import Fault, SuperstaqWarning, exception_of
from sqcore.core.waiting import Progress
from sqcore.engine.effects import (
    Draw,
    Instant,
    Learned,
    Log,
    Now,
    Outcome,
    Report,
    Send,
    Sent,
    Sleep,
    Step,
    Warn,
)
from transports._types import Response, TransportError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Done", "OnProgress", "Runner", "Steps", "caller_stacklevel", "logger", "value_of"]

logger = logging.getLogger("sqcore")
logger.addHandler(logging.NullHandler())

#: Called once per poll with a snapshot of the wait.
OnProgress = Callable[[Progress], None]
#: What a driver did for an effect: a Send's result from the transport, None for the rest.
Done = Result[Response, TransportError] | None

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

_T = TypeVar("_T")
_Transport_co = TypeVar("_Transport_co", covariant=True)
_Clock_co = TypeVar("_Clock_co", covariant=True)


class _TimeSource(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float: ...


class Runner(Protocol[_Transport_co, _Clock_co]):
    """What a driver reads of a client: its transport, clock and random source (all
    public), the client's own."""

    @property
    def transport(self) -> _Transport_co: ...

    @property
    def clock(self) -> _Clock_co: ...

    @property
    def rng(self) -> Callable[[], float]: ...


_Tr = TypeVar("_Tr")
_Cl = TypeVar("_Cl", bound=_TimeSource)


class Steps(Generic[_T, _Tr, _Cl]):
    """An operation `op` being run for `clients` (its Send's `via` indexes them; the first
    one's clock is the operation's), with the caller's `on_progress`.

    `next(outcome)` sends the outcome of the last effect in and performs the effects that
    need no driver, until one that does (Send, Sleep, Learned) or the end (None). The
    operation is closed when the driver leaves the `with` block, however it leaves it (a
    fault, a cancellation, a consumer that stops early).
    """

    def __init__(
        self,
        op: Step[Result[_T, Fault]],
        clients: Sequence[Runner[_Tr, _Cl]],
        on_progress: OnProgress | None = None,
    ) -> None:
        self._op = op
        self._clients = clients
        self._on_progress = on_progress
        self._result: Result[_T, Fault] | None = None
        self._pending: Send | Sleep | Learned | None = None
        self._sent_at = 0.0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._op.close()

    @property
    def clock(self) -> _Cl:
        """The operation's clock (its first client's)."""
        return self._clients[0].clock

    def transport(self, send: Send) -> _Tr:
        """The transport `send` goes through."""
        return self._clients[send.via].transport

    def next(self, done: Done) -> Send | Sleep | Learned | None:
        """The next effect for the driver, having sent in what the last one gave (`done`:
        the transport's result for a Send, None for the rest); None at the end."""
        outcome = self._answer(done)
        op = self._op
        while True:
            try:
                effect = op.send(outcome)
            except StopIteration as stop:
                self._result = stop.value
                return None
            if isinstance(effect, (Send, Sleep, Learned)):
                self._pending = effect
                if isinstance(effect, Send):
                    self._sent_at = self.clock.monotonic()
                return effect
            outcome = self._perform(effect)

    def _answer(self, done: Done) -> Outcome:
        """What the operation is sent back for the effect the driver performed: a Send's
        result with the clock as it came (and its line on the log), a Sleep's end."""
        pending, self._pending = self._pending, None
        if pending is None or isinstance(pending, Learned):
            return None
        clock = self.clock
        at = Instant(clock.monotonic(), clock.time())
        if isinstance(pending, Sleep):
            return at
        if done is None:
            raise AssertionError("a Send was performed without a result")
        if logger.isEnabledFor(logging.DEBUG):
            request = pending.request
            logger.debug(
                "%s %s -> %s in %.3f s",
                request.method,
                request.url.split("?", 1)[0],
                done.map(lambda reply: str(reply.status)).value_or("no reply"),
                at.monotonic - self._sent_at,
            )
        return Sent(done, at)

    def _perform(self, effect: Now | Draw | Warn | Log | Report) -> Outcome:
        if isinstance(effect, Now):
            clock = self.clock
            return Instant(clock.monotonic(), clock.time())
        if isinstance(effect, Draw):
            return self._clients[effect.via].rng()
        if isinstance(effect, Warn):
            warnings.warn(effect.message, SuperstaqWarning, stacklevel=caller_stacklevel())
        elif isinstance(effect, Log):
            logger.log(_LEVELS[effect.level], effect.template, *effect.args)
        elif self._on_progress is not None:
            self._on_progress(effect.progress)
        return None

    def abandoned(self, effect: Send | Sleep, error: BaseException) -> None:
        """`effect` was abandoned by `error` (re-raised by the driver): when a job may have
        been created, a warning in the log and a note on `error` say so, and how to find it."""
        if effect.abandoned is None:
            return
        said = effect.abandoned.said(type(error).__name__)
        logger.warning("%s", said)
        _add_note(error, said)

    def value(self) -> _T:
        """The operation's value, or its fault raised (`exception_of`)."""
        if self._result is None:
            raise AssertionError("the operation has not ended")
        return value_of(self._result)


def value_of(result: Result[_T, Fault]) -> _T:
    """The value of `result`, or its fault raised: the documented exception."""
    if is_successful(result):
        return result.unwrap()
    raise exception_of(result.failure())


def caller_stacklevel() -> int:
    """The `warnings.warn` stacklevel that points at the first frame outside sqcore."""
    level = 1
    frame: FrameType | None = inspect.currentframe()
    frame = None if frame is None else frame.f_back
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def _add_note(error: BaseException, note: str) -> None:
    """`error.add_note(note)` (Python 3.11+); on 3.10, the `__notes__` list it would fill."""
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        vars(error).setdefault("__notes__", []).append(note)
