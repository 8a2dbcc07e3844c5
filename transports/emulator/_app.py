"""Shell: the emulator application — routing, authorization, JSON in and out — and its Transport.

`Emulator.handle` maps one HTTP request, as plain values, to `(status, headers, body)`. It
owns the job table (behind one lock, since the loopback server calls it from many threads),
the clock, the wall clock and the id generator; the schedule itself is pure (`_state`).

Replies follow the upstream server (FastAPI): errors carry `{"detail": ...}`, validation
errors a list of `{"type", "loc", "msg", "input"}` items whose `loc` names the offending
part of the request (`["query", "job_id", 0]`, `["body", "shots"]`). The presented API key
never appears in any reply. The JSON written here comes from this package's own
definitions, never from sqcore's models, so a schema mistake cannot hide on both sides.
"""

from __future__ import annotations

import hmac
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Literal, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from transports._types import Request, Response, TransportError, header_value
from transports.emulator._state import (
    CIRCUIT_TYPES,
    JOB_TYPES,
    CircuitSpec,
    Job,
    JobSpec,
    cancel_job,
    circuit_states,
    completion_time,
    default_durations,
    default_input_circuit,
)
from transports.emulator._view import JobView, job_view

__all__ = [
    "API_VERSION",
    "MAX_CIRCUITS",
    "MAX_QUBITS",
    "Emulator",
    "EmulatorTransport",
    "RecordedRequest",
]

#: The API version prefix the emulator serves.
API_VERSION = "v0.3.0"

#: Bounds on what one job may ask for, so a request cannot make the emulator do unbounded work.
MAX_CIRCUITS = 10_000
MAX_QUBITS = 1024
_MAX_DURATION_SECONDS = 365 * 24 * 3600.0

_UUID_PATTERN = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)
_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")
_EXPECTED_TYPE = re.compile(r"Expected `([a-z]+)`")
_BYTE_OFFSET = re.compile(r"\(byte (\d+)\)")
_MISSING_FIELD = re.compile(r"Object missing required field `(.+)`")

#: msgspec's type names -> pydantic's error types, for FastAPI-shaped validation errors.
_TYPE_ERRORS: tuple[tuple[str, str], ...] = (
    ("int", "int_type"),
    ("str", "string_type"),
    ("bool", "bool_type"),
    ("float", "float_type"),
    ("array", "list_type"),
    ("object", "dict_type"),
    ("null", "none_required"),
)

_NOT_FOUND = b'{"detail":"Not Found"}'
_NOT_ALLOWED = b'{"detail":"Method Not Allowed"}'
_UNAUTHORIZED = b'{"detail":"Not authorized. Check your API key."}'

_T = TypeVar("_T")
_Loc = tuple[str | int, ...]


class RecordedRequest(msgspec.Struct, frozen=True):
    """One request the emulator handled, as tests inspect it.

    Attributes:
        method: The HTTP method, upper case.
        path: The URL path, without the query string.
        job_ids: The job ids the request named (fetch: the `job_id` query values as sent;
            cancel: the body's ids; create: the new id). Empty when the request was refused
            before they were read (404, 405, 401) or its body was malformed.
    """

    method: str
    path: str
    job_ids: tuple[str, ...] = ()


# --- request bodies (this package's own definitions of upstream's models) -----------------

_Seconds = Annotated[float, msgspec.Meta(ge=0, le=_MAX_DURATION_SECONDS)]


