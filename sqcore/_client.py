"""Shell: `Client`, the blocking client: it sends what its `Session` builds, and sleeps.

A public method builds its request (`Session`), sends it until a body or a final failure
(`_send`: the transport sends, `Attempts` decides, the clock sleeps), then reads the body
(`Session` again). The clock and the random source are injectable (`clock=`, `rng=`), so
tests run on a fake clock without real sleeps.

The interface `Job`, `wait_all` and `as_completed` use, internal but kept small:
`_poll(ids, deadline, keep, credentials)` fetches jobs' states in URL-sized batches, and
`_session.decoded(job_id, state)` decodes a state's data.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from sqcore._arguments import canonical_ids, new_job
from sqcore._models import CircuitStatus, CircuitType, JobData, JobType
from sqcore._session import JobState, MakeRequest, Session
from sqcore._wire import parse_cancel_reply, parse_create_reply
from transports._types import Transport

if TYPE_CHECKING:
    from sqcore._job import Job
    from transports._urllib3 import Urllib3Transport

__all__ = ["Client", "Clock", "SystemClock"]


class Clock(Protocol):
    """Time as the blocking shell sees it: a monotonic clock, the wall clock, a sleep.

    A protocol: any object with these three methods will do (tests pass a fake clock).
    """

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines are measured on it)."""
        ...

    def time(self) -> float:
        """Wall-clock epoch seconds (only to read Retry-After dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Blocks for `seconds`."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `time.time` and `time.sleep`."""

    def monotonic(self) -> float:
        """Returns `time.monotonic()`."""
        return time.monotonic()

    def time(self) -> float:
        """Returns `time.time()`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Calls `time.sleep(seconds)`."""
        time.sleep(seconds)


