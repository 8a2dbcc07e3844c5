"""Pure: the wait decision, and which of many jobs are still open.

Time comes in as arguments (`now`, `deadline`: monotonic seconds); nothing here reads a
clock or sleeps. The shell loops: check status, ask `decide_wait`, act on the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NoReturn, TypeVar

import msgspec

from sqcore._models import TERMINAL_CIRCUIT_STATES, CircuitStatus
from sqcore._status import needs_refresh

__all__ = [
    "Done",
    "SleepFor",
    "TimedOut",
    "WaitDecision",
    "assert_never",
    "batch_ids",
    "decide_wait",
    "open_ids",
]


class Done(msgspec.Struct, frozen=True):
    """The awaited status is terminal: stop waiting."""


class SleepFor(msgspec.Struct, frozen=True):
    """Not terminal yet: sleep this many seconds (> 0 or == 0), then check again."""

    seconds: float


class TimedOut(msgspec.Struct, frozen=True):
    """The deadline has passed and the status is still open."""

    status: CircuitStatus


WaitDecision = Done | SleepFor | TimedOut


def decide_wait(
    now: float, deadline: float, status: CircuitStatus, polling_seconds: float
) -> WaitDecision:
    """Decides what a waiter does after seeing `status` at time `now`.

    Invariants: Done exactly when `status` is terminal; otherwise TimedOut when no time is
    left, else SleepFor(min(polling_seconds, deadline - now)), so a sleep never ends past
    the deadline. With polling_seconds == 0 the waiter re-checks at once, and the loop still
    ends because `now` advances with each check.
    """
    if status in TERMINAL_CIRCUIT_STATES:
        return Done()
    left = deadline - now
    if left <= 0:
        return TimedOut(status)
    return SleepFor(min(polling_seconds, left))


def open_ids(known: Mapping[str, Sequence[CircuitStatus] | None]) -> tuple[str, ...]:
    """The ids whose job must be fetched again (nothing known yet, or some circuit open).

    Invariant: an id whose known statuses are all terminal is never returned; order is kept.
    """
    return tuple(job_id for job_id, statuses in known.items() if needs_refresh(statuses))


_T = TypeVar("_T")


def batch_ids(ids: Sequence[str], base_length: int, max_length: int) -> tuple[tuple[str, ...], ...]:
    """Splits job ids into batches whose fetch URL stays within `max_length` characters.

    Each id costs `len("job_id=") + len(id)` plus one separator (`?` or `&`) in the URL; the
    URL without any id is `base_length` long. Invariants: the batches, concatenated, are
    `ids` in order; every batch is non-empty; a batch's URL fits in `max_length` unless the
    batch is a single id too long to fit anywhere (it still gets its own batch, so no id is
    ever dropped).
    """
    batches: list[tuple[str, ...]] = []
    current: list[str] = []
    length = base_length
    for job_id in ids:
        cost = 1 + len("job_id=") + len(job_id)
        if current and length + cost > max_length:
            batches.append(tuple(current))
            current, length = [], base_length
        current.append(job_id)
        length += cost
    if current:
        batches.append(tuple(current))
    return tuple(batches)


def unique(items: Iterable[_T]) -> list[_T]:
    """Returns `items` without repeats, first occurrence kept, order kept."""
    return list(dict.fromkeys(items))


def assert_never(value: NoReturn) -> NoReturn:
    """Marks a `match` arm mypy proves unreachable (typing.assert_never is 3.11+)."""
    raise AssertionError(f"unhandled case: {value!r}")
