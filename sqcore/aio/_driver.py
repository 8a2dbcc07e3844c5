"""Shell: the asyncio driver. It runs an operation of the engine for `AsyncClient`,
`AsyncJob` and the asyncio waits: the transport's send and the clock's sleep are awaited;
the rest is `sqcore.shell.steps`'s. Cancelled (a task's `cancel()`, `asyncio.wait_for`,
`asyncio.timeout`), it closes the operation; cancelled while a request that may create a
job is out, or in a sleep after one, it says so (a warning in the log, a note on the
CancelledError it re-raises).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from returns.result import Result

from sqcore.core.errors import Fault
from sqcore.engine.effects import Learned, Send, Sleep, Step
from sqcore.shell.steps import Done, OnProgress, Runner, Steps

if TYPE_CHECKING:
    from sqcore.aio._client import AsyncClock
    from transports._types import AsyncTransport

__all__ = ["perform", "stream"]

_T = TypeVar("_T")


async def perform(
    op: Step[Result[_T, Fault]],
    clients: Sequence[Runner[AsyncTransport, AsyncClock]],
) -> _T:
    """Runs `op` (which learns nothing along the way) to its end: its value, or its fault
    raised."""
    with Steps(op, clients) as steps:
        effect = steps.next(None)
        while isinstance(effect, (Send, Sleep)):
            effect = steps.next(await _performed(steps, effect))
        return steps.value()


async def stream(
    op: Step[Result[None, Fault]],
    clients: Sequence[Runner[AsyncTransport, AsyncClock]],
    on_progress: OnProgress | None = None,
) -> AsyncIterator[Learned]:
    """Runs `op`, yielding what it learns as it goes; at its end, its fault raised."""
    with Steps(op, clients, on_progress) as steps:
        outcome: Done = None
        while (effect := steps.next(outcome)) is not None:
            if isinstance(effect, Learned):
                yield effect
                outcome = None
            else:
                outcome = await _performed(steps, effect)
        steps.value()


async def _performed(steps: Steps[_T, AsyncTransport, AsyncClock], effect: Send | Sleep) -> Done:
    """Sends or sleeps, awaited."""
    try:
        if isinstance(effect, Send):
            return await steps.transport(effect).send(effect.request)
        await steps.clock.sleep(effect.seconds)
    except asyncio.CancelledError as cancelled:
        steps.abandoned(effect, cancelled)
        raise
    return None
