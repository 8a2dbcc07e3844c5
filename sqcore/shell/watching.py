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
from sqcore.engine.watch import watch

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
        first: dict[str, _H] = {}
        #: The handles of a job given as several, after its first.
        self._more: dict[str, list[_H]] = {}
        for handle in jobs:
            job_id = handle.known.job_id
            if first.setdefault(job_id, handle) is not handle:
                more = self._more.setdefault(job_id, [])
                if all(other is not handle for other in more):  # each handle once
                    more.append(handle)
        self._first = first
        self._watched = dict(first) if self._more else first
        self._unshared: set[str] = set()
        for job_id, more in self._more.items():
            self._share(job_id, [first[job_id], *more])
        self.clients: list[_C] = []
        self._vias: list[int] = []
        via = -1
        for handle in self._watched.values():
            client = client_of(handle)
            if via < 0 or client is not self.clients[via]:
                known = (at for at, other in enumerate(self.clients) if other is client)
                via = next(known, len(self.clients))
                if via == len(self.clients):
                    self.clients.append(client)
            self._vias.append(via)

    def _share(self, job_id: str, handles: list[_H]) -> None:
        """Several handles of one job: the wait watches one that knows it finished, if any
        (and the others learn its state), else the first given."""
        settled = [handle for handle in handles if is_settled(handle.known)]
        if settled:
            chosen = self._watched[job_id] = settled[0]
            for other in handles:
                if other is not chosen:
                    other.learn(chosen.known)
        known = self._watched[job_id].known
        if any(handle.known is not known for handle in handles):
            self._unshared.add(job_id)

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
        states = [handle.known for handle in self._watched.values()]
        vias = self._vias if len(self.clients) > 1 else None
        sessions = [client.session for client in self.clients]
        return watch(sessions, states, plan, report, vias, self._unshared)

    def take(self, learned: Learned) -> list[_H]:
        """Tells every handle of each job `learned` names its new state; the jobs it
        finished, as the handles watched."""
        first, more = self._first, self._more
        for state in learned.states:
            job_id = state.job_id
            first[job_id].learn(state)
            for other in more.get(job_id, ()):
                other.learn(state)
        return [self._watched[job_id] for job_id in learned.finished]
