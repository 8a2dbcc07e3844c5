"""Shell: the handles a wait on many jobs was given (`wait_all`, `as_completed`, of both
shells), and what it tells them.

One job may be given as several handles: the wait watches it once (through a handle that
knows it finished, if any, else the first given), and tells every handle of it what each
poll learned (`learn`), so that all of them see it; a handle that knows less than another
of its job learns the other's final state at the start. The wait hands each job out once,
as the handle it watched. Everything is asked of the handles through their public members
(`known`, `client`, `learn`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, Protocol, TypeVar

from returns.result import Result

from sqcore.core.errors import Fault
from sqcore.engine.effects import JobState, Learned, Step
from sqcore.engine.jobs import is_settled, wait_plan
from sqcore.engine.session import Session
from sqcore.engine.watch import Watched, watch

__all__ = ["Handles"]


class _Client(Protocol):
    @property
    def session(self) -> Session: ...

    @property
    def max_retry_seconds(self) -> float: ...


class _Handle(Protocol):
    @property
    def known(self) -> JobState: ...

    def learn(self, state: JobState) -> None: ...


_H = TypeVar("_H", bound=_Handle)
_C = TypeVar("_C", bound=_Client)


class Handles(Generic[_H, _C]):
    """The handles `jobs` of a wait, and their clients (`client_of` reads a handle's).

    `watching(...)` is the wait's operation; `take(learned)` tells the handles what it
    learned and gives the jobs it finished, as the handles watched.
    """

    def __init__(self, jobs: Iterable[_H], client_of: Callable[[_H], _C]) -> None:
        watched: dict[str, _H] = {}
        every: dict[str, list[_H]] = {}
        for handle in {id(handle): handle for handle in jobs}.values():  # each handle once
            state = handle.known
            job_id = state.job_id
            kept = watched.get(job_id)
            if kept is None or (is_settled(state) and not is_settled(kept.known)):
                watched[job_id] = handle
            every.setdefault(job_id, []).append(handle)
        self._watched = watched
        self._every = every
        self.clients: list[_C] = []
        self._via: list[int] = []
        by_client: dict[int, int] = {}
        for handle in watched.values():
            client = client_of(handle)
            via = by_client.setdefault(id(client), len(self.clients))
            if via == len(self.clients):
                self.clients.append(client)
            self._via.append(via)
        for job_id, handle in watched.items():  # what one handle knows is final, all know
            state = handle.known
            if is_settled(state):
                for other in every[job_id]:
                    if other is not handle:
                        other.learn(state)

    def watching(
        self, timeout_seconds: object, polling_seconds: object, report: bool
    ) -> Step[Result[None, Fault]]:
        """The wait's operation (its arguments checked now; `timeout_seconds` None: the
        largest `max_retry_seconds` of the clients).

        Raises:
            TypeError, ValueError: A bad `timeout_seconds` or `polling_seconds`.
        """
        default = max((client.max_retry_seconds for client in self.clients), default=0.0)
        plan = wait_plan(timeout_seconds, default, polling_seconds)
        watched = [
            Watched(handle.known, via)
            for handle, via in zip(self._watched.values(), self._via, strict=True)
        ]
        sessions = [client.session for client in self.clients]
        return watch(sessions, watched, plan, report)

    def take(self, learned: Learned) -> list[_H]:
        """Tells every handle of each job `learned` names its new state; the jobs it
        finished, as the handles watched."""
        every = self._every
        for state in learned.states:
            for handle in every[state.job_id]:
                handle.learn(state)
        return [self._watched[job_id] for job_id in learned.finished]