class Client:
    """A connection to the Superstaq API (v0.3.0): submit, read and cancel jobs.

    Args:
        api_key: The API key. If None: `SUPERSTAQ_API_KEY`, else the key files upstream
            reads (`$XDG_DATA_HOME/super.tech/superstaq_api_key`, ...).
        remote_host: The server. If None: `SUPERSTAQ_REMOTE_HOST`, else
            https://superstaq-prod.infleqtion.com. Only scheme and host are used. Plain
            `http://` is accepted only for a loopback host, so the key never crosses a
            network unencrypted.
        transport: What sends the HTTP requests; default `Urllib3Transport()`.
        api_version: The wire format; only "v0.3.0" is supported.
        circuit_type: The circuit language; it selects the fetch endpoint, and is the
            default of `create_job`.
        client_name: Sent as `X-Client-Name`.
        max_retry_seconds: Time budget for retrying 503/429 replies and network faults,
            and the default `timeout_seconds` of waits.
        request_timeout_seconds: Longest time one HTTP attempt may take.
        clock: Monotonic clock, wall clock and sleep (tests pass a fake one).
        rng: A source of random floats in [0, 1) for the retry jitter.
        **credentials: Provider credentials sent as headers: ibmq_token, ibmq_instance,
            ibmq_channel, cq_token.

    Raises:
        OSError: No API key was given or found.
        ValueError: A bad argument (unsafe or malformed host, negative budget, ...).
        TypeError: An argument of the wrong type, or an unknown keyword.
    """

    def __init__(
        self,
        api_key: str | None = None,
        remote_host: str | None = None,
        *,
        transport: Transport | None = None,
        api_version: str = "v0.3.0",
        circuit_type: CircuitType | str = CircuitType.CIRQ,
        client_name: str = "sqcore",
        max_retry_seconds: float = 60.0,
        request_timeout_seconds: float = 30.0,
        clock: Clock | None = None,
        rng: Callable[[], float] | None = None,
        **credentials: str,
    ) -> None:
        self._session = Session(
            api_key,
            remote_host,
            api_version=api_version,
            circuit_type=circuit_type,
            client_name=client_name,
            max_retry_seconds=max_retry_seconds,
            request_timeout_seconds=request_timeout_seconds,
            credentials=credentials,
        )
        # The default transport is the client's own, closed by `close()`; one passed in
        # belongs to the caller, who closes it.
        self._owned_transport: Urllib3Transport | None = None
        if transport is None:
            from transports._urllib3 import Urllib3Transport

            transport = self._owned_transport = Urllib3Transport()
        self.transport = transport
        self.clock: Clock = SystemClock() if clock is None else clock
        self._rng = random.Random().random if rng is None else rng

    @property
    def max_retry_seconds(self) -> float:
        """The retry budget of each call, and the default timeout of waits."""
        return self._session.max_retry_seconds

    @property
    def circuit_type(self) -> CircuitType:
        """The circuit language: the fetch endpoint, and `create_job`'s default."""
        return self._session.circuit_type

    def __repr__(self) -> str:
        return "Client" + self._session.describe(self.transport)

    __str__ = __repr__

    def close(self) -> None:
        """Closes the connections of the default transport, which this client made; a
        transport passed in is left as it is (it belongs to the caller, who closes it)."""
        if self._owned_transport is not None:
            self._owned_transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public API ----------------------------------------------------------------------

    def fetch_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> dict[str, JobData]:
        """Fetches the data of jobs, in as few requests as the URL length allows.

        Args:
            job_ids: The jobs' ids (UUIDs, as str or `uuid.UUID`).
            **kwargs: Provider credentials for this call (ibmq_token, ...).

        Returns:
            Each job's data, keyed by its id in canonical UUID form.

        Raises:
            ValueError: A job id is not a UUID.
            SuperstaqServerException: The server refused (401, 504, other 4xx/5xx).
            SuperstaqException: The reply could not be read, or lacks a requested job.
            TimeoutError: 503/429/network faults went on past `max_retry_seconds`.
        """
        jobs: dict[str, JobData] = {}
        for batch, body in self._replies(canonical_ids(job_ids), None, kwargs):
            jobs.update(self._session.jobs(body, batch))
        return jobs

    def cancel_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> list[str]:
        """Cancels jobs (every circuit of each that is not terminal yet).

        Args:
            job_ids: The jobs' ids.
            **kwargs: Provider credentials for this call.

        Returns:
            The ids the server reports as cancelled.

        Raises:
            ValueError: A job id is not a UUID.
            SuperstaqServerException: The server refused.
            SuperstaqException: The reply could not be read.
            TimeoutError: 503/429/network faults went on past `max_retry_seconds`.
        """
        ids = canonical_ids(job_ids)
        if not ids:
            return []
        what = f"cancelling job(s) {', '.join(ids)}"
        body = self._send(self._session.cancel(ids, kwargs), what, None)
        result = self._session.value(parse_cancel_reply(body), what)
        self._session.warn(result.warnings)
        return list(result.succeeded)

    def create_job(
        self,
        circuits: str,
        *,
        target: str,
        shots: int = 1,
        circuit_type: CircuitType | str | None = None,
        job_type: JobType | str = JobType.SUBMIT,
        sim_method: str | None = None,
        dry_run: bool = False,
        verbatim: bool = False,
        priority: int = 0,
        tags: Sequence[str] = (),
        metadata: Mapping[str, object] | None = None,
        options: Mapping[str, object] | None = None,
        **credentials: str,
    ) -> Job:
        """Submits a job (`POST client/job`) and returns its `Job`.

        A submission is not idempotent: it is retried only when the server provably did
        not take it (503, 429, or no connection made). A fault after the request was sent
        raises at once, saying the job may have been created: find it by its tags.

        Args:
            circuits: The SDK's serialized circuits, one string, sent as is.
            target: The target, e.g. "ss_unconstrained_simulator".
            shots: Shots per circuit (>= 0).
            circuit_type: cirq, qiskit or qasm; None means the client's.
            job_type: submit, simulate, compile or convert.
            sim_method: For simulation jobs: "sim" or "noise-sim" (None: the server's).
            dry_run: Ask for a dry run.
            verbatim: Skip the compile step.
            priority: The job's priority (the server caps it by role).
            tags: Tags to find the job by later.
            metadata: Anything JSON-serializable, kept with the job.
            options: Further options (upstream's `options_dict`).
            **credentials: Provider credentials for this call.

        Raises:
            TypeError, ValueError: A bad argument (named in the message), before any request.
            SuperstaqServerException: The server refused the job (e.g. 422 for a bad body).
            SuperstaqException: The reply could not be read; or the connection failed after
                the request was sent (the job may exist).
            TimeoutError: 503/429 or connection failures went on past `max_retry_seconds`.
        """
        from sqcore._job import Job

        body = new_job(
            circuits,
            target=target,
            shots=shots,
            circuit_type=self.circuit_type if circuit_type is None else circuit_type,
            job_type=job_type,
            sim_method=sim_method,
            dry_run=dry_run,
            verbatim=verbatim,
            priority=priority,
            tags=tags,
            metadata=metadata,
            options=options,
        )
        what = f"submitting a job to {target}"
        reply = self._send(self._session.create(body, credentials), what, None, idempotent=False)
        created = self._session.value(parse_create_reply(reply), what)
        return Job(self, created.job_id)

    # -- the interface of Job, wait_all and as_completed -----------------------------------

    def _poll(
        self,
        ids: Sequence[str],
        deadline: float | None,
        keep: Callable[[tuple[CircuitStatus, ...]], bool],
        credentials: Mapping[str, str],
    ) -> dict[str, JobState]:
        """The states of jobs `ids` (canonical), fetched in URL-sized batches; each keeps its
        JSON only when `keep` selects it by its statuses."""
        states: dict[str, JobState] = {}
        for batch, body in self._replies(ids, deadline, credentials):
            states.update(self._session.states(body, batch, keep))
        return states

    def _replies(
        self, ids: Sequence[str], deadline: float | None, credentials: Mapping[str, str]
    ) -> Iterator[tuple[tuple[str, ...], bytes]]:
        """Fetches `ids` in URL-sized batches: each batch, and the body of its reply."""
        for batch, make_request, what in self._session.fetches(ids, credentials):
            yield batch, self._send(make_request, what, deadline)

    def _send(
        self,
        make_request: MakeRequest,
        what: str,
        deadline: float | None,
        *,
        idempotent: bool = True,
    ) -> bytes:
        """Sends until a reply body or a final failure; returns the body or raises."""
        clock = self.clock
        attempts = self._session.attempts(what, clock.monotonic(), deadline, idempotent=idempotent)
        while True:
            started = clock.monotonic()
            request = make_request(attempts.timeout(started))
            sent = self.transport.send(request)
            now = clock.monotonic()
            step = attempts.outcome(request, sent, now - started, now, clock.time(), self._rng())
            if isinstance(step, bytes):
                return step
            clock.sleep(step)
