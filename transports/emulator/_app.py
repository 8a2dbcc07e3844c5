"""Shell: the `Emulator`: routing, authorization, the job table and the test hooks.

`Emulator.handle` maps one HTTP request, as plain values, to `(status, headers, body)`. It
owns the job table (behind one lock, since the loopback server calls it from many threads),
the clock, the wall clock and the id generator. What it decides is pure and lives elsewhere:
the endpoints (`_routes`), the request bodies (`_bodies`), the schedule (`_state`), the job
as a fetch writes it (`_view`) and the reply bodies (`_replies`).

Error replies are plain `{"detail": "<one sentence>"}` objects with the API's status codes:
400 for a body that is missing or not JSON, 422 for JSON or a query that fails validation
(the sentence names the place), 401, 404, and 405 (with Allow). The presented API key never
appears in an error reply.
"""

from __future__ import annotations

import hmac
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import parse_qsl

import msgspec
from returns.pipeline import is_successful

from transports._types import header_value
from transports.emulator._bodies import (
    Refusal,
    canonical_uuid,
    decode_cancel,
    decode_new_job,
    read_job_ids,
    read_job_query,
)
from transports.emulator._hooks import hook_job
from transports.emulator._replies import cancel_reply, create_reply, error_body, fetch_reply
from transports.emulator._routes import NOT_FOUND, UNAUTHORIZED, match_route, split_target
from transports.emulator._state import (
    Job,
    JobSpec,
    cancel_job,
    circuit_states,
    completion_time,
    job_matches,
)
from transports.emulator._transport import AsyncEmulatorTransport, EmulatorTransport
from transports.emulator._view import JobView, job_view

__all__ = ["Emulator", "RecordedRequest"]


class RecordedRequest(msgspec.Struct, frozen=True):
    """One request the emulator handled, as tests inspect it.

    Attributes:
        method: The HTTP method, upper case.
        path: The URL path, without the query string.
        job_ids: The job ids the request named (fetch: the `job_id` query values as sent;
            cancel: the body's ids as sent; create: the new id). Empty when the request was
            refused before they were read (404, 405, 401, a body that does not decode) or
            when a create was refused.
    """

    method: str
    path: str
    job_ids: tuple[str, ...] = ()


class _Outcome(msgspec.Struct, frozen=True):
    """What a route handler decided: the status, the body and what to record."""

    status: int
    body: bytes
    job_ids: tuple[str, ...] = ()
    allow: str | None = None
    retry_after: float | None = None


class _Fault(msgspec.Struct, frozen=True):
    """A failure `fail_next` queued for a coming request."""

    status: int
    message: str
    retry_after: float | None


