"""Shell: the blocking driver. It runs an operation of the engine for `Client`, `Job` and the
blocking waits: the transport sends, the clock sleeps, both blocking; the rest is
`sqcore.shell.steps`'s. Ctrl-C (KeyboardInterrupt) while a request that may create a job is
out, or in a sleep after one, says so (a warning in the log, a note on the interrupt).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from returns.result import Result

from sqcore.core.errors import Fault
from sqcore.engine.effects import Learned, Send, Sleep, Step
from sqcore.shell.steps import Done, OnProgress, Runner, Steps

if TYPE_CHECKING:
    from sqcore._client import Clock
    from transports._types import Transport

__all__ = ["perform", "stream"]

_T = TypeVar("_T")

_Steps = Steps[_T, "Transport", "Clock"]


def perform(
    op: Step[Result[_T, Fault]],
    clients: Sequence[Runner[Transport, Clock]],
    on_progress: OnProgress | None = None,
) -> _T:
    """Runs `op` to its end: its value, or its fault raised."""
    with Steps(op, clients, on_progress) as steps:
        effect = steps.next(None)
        while effect is not None:
            effect = steps.next(None if isinstance(effect, Learned) else _perform(steps, effect))
        return steps.value()


def stream(
    op: Step[Result[None, Fault]],
    clients: Sequence[Runner[Transport, Clock]],
    on_progress: OnProgress | None = None,
) -> Iterator[Learned]:
    """Runs `op`, yielding what it learns as it goes; at its end, its fault raised."""
    with Steps(op, clients, on_progress) as steps:
        effect = steps.next(None)
        while effect is not None:
            if isinstance(effect, Learned):
                yield effect
                effect = steps.next(None)
            else:
                effect = steps.next(_perform(steps, effect))
        steps.value()


def _perform(steps: _Steps[_T], effect: Send | Sleep) -> Done:
    """Sends or sleeps, blocking."""
    try:
        if isinstance(effect, Sleep):
            steps.clock.sleep(effect.seconds)
            return None
        transport = steps.transport(effect)
        sent = transport.send(effect.request)
    except KeyboardInterrupt as interrupt:
        steps.abandoned(effect, interrupt)
        raise
    if inspect.isawaitable(sent):  # an AsyncTransport that `ClientBase` could not tell apart
        _discard(sent)
        raise TypeError(
            f"transport: {type(transport).__name__}.send returned an awaitable: "
            "an AsyncTransport, for sqcore.aio.AsyncClient (it was not awaited)"
        )
    return sent


def _discard(awaitable: object) -> None:
    """Closes a coroutine never awaited, so Python does not warn that it was not."""
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()
