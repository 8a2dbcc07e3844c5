"""Pure: decisions over circuit statuses (overall status, terminal checks, failure summaries).

Every function here maps values to values: no I/O, no clock. Each states the invariant its
property test checks (tests/core/test_status.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqcore.core.models import (
    STATUS_PRIORITY_ORDER,
    TERMINAL_CIRCUIT_STATES,
    CircuitStatus,
)

__all__ = [
    "failure_summary",
    "index_error",
    "is_terminal",
    "overall_status",
    "status_of",
    "terminal_count",
]

_RANK: dict[CircuitStatus, int] = {
    status: rank for rank, status in enumerate(STATUS_PRIORITY_ORDER)
}


def overall_status(statuses: Collection[CircuitStatus]) -> CircuitStatus:
    """Returns the job's overall status: the first status in priority order that any circuit has.

    Invariant: the result is one of `statuses`, and no status in `statuses` comes before it
    in `STATUS_PRIORITY_ORDER`. An empty sequence gives RECEIVED (nothing is known yet), as
    upstream's initial value.
    """
    if not statuses:
        return CircuitStatus.RECEIVED
    return min(statuses, key=_RANK.__getitem__)


def is_terminal(statuses: Iterable[CircuitStatus]) -> bool:
    """True when every circuit is in a terminal state (and so will never change again).

    Invariant: equals `all(s in TERMINAL_CIRCUIT_STATES for s in statuses)`.
    """
    return TERMINAL_CIRCUIT_STATES.issuperset(statuses)


def status_of(statuses: Sequence[CircuitStatus], index: int | None) -> CircuitStatus:
    """The job's overall status, or circuit `index`'s (`index` already checked).

    Invariant: `overall_status(statuses)` for None, else `statuses[index]`.
    """
    return overall_status(statuses) if index is None else statuses[index]


def terminal_count(statuses: Sequence[CircuitStatus]) -> int:
    """How many of `statuses` are terminal (the "done" of a progress line).

    Invariant: equals `sum(s in TERMINAL_CIRCUIT_STATES for s in statuses)`.
    """
    return sum(1 for status in statuses if status in TERMINAL_CIRCUIT_STATES)


def index_error(index: int, num_circuits: int) -> str | None:
    """Returns why `index` is not a valid circuit index for `num_circuits`, or None if it is.

    Invariant: None exactly when `0 <= index < num_circuits`.
    """
    if 0 <= index < num_circuits:
        return None
    if num_circuits == 0:
        return f"circuit index {index} is out of range: the job has no circuits"
    return (
        f"circuit index {index} is out of range: the job has {num_circuits} circuit"
        f"{'s' if num_circuits != 1 else ''} (valid indices 0 to {num_circuits - 1})"
    )


def failure_summary(
    statuses: Sequence[CircuitStatus],
    status_messages: Sequence[str | None],
    index: int | None = None,
) -> str | None:
    """Describes the failed circuits (all, or only `index`), or None if none failed.

    The text has upstream's shape: ``Failure: [Circuit 1 - <message>, Circuit 3 - Unknown]``.
    Invariant: None exactly when no considered circuit is FAILED; otherwise every failed
    circuit's index appears, in order, with its message (or "Unknown").
    """
    considered = range(len(statuses)) if index is None else (index,)
    parts = [
        f"Circuit {i} - {_message_at(status_messages, i)}"
        for i in considered
        if statuses[i] is CircuitStatus.FAILED
    ]
    if not parts:
        return None
    return "Failure: [" + ", ".join(parts) + "]"


def _message_at(messages: Sequence[str | None], index: int) -> str:
    message = messages[index] if index < len(messages) else None
    return "Unknown" if message is None else message