class Emulator:
    """An emulator of the Superstaq v0.3.0 job endpoints, with a job table and test hooks.

    The same object serves HTTP through `handle` (used by `EmulatorTransport` and
    `EmulatorServer`) and offers test hooks (`create_job`, `fail_next`, `cancel`,
    `statuses`, `completion_time`, `submitted`, `requests`, `request_count`,
    `jobs_posted`). All methods are thread-safe.

    Args:
        api_key: The value the `Authorization` header must carry; None accepts any
            non-empty value.
        clock: Monotonic seconds; drives the schedule (tests pass a fake clock).
        wall_clock: Epoch seconds; used only for the timestamps written into replies.
        seed: Seeds job ids and counts, so a run is reproducible.

    Raises:
        ValueError: `api_key` is the empty string.
    """

    def __init__(
        self,
        api_key: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        seed: int = 0,
    ) -> None:
        if api_key is not None and not api_key:
            raise ValueError("api_key must be non-empty, or None to accept any key")
        self._api_key = api_key
        self._clock = clock
        self._wall_clock = wall_clock
        self._seed = seed
        self._ids = random.Random(seed)
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._requests: list[RecordedRequest] = []
        self._jobs_posted = 0
        self._faults: list[_Fault] = []

    def __repr__(self) -> str:
        with self._lock:
            return f"Emulator(jobs={len(self._jobs)}, requests={len(self._requests)})"

    # --- test hooks -------------------------------------------------------------------------

    def create_job(
        self,
        num_circuits: int | None = None,
        target: str = "ss_unconstrained_simulator",
        shots: int = 100,
        durations: float | Sequence[float] | None = None,
        fail: Mapping[int, str] | None = None,
        tags: Sequence[str] = (),
        metadata: Mapping[str, object] | None = None,
        job_type: str | None = None,
        num_qubits: int = 2,
        job_id: str | None = None,
        *,
        warn: str | None = None,
        circuit_type: str = "cirq",
        dry_run: bool = False,
        input_circuits: Sequence[str] | None = None,
        compiled_circuits: Sequence[str | None] | None = None,
        counts: Sequence[Mapping[str, int | float] | None] | None = None,
    ) -> str:
        """Creates a job directly (no request is recorded) and returns its id.

        Args:
            num_circuits: How many circuits the job has (at least 1); None means as many as
                `input_circuits` holds, else 1.
            target: The target name.
            shots: Shots per circuit (at least 0).
            durations: Seconds from creation to each circuit's terminal status: one value for
                all, or one per circuit; None staggers them (1.0 + 0.25 * i).
            fail: Circuit index -> status message: that circuit ends "failed" with it.
            tags: The job's tags.
            metadata: The job's metadata (JSON-serializable).
            job_type: One of submit, simulate, compile, convert; None means "simulate" for
                a target ending in "_simulator", else "submit".
            num_qubits: The width of the bitstrings in the counts (1..1024).
            job_id: The id to use (a UUID string); None draws a fresh, seeded uuid4.
            warn: A warning every fetch reply naming this job carries under "warnings".
            circuit_type: One of cirq, qiskit, qasm, jaqal.
            dry_run: The job's dry-run flag.
            input_circuits: Each circuit as the SDK serialized it (e.g. `cirq.to_json`, or
                qiskit-superstaq's QPY in base64); None serves a plausible empty circuit.
            compiled_circuits: What each circuit compiles to, served once it is compiled
                (None: its input circuit; None for the whole list: every input circuit).
            counts: Each circuit's counts, served once it completes (None: seeded counts
                of `num_qubits` bits summing to `shots`).

        Returns:
            The job id (canonical UUID string).

        Raises:
            ValueError: An argument is out of range, or `job_id` is malformed or taken.
            TypeError: `tags` is a bare string or `metadata` is not JSON-serializable.
        """
        if num_circuits is None:
            num_circuits = 1 if input_circuits is None else len(input_circuits)
        made = hook_job(
            num_circuits=num_circuits,
            target=target,
            shots=shots,
            durations=durations,
            fail=fail,
            tags=tags,
            metadata=metadata,
            job_type=job_type,
            num_qubits=num_qubits,
            job_id=job_id,
            circuit_type=circuit_type,
            input_circuits=input_circuits,
            compiled_circuits=compiled_circuits,
            counts=counts,
        )
        with self._lock:
            if made.job_id in self._jobs:
                raise ValueError(f"job {made.job_id} already exists")
            return self._add_job(
                JobSpec(
                    job_id=made.job_id or self._fresh_id(),
                    job_type=made.job_type,
                    target=target,
                    circuit_type=circuit_type,
                    circuits=made.circuits,
                    num_qubits=num_qubits,
                    created_at=self._clock(),
                    created_wall=self._wall_clock(),
                    seed=self._seed,
                    dry_run=dry_run,
                    tags=made.tags,
                    metadata_json=made.metadata_json,
                    warning=warn,
                )
            )

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        message: str = "Service unavailable (emulated fault).",
        retry_after: float | None = None,
    ) -> None:
        """Makes the next `count` requests fail with `status` (queued after any already
        asked for), whatever they ask: a fault such as a 503 or 429 (with `Retry-After`
        seconds), a 500 or a 504. The reply is the API's plain `{"detail": message}`; the
        requests are recorded, and change nothing.

        Raises:
            ValueError: `count` < 1, a `status` that is not an error (4xx/5xx), or a
                negative `retry_after`.
        """
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an error status (400..599), got {status}")
        if retry_after is not None and not retry_after >= 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after}")
        with self._lock:
            self._faults.extend([_Fault(status, message, retry_after)] * count)

    def cancel(self, job_id: str) -> bool:
        """Cancels job `job_id` now, as the cancel endpoint does.

        Returns:
            True if any circuit was still open (they are now "cancelled"), else False.

        Raises:
            KeyError: No job has that id.
        """
        with self._lock:
            key = self._key(job_id)
            cancelled = cancel_job(self._jobs[key], self._clock())
            if cancelled is None:
                return False
            self._jobs[key] = cancelled
            return True

    def statuses(self, job_id: str) -> list[str]:
        """Returns the statuses of job `job_id`'s circuits at `clock()`.

        Raises:
            KeyError: No job has that id.
        """
        with self._lock:
            job = self._jobs[self._key(job_id)]
            return [state.status for state in circuit_states(job, self._clock())]

    def completion_time(self, job_id: str, index: int) -> float:
        """Returns the `clock()` time at which circuit `index` became (or becomes) terminal.

        Raises:
            KeyError: No job has that id.
            IndexError: `index` is out of range.
        """
        with self._lock:
            job = self._jobs[self._key(job_id)]
        if not 0 <= index < len(job.spec.circuits):
            raise IndexError(f"circuit index {index} out of range 0..{len(job.spec.circuits) - 1}")
        return completion_time(job, index)

    def submitted(self, job_id: str) -> JobSpec:
        """Returns the definition job `job_id` was created with.

        For a job created by `POST /client/job` it holds every field of the posted `NewJob`
        the fetch reply does not serve back: `priority`, `verbatim`, `sim_method` and
        `options_json` (the `options_dict` as JSON; `msgspec.json.decode` reads it), beside
        `tags`, `metadata_json` and the circuits.

        Raises:
            KeyError: No job has that id.
        """
        with self._lock:
            return self._jobs[self._key(job_id)].spec

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request handled so far, in order."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many requests have been handled."""
        with self._lock:
            return len(self._requests)

    @property
    def jobs_posted(self) -> int:
        """How many jobs `POST /client/job` has created (refused posts and `create_job` don't
        count), so a test can tell that exactly one submission got through."""
        with self._lock:
            return self._jobs_posted

    def transport(self) -> EmulatorTransport:
        """Returns a `Transport` that sends every request to this emulator."""
        return EmulatorTransport(self)

    def async_transport(self) -> AsyncEmulatorTransport:
        """Returns an `AsyncTransport` that sends every request to this emulator."""
        return AsyncEmulatorTransport(self)

    # --- HTTP -------------------------------------------------------------------------------

    def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        """Handles one HTTP request.

        Args:
            method: The HTTP method.
            url: An absolute URL or an origin-form target (`/v0.3.0/...?...`); only the path
                and the query are read.
            headers: The request headers (names matched case-insensitively).
            body: The request body, or None.

        Returns:
            The status code, the reply headers (Content-Type and Content-Length, plus Allow
            on a 405) and the JSON reply body.
        """
        verb = method.upper()
        path, query = split_target(url)
        route = match_route(path)
        presented = header_value(headers, "Authorization")
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault is not None:
            outcome = _Outcome(
                fault.status, error_body(fault.message, presented), retry_after=fault.retry_after
            )
        elif route is None:
            outcome = _Outcome(404, error_body(NOT_FOUND, presented))
        elif verb != route.method:
            outcome = _Outcome(405, error_body(route.wrong_method, presented), allow=route.method)
        elif not self._authorized(presented):
            outcome = _Outcome(401, error_body(UNAUTHORIZED, presented))
        elif route.kind == "fetch":
            outcome = self._fetch(query, presented)
        elif route.kind == "cancel":
            outcome = self._cancel(body, presented)
        else:
            outcome = self._create(body, presented)
        with self._lock:
            self._requests.append(RecordedRequest(verb, path, outcome.job_ids))
        reply_headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(outcome.body)),
        }
        if outcome.allow is not None:
            reply_headers["Allow"] = outcome.allow
        if outcome.retry_after is not None:
            reply_headers["Retry-After"] = f"{outcome.retry_after:g}"
        return outcome.status, reply_headers, outcome.body

    def _authorized(self, presented: str | None) -> bool:
        if not presented:
            return False
        if self._api_key is None:
            return True
        return hmac.compare_digest(presented.encode(), self._api_key.encode())

    def _fetch(self, query: str, presented: str | None) -> _Outcome:
        pairs = parse_qsl(query, keep_blank_values=True)
        raw_ids = tuple(value for name, value in pairs if name == "job_id")
        read = read_job_query(pairs)
        if not is_successful(read):
            return _refused(read.failure(), presented, raw_ids)
        found = read.unwrap()
        jobs: dict[str, JobView] = {}
        warnings: list[str] = []
        with self._lock:
            now = self._clock()
            # The jobs asked for by id, in the order asked; else the whole table.
            keys = found.job_ids or tuple(self._jobs)
            for key in keys:
                job = self._jobs.get(key)
                if job is None or not job_matches(job, found, now):
                    continue
                jobs[key] = job_view(job, now)
                if job.spec.warning is not None:
                    warnings.append(job.spec.warning)
        return _Outcome(200, fetch_reply(jobs, warnings), raw_ids)

    def _cancel(self, body: bytes | None, presented: str | None) -> _Outcome:
        decoded = decode_cancel(body)
        if not is_successful(decoded):
            return _refused(decoded.failure(), presented)
        raw_ids = tuple(decoded.unwrap().job_id)
        read = read_job_ids("body.job_id", raw_ids)
        if not is_successful(read):
            return _refused(read.failure(), presented, raw_ids)
        succeeded: list[str] = []
        with self._lock:
            now = self._clock()
            for key in read.unwrap():
                job = self._jobs.get(key)
                cancelled = None if job is None else cancel_job(job, now)
                if cancelled is not None:
                    self._jobs[key] = cancelled
                    succeeded.append(key)
        return _Outcome(200, cancel_reply(succeeded), raw_ids)

    def _create(self, body: bytes | None, presented: str | None) -> _Outcome:
        decoded = decode_new_job(body)
        if not is_successful(decoded):
            return _refused(decoded.failure(), presented)
        submission = decoded.unwrap()
        new_job = submission.new_job
        with self._lock:
            job_id = self._add_job(
                JobSpec(
                    job_id=self._fresh_id(),
                    job_type=new_job.job_type,
                    target=new_job.target,
                    circuit_type=new_job.circuit_type,
                    circuits=submission.circuits,
                    num_qubits=submission.num_qubits,
                    created_at=self._clock(),
                    created_wall=self._wall_clock(),
                    seed=self._seed,
                    dry_run=new_job.dry_run,
                    tags=tuple(new_job.tags),
                    metadata_json=msgspec.json.encode(new_job.metadata),
                    verbatim=new_job.verbatim,
                    sim_method=new_job.sim_method,
                    priority=new_job.priority,
                    options_json=msgspec.json.encode(new_job.options_dict),
                )
            )
            self._jobs_posted += 1
        return _Outcome(200, create_reply(job_id, len(submission.circuits)), (job_id,))

    # --- internals (callers hold the lock) ----------------------------------------------------

    def _key(self, job_id: str) -> str:
        canonical = canonical_uuid(job_id)
        if canonical is None or canonical not in self._jobs:
            raise KeyError(f"no emulated job {job_id!r}")
        return canonical

    def _fresh_id(self) -> str:
        while True:
            candidate = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            if candidate not in self._jobs:
                return candidate

    def _add_job(self, spec: JobSpec) -> str:
        self._jobs[spec.job_id] = Job(spec)
        return spec.job_id


def _refused(refusal: Refusal, presented: str | None, job_ids: tuple[str, ...] = ()) -> _Outcome:
    """The plain error reply of a refused body or query (the presented key redacted)."""
    return _Outcome(refusal.status, error_body(refusal.sentence, presented), job_ids)