class _EmulatorOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`options_dict["emulator"]`: drives the schedule of a job created over HTTP."""

    durations: _Seconds | list[_Seconds] | None = None
    fail: dict[int, str] = {}
    num_qubits: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUBITS)] = 2


class _Options(msgspec.Struct, frozen=True):
    """`options_dict`: only the "emulator" key is read; other options are accepted and ignored."""

    emulator: _EmulatorOptions | None = None


class _NewJob(msgspec.Struct, frozen=True):
    """The body of `POST /client/job` (upstream `NewJob`)."""

    job_type: Literal["submit", "simulate", "compile", "convert"]
    target: Annotated[str, msgspec.Meta(min_length=1)]
    circuits: str
    circuit_type: Literal["cirq", "qiskit", "qasm"]
    verbatim: bool = False
    shots: Annotated[int, msgspec.Meta(ge=0)] = 0
    dry_run: bool = False
    sim_method: Literal["sim", "noise-sim"] | None = None
    priority: int = 0
    options_dict: _Options = msgspec.field(default_factory=_Options)
    tags: list[str] = []
    metadata: dict[str, object] = {}


class _CancelBody(msgspec.Struct, frozen=True):
    """The body of `PUT /client/cancel_jobs`."""

    job_id: list[str]


_NEW_JOB_DECODER = msgspec.json.Decoder(_NewJob)
_CANCEL_DECODER = msgspec.json.Decoder(_CancelBody)
_CIRCUITS_DECODER = msgspec.json.Decoder(list[msgspec.Raw])
_ANY_JSON_DECODER = msgspec.json.Decoder(object)
_STR_DECODER = msgspec.json.Decoder(str)


# --- reply bodies ---------------------------------------------------------------------------


class _ErrorItem(msgspec.Struct, frozen=True):
    """One FastAPI validation error; `input`/`ctx` are omitted when unset."""

    type: str
    loc: _Loc
    msg: str
    input: object = msgspec.UNSET
    ctx: dict[str, str] | msgspec.UnsetType = msgspec.UNSET


class _ValidationReply(msgspec.Struct, frozen=True):
    detail: tuple[_ErrorItem, ...]


class _WarningItem(msgspec.Struct, frozen=True):
    message: str


class _CancelReply(msgspec.Struct, frozen=True):
    succeeded: list[str]
    message: str


class _CreateReply(msgspec.Struct, frozen=True):
    job_id: str
    num_circuits: int


class _Outcome(msgspec.Struct, frozen=True):
    """What a route handler decided: the status, the body and what to record."""

    status: int
    body: bytes
    job_ids: tuple[str, ...] = ()
    allow: str | None = None


class _Route(msgspec.Struct, frozen=True):
    kind: Literal["fetch", "cancel", "create"]
    method: str


# --- pure helpers ---------------------------------------------------------------------------


def _canonical_uuid(value: str) -> str | None:
    """Returns `value` as a canonical lower-case UUID string, or None if it is not one."""
    if _UUID_PATTERN.fullmatch(value) is None:
        return None
    return str(uuid.UUID(value))


def _match_route(path: str) -> _Route | None:
    """Returns the route `path` names, or None (404)."""
    segments = [unquote(segment) for segment in path.split("/")]
    if len(segments) < 2 or segments[0] != "" or segments[1] != API_VERSION:
        return None
    rest = segments[2:]
    if len(rest) == 3 and rest[:2] == ["client", "job"] and rest[2] in CIRCUIT_TYPES:
        return _Route("fetch", "GET")
    if rest == ["client", "job"]:
        return _Route("create", "POST")
    if rest == ["client", "cancel_jobs"]:
        return _Route("cancel", "PUT")
    return None


def _validation_reply(items: Sequence[_ErrorItem]) -> _Outcome:
    return _Outcome(422, msgspec.json.encode(_ValidationReply(tuple(items))))


def _walk(document: object, path: _Loc) -> object:
    """Returns the part of a decoded JSON `document` at `path`, or None if it is absent."""
    node = document
    for step in path:
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def _error_type(message: str) -> str:
    if message.startswith("Invalid enum value"):
        return "enum"
    if message.startswith("Object contains unknown field"):
        return "extra_forbidden"
    if "length >= " in message:
        return "string_too_short"
    if " >= " in message:
        return "greater_than_equal"
    if " <= " in message:
        return "less_than_equal"
    expected = _EXPECTED_TYPE.match(message)
    if expected is not None:
        for name, error_type in _TYPE_ERRORS:
            if expected.group(1) == name:
                return error_type
    return "value_error"


def _validation_item(error: msgspec.ValidationError, body: bytes) -> _ErrorItem:
    """Translates a msgspec validation error into one FastAPI error item with a `loc`."""
    text = str(error)
    message, separator, where = text.rpartition(" - at `")
    if not separator:
        message, where = text, "$`"
    where = where.removesuffix("`").removeprefix("key` in `")
    steps: list[str | int] = []
    for token in _PATH_TOKEN.finditer(where.removeprefix("$")):
        name, index = token.group(1), token.group(2)
        steps.append(name if name is not None else int(index) if index is not None else "...")
    try:
        document = _ANY_JSON_DECODER.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        # msgspec can report a schema error before it reaches a later syntax error.
        document = None
    missing = _MISSING_FIELD.match(message)
    if missing is not None:
        return _ErrorItem(
            "missing",
            ("body", *steps, missing.group(1)),
            "Field required",
            _walk(document, tuple(steps)),
        )
    return _ErrorItem(
        _error_type(message), ("body", *steps), message, _walk(document, tuple(steps))
    )


def _decode_body(
    body: bytes | None, decoder: msgspec.json.Decoder[_T]
) -> Result[_T, tuple[_ErrorItem, ...]]:
    """Decodes a JSON request body, or returns the FastAPI error items saying why not."""
    if not body:
        return Failure((_ErrorItem("missing", ("body",), "Field required", None),))
    try:
        return Success(decoder.decode(body))
    except msgspec.ValidationError as error:
        return Failure((_validation_item(error, body),))
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        # msgspec raises UnicodeDecodeError (not a DecodeError) for a string that is not UTF-8.
        offset = _BYTE_OFFSET.search(str(error))
        return Failure(
            (
                _ErrorItem(
                    "json_invalid",
                    ("body", int(offset.group(1)) if offset else 0),
                    "JSON decode error",
                    {},
                    {"error": str(error)},
                ),
            )
        )


def _uuid_error(section: str, index: int, value: str) -> _ErrorItem:
    return _ErrorItem(
        "uuid_parsing", (section, "job_id", index), "Input should be a valid UUID", value
    )


def _canonical_ids(
    section: str, raw_ids: tuple[str, ...]
) -> tuple[tuple[str | None, ...], _Outcome | None]:
    """Each id in canonical form (None if not a UUID), and the 422 reply if any is not."""
    canonical = tuple(_canonical_uuid(value) for value in raw_ids)
    errors = [
        _uuid_error(section, index, value)
        for index, (value, parsed) in enumerate(zip(raw_ids, canonical, strict=True))
        if parsed is None
    ]
    if not errors:
        return canonical, None
    outcome = _validation_reply(errors)
    return canonical, _Outcome(outcome.status, outcome.body, raw_ids)


def _split_circuits(circuits: str) -> tuple[str, ...]:
    """Returns one serialized circuit per element if `circuits` is a JSON array, else itself.

    An element that is a JSON string (e.g. a list of QASM programs) is that string; any other
    element is its JSON text.
    """
    try:
        elements = _CIRCUITS_DECODER.decode(circuits.encode())
    except msgspec.DecodeError:
        return (circuits,)
    pieces: list[str] = []
    for element in elements:
        raw = bytes(element)
        try:
            pieces.append(_STR_DECODER.decode(raw))
        except msgspec.DecodeError:
            pieces.append(raw.decode())
    return tuple(pieces)


def _check_new_job(new_job: _NewJob, count: int) -> tuple[_ErrorItem, ...]:
    """Returns the errors of a structurally valid `NewJob` body the schema cannot express."""
    options: _Loc = ("body", "options_dict", "emulator")
    errors: list[_ErrorItem] = []
    if count == 0:
        errors.append(
            _ErrorItem(
                "value_error",
                ("body", "circuits"),
                "Value error, circuits must hold at least one circuit",
                new_job.circuits,
            )
        )
    if count > MAX_CIRCUITS:
        errors.append(
            _ErrorItem(
                "value_error",
                ("body", "circuits"),
                f"Value error, at most {MAX_CIRCUITS} circuits per job",
            )
        )
    emulator = new_job.options_dict.emulator
    if emulator is not None:
        durations = emulator.durations
        if isinstance(durations, list) and len(durations) != count:
            errors.append(
                _ErrorItem(
                    "value_error",
                    (*options, "durations"),
                    f"Value error, expected {count} durations (one per circuit), "
                    f"got {len(durations)}",
                    durations,
                )
            )
        errors.extend(
            _ErrorItem(
                "value_error",
                (*options, "fail", str(index)),
                f"Value error, circuit index out of range 0..{count - 1}",
                index,
            )
            for index in emulator.fail
            if not 0 <= index < count
        )
    return tuple(errors)


def _durations_tuple(durations: float | Sequence[float] | None, count: int) -> tuple[float, ...]:
    if durations is None:
        return default_durations(count)
    if isinstance(durations, (int, float)):
        return (float(durations),) * count
    return tuple(float(value) for value in durations)


# --- the application ------------------------------------------------------------------------


class Emulator:
    """An in-process fake of the Superstaq v0.3.0 job endpoints.

    Jobs advance through realistic per-circuit statuses on a schedule read from `clock`.
    The same object serves HTTP through `handle` (used by `EmulatorTransport` and
    `EmulatorServer`) and offers test hooks (`create_job`, `cancel`, `statuses`,
    `completion_time`, `requests`). All methods are thread-safe.

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

    def __repr__(self) -> str:
        with self._lock:
            return f"Emulator(jobs={len(self._jobs)}, requests={len(self._requests)})"

    # --- test hooks -------------------------------------------------------------------------

    def create_job(
        self,
        num_circuits: int = 1,
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
    ) -> str:
        """Creates a job directly (no request is recorded) and returns its id.

        Args:
            num_circuits: How many circuits the job has (at least 1).
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
            circuit_type: One of cirq, qiskit, qasm.
            dry_run: The job's dry-run flag.

        Returns:
            The job id (canonical UUID string).

        Raises:
            ValueError: An argument is out of range, or `job_id` is malformed or taken.
            TypeError: `tags` is a bare string or `metadata` is not JSON-serializable.
        """
        if not 1 <= num_circuits <= MAX_CIRCUITS:
            raise ValueError(f"num_circuits must be in 1..{MAX_CIRCUITS}, got {num_circuits}")
        if shots < 0:
            raise ValueError(f"shots must be >= 0, got {shots}")
        if not 1 <= num_qubits <= MAX_QUBITS:
            raise ValueError(f"num_qubits must be in 1..{MAX_QUBITS}, got {num_qubits}")
        if circuit_type not in CIRCUIT_TYPES:
            raise ValueError(f"circuit_type must be one of {CIRCUIT_TYPES}, got {circuit_type!r}")
        resolved_type = job_type or ("simulate" if target.endswith("_simulator") else "submit")
        if resolved_type not in JOB_TYPES:
            raise ValueError(f"job_type must be one of {JOB_TYPES}, got {job_type!r}")
        seconds = _durations_tuple(durations, num_circuits)
        if len(seconds) != num_circuits:
            raise ValueError(f"expected {num_circuits} durations, got {len(seconds)}")
        if not all(math.isfinite(value) and value >= 0 for value in seconds):
            raise ValueError(f"durations must be finite and >= 0, got {seconds}")
        failures = dict(fail or {})
        bad = sorted(index for index in failures if not 0 <= index < num_circuits)
        if bad:
            raise ValueError(f"fail indexes {bad} out of range 0..{num_circuits - 1}")
        if isinstance(tags, str):
            raise TypeError("tags must be a sequence of strings, not a string")
        try:
            metadata_json = msgspec.json.encode(dict(metadata or {}))
        except (msgspec.EncodeError, TypeError) as error:
            raise TypeError(f"metadata is not JSON-serializable: {error}") from error
        canonical: str | None = None
        if job_id is not None:
            canonical = _canonical_uuid(job_id)
            if canonical is None:
                raise ValueError(f"job_id must be a UUID string, got {job_id!r}")
        circuit = default_input_circuit(circuit_type, num_qubits)
        with self._lock:
            if canonical is not None and canonical in self._jobs:
                raise ValueError(f"job {canonical} already exists")
            return self._add_job(
                job_id=canonical,
                job_type=resolved_type,
                target=target,
                circuit_type=circuit_type,
                circuits=tuple(
                    CircuitSpec(circuit, seconds[index], shots, failures.get(index))
                    for index in range(num_circuits)
                ),
                num_qubits=num_qubits,
                tags=tuple(tags),
                metadata_json=metadata_json,
                dry_run=dry_run,
                warning=warn,
            )

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

    def transport(self) -> EmulatorTransport:
        """Returns a `Transport` that sends every request to this emulator."""
        return EmulatorTransport(self)

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
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unbalanced "[" in what looks like a host
            parts = urlsplit("/")
        path = parts.path or "/"
        route = _match_route(path)
        if route is None:
            outcome = _Outcome(404, _NOT_FOUND)
        elif verb != route.method:
            outcome = _Outcome(405, _NOT_ALLOWED, allow=route.method)
        elif not self._authorized(headers):
            outcome = _Outcome(401, _UNAUTHORIZED)
        elif route.kind == "fetch":
            outcome = self._fetch(parts.query)
        elif route.kind == "cancel":
            outcome = self._cancel(body)
        else:
            outcome = self._create(body)
        with self._lock:
            self._requests.append(RecordedRequest(verb, path, outcome.job_ids))
        reply_headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(outcome.body)),
        }
        if outcome.allow is not None:
            reply_headers["Allow"] = outcome.allow
        return outcome.status, reply_headers, outcome.body

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        presented = header_value(headers, "Authorization")
        if not presented:
            return False
        if self._api_key is None:
            return True
        return hmac.compare_digest(presented.encode(), self._api_key.encode())

    def _fetch(self, query: str) -> _Outcome:
        raw_ids = tuple(
            value for name, value in parse_qsl(query, keep_blank_values=True) if name == "job_id"
        )
        canonical, refused = _canonical_ids("query", raw_ids)
        if refused is not None:
            return refused
        reply: dict[str, JobView | list[_WarningItem]] = {}
        warnings: list[_WarningItem] = []
        with self._lock:
            now = self._clock()
            for key in canonical:
                job = self._jobs.get(key) if key is not None else None
                if key is None or job is None or key in reply:
                    continue
                reply[key] = job_view(job, now)
                if job.spec.warning is not None:
                    warnings.append(_WarningItem(job.spec.warning))
        if warnings:
            reply["warnings"] = warnings
        return _Outcome(200, msgspec.json.encode(reply), raw_ids)

    def _cancel(self, body: bytes | None) -> _Outcome:
        decoded = _decode_body(body, _CANCEL_DECODER)
        if not is_successful(decoded):
            return _validation_reply(decoded.failure())
        raw_ids = tuple(decoded.unwrap().job_id)
        canonical, refused = _canonical_ids("body", raw_ids)
        if refused is not None:
            return refused
        succeeded: list[str] = []
        with self._lock:
            now = self._clock()
            for key in canonical:
                job = self._jobs.get(key) if key is not None else None
                if key is None or job is None:
                    continue
                cancelled = cancel_job(job, now)
                if cancelled is not None:
                    self._jobs[key] = cancelled
                    succeeded.append(key)
        reply = _CancelReply(succeeded, f"{len(succeeded)} job(s) cancelled.")
        return _Outcome(200, msgspec.json.encode(reply), raw_ids)

    def _create(self, body: bytes | None) -> _Outcome:
        decoded = _decode_body(body, _NEW_JOB_DECODER)
        if not is_successful(decoded):
            return _validation_reply(decoded.failure())
        new_job = decoded.unwrap()
        circuits = _split_circuits(new_job.circuits)
        errors = _check_new_job(new_job, len(circuits))
        if errors:
            return _validation_reply(errors)
        options = new_job.options_dict.emulator or _EmulatorOptions()
        seconds = _durations_tuple(options.durations, len(circuits))
        specs = tuple(
            CircuitSpec(circuit, seconds[index], new_job.shots, options.fail.get(index))
            for index, circuit in enumerate(circuits)
        )
        with self._lock:
            job_id = self._add_job(
                job_id=None,
                job_type=new_job.job_type,
                target=new_job.target,
                circuit_type=new_job.circuit_type,
                circuits=specs,
                num_qubits=options.num_qubits,
                tags=tuple(new_job.tags),
                metadata_json=msgspec.json.encode(new_job.metadata),
                dry_run=new_job.dry_run,
                warning=None,
            )
        reply = _CreateReply(job_id, len(specs))
        return _Outcome(200, msgspec.json.encode(reply), (job_id,))

    # --- internals (callers hold the lock) ----------------------------------------------------

    def _key(self, job_id: str) -> str:
        canonical = _canonical_uuid(job_id)
        if canonical is None or canonical not in self._jobs:
            raise KeyError(f"no emulated job {job_id!r}")
        return canonical

    def _fresh_id(self) -> str:
        while True:
            candidate = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            if candidate not in self._jobs:
                return candidate

    def _add_job(
        self,
        *,
        job_id: str | None,
        job_type: str,
        target: str,
        circuit_type: str,
        circuits: tuple[CircuitSpec, ...],
        num_qubits: int,
        tags: tuple[str, ...],
        metadata_json: bytes,
        dry_run: bool,
        warning: str | None,
    ) -> str:
        key = job_id if job_id is not None else self._fresh_id()
        self._jobs[key] = Job(
            JobSpec(
                job_id=key,
                job_type=job_type,
                target=target,
                circuit_type=circuit_type,
                circuits=circuits,
                num_qubits=num_qubits,
                created_at=self._clock(),
                created_wall=self._wall_clock(),
                seed=self._seed,
                dry_run=dry_run,
                tags=tags,
                metadata_json=metadata_json,
                warning=warning,
            )
        )
        return key


class EmulatorTransport:
    """A `Transport` that hands every request to an `Emulator`, in process.

    Only the request's method, URL path and query, headers and body are used (scheme, host
    and timeout are ignored). It never returns a `Failure`: malformed requests get 4xx
    replies, as from a real server.

    Args:
        emulator: The emulator to send requests to.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def __repr__(self) -> str:
        return f"EmulatorTransport({self._emulator!r})"

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Returns the emulator's reply to `request`, always as a `Success`."""
        status, headers, body = self._emulator.handle(
            request.method, request.url, request.headers, request.body
        )
        return Success(Response(status, headers, body))
