"""Shell: one thread that acts on what outlives its deadline, for all of a transport's requests.

`Watchdog.watch(deadline, expire)` puts a deadline on a heap; the watchdog's one thread
sleeps on a condition variable until the earliest deadline, and calls `expire()` for each
watch still held then. `release(watch)` takes a watch back (it says whether `expire` ran);
`expire` never runs once `release` has returned, since both hold the same lock (so a
socket that `expire` shuts down cannot have passed to another request meanwhile).

Cheap for a request that ends in time: a watch is a push onto the heap, and a release pops
it when it is the earliest (as it is for one request at a time); the thread is woken only
when a new deadline is earlier than the one it sleeps until, never per request. The thread
starts with the first watch and ends after `stop()`, once no watch is held.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from typing import Final

__all__ = ["Watch", "Watchdog"]

#: Released watches left inside the heap (not at its top) are dropped in one pass once they
#: outnumber the held ones by this many.
_SLACK: Final = 64


def _nothing() -> None:
    pass


class Watch:
    """One deadline being watched; `expired` once its `expire` ran."""

    __slots__ = ("deadline", "done", "expire", "expired")

    def __init__(self, deadline: float, expire: Callable[[], None]) -> None:
        self.deadline = deadline
        self.expire = expire
        self.done = False  # released, or expired
        self.expired = False


class Watchdog:
    """A heap of deadlines and one thread that calls `expire` for those that pass.

    Args:
        name: The thread's name (as `threading.enumerate()` shows it).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._condition = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._held = 0  # watches neither released nor expired
        self._wakes_at = math.inf  # when the thread wakes by itself (inf: when told)
        self._thread: threading.Thread | None = None
        self._stopping = False

    def watch(self, deadline: float, expire: Callable[[], None]) -> Watch:
        """Calls `expire()` on the watchdog's thread once `time.monotonic()` passes
        `deadline`, unless `release` takes the watch back first. `expire` must not raise."""
        watch = Watch(deadline, expire)
        with self._condition:
            heapq.heappush(self._heap, (deadline, next(self._order), watch))
            self._held += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            elif deadline < self._wakes_at:
                self._condition.notify()
        return watch

    def release(self, watch: Watch) -> bool:
        """Takes `watch` back; whether its `expire` ran (it never will after this returns)."""
        with self._condition:
            if watch.done:
                return watch.expired
            watch.done = True
            watch.expire = _nothing  # whatever it would have shut down may go now
            self._held -= 1
            heap = self._heap
            while heap and heap[0][2].done:
                heapq.heappop(heap)
            if len(heap) > 2 * self._held + _SLACK:
                self._heap = [entry for entry in heap if not entry[2].done]
                heapq.heapify(self._heap)
            if self._stopping and self._held == 0:
                self._condition.notify()
            return False

    def stop(self) -> None:
        """Ends the thread once no watch is held (a later `watch` starts another)."""
        with self._condition:
            self._stopping = True
            self._condition.notify()

    def _run(self) -> None:
        with self._condition:
            while True:
                heap = self._heap
                while heap and heap[0][2].done:
                    heapq.heappop(heap)
                if not heap:
                    if self._stopping:
                        self._thread = None
                        return
                    self._wakes_at = math.inf
                    self._condition.wait()
                    continue
                deadline, _, watch = heap[0]
                now = time.monotonic()
                if deadline > now:
                    self._wakes_at = deadline
                    self._condition.wait(min(deadline - now, threading.TIMEOUT_MAX))
                    continue
                heapq.heappop(heap)
                watch.done = watch.expired = True
                self._held -= 1
                watch.expire()
