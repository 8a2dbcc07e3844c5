"""Feeding the engine: an operation played against scripted outcomes, no transport and no
clock object. `Feed` answers each effect as a driver would, from plain values: a function
of the request for each Send (a reply or a transport fault, with the time it came), a time
that moves by each Sleep and by each Send's latency, a draw for each Draw; and it keeps
every effect, so a test reads the whole conversation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from returns.result import Failure, Result, Success

from sqcore.engine.effects import (
    Draw,
    Effect,
    Instant,
    Learned,
    Now,
    Outcome,
    Send,
    Sent,
    Sleep,
    Step,
)
from sqcore.engine.session import Session
from transports import Request, Response, TransportError

T = TypeVar("T")

KEY = "sk-engine-test-4f1a"
HOST = "https://superstaq.example"
EPOCH = 1_800_000_000.0

Server = Callable[[Request], Response | TransportError]


def session(
    *, max_retry_seconds: float = 60.0, request_timeout_seconds: float = 30.0, **credentials: str
) -> Session:
    """A session as `Client(api_key=KEY, remote_host=HOST, ...)` makes it."""
    return Session(
        KEY,
        HOST,
        api_version="v0.3.0",
        circuit_type="cirq",
        client_name="sqcore-engine-test",
        max_retry_seconds=max_retry_seconds,
        request_timeout_seconds=request_timeout_seconds,
        credentials=credentials,
    )


def reply(status: int = 200, body: object = None, **headers: str) -> Response:
    """A reply whose body is `body` as JSON (bytes as they are)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(status, {"Content-Type": "application/json", **headers}, raw)


def jobs_reply(statuses: Mapping[str, Sequence[str]]) -> bytes:
    """A fetch reply holding each job with its circuits' statuses (and nothing else: a poll
    reads no more)."""
    return json.dumps({job_id: {"statuses": list(s)} for job_id, s in statuses.items()}).encode()


def ids_asked(request: Request) -> list[str]:
    """The job ids a fetch request asks for."""
    query = request.url.partition("?")[2]
    return [part.removeprefix("job_id=") for part in query.split("&") if part]


class Feed:
    """Plays operations, answering their effects (see the module docstring).

    Args:
        server: Answers each Send's request.
        start: The monotonic time at the start.
        latency: Seconds each Send takes.
        draws: The numbers Draw gives, in turn (the last one then forever).
    """

    def __init__(
        self,
        server: Server,
        *,
        start: float = 1000.0,
        latency: float = 0.0,
        draws: Sequence[float] = (0.5,),
    ) -> None:
        self.server = server
        self.now = start
        self.latency = latency
        self.draws = list(draws)
        self.effects: list[Effect] = []
        self.times: list[float] = []  # the time at which each effect was yielded

    def play(self, op: Step[T]) -> T:
        """Runs `op` to its end: its value."""
        outcome: Outcome = None
        while True:
            try:
                effect = op.send(outcome)
            except StopIteration as stop:
                value: T = stop.value
                return value
            self.effects.append(effect)
            self.times.append(self.now)
            outcome = self.answer(effect)

    def answer(self, effect: Effect) -> Outcome:
        """The outcome of `effect`."""
        if isinstance(effect, Send):
            self.now += min(self.latency, effect.request.timeout)
            answered = self.server(effect.request)
            result: Result[Response, TransportError] = (
                Failure(answered) if isinstance(answered, TransportError) else Success(answered)
            )
            return Sent(result, self.instant())
        if isinstance(effect, Sleep):
            assert effect.seconds >= 0, f"a negative sleep: {effect.seconds}"
            self.now += effect.seconds
            return self.instant()
        if isinstance(effect, Now):
            return self.instant()
        if isinstance(effect, Draw):
            return self.draws.pop(0) if len(self.draws) > 1 else self.draws[0]
        return None

    def instant(self) -> Instant:
        """The time now."""
        return Instant(self.now, EPOCH + self.now)

    def of(self, kind: type[T]) -> list[T]:
        """The effects of one kind, in order."""
        return [effect for effect in self.effects if isinstance(effect, kind)]

    def sleep_ends(self) -> list[float]:
        """The time each Sleep ended."""
        return [
            at + effect.seconds
            for at, effect in zip(self.times, self.effects, strict=True)
            if isinstance(effect, Sleep)
        ]

    @property
    def requests(self) -> list[Request]:
        """Every request sent, in order."""
        return [send.request for send in self.of(Send)]

    @property
    def learned(self) -> list[Learned]:
        """Every Learned, in order."""
        return self.of(Learned)


def always(answer: Response | TransportError) -> Server:
    """A server that gives `answer` to every request."""
    return lambda _request: answer


def in_turn(*answers: Response | TransportError) -> Server:
    """A server that gives `answers` in turn, then the last one forever."""
    left = list(answers)
    return lambda _request: left.pop(0) if len(left) > 1 else left[0]
