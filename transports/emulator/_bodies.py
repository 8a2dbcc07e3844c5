"""Pure: the request bodies the emulator reads, and their decoding into a value or a refusal.

The bodies are this package's own definitions of upstream's models: `NewJob` (the body of
`POST /client/job`), the cancel body, and `options_dict["emulator"]`, the emulator's own
options that drive a posted job's schedule. The query of `GET /client/job/{type}` is
upstream's `JobQuery`, read by `read_job_query` into a `_state.JobFilter`.

Rules this module keeps (checked in `tests/emulator/test_emulator_bodies.py`):
- Decoding never raises: it returns `Success(value)` or `Failure(Refusal)`.
- A body that is absent, empty or not JSON is refused with 400; JSON that does not fit the
  schema, or asks for what the emulator cannot do, with 422.
- A refusal is one sentence that begins with the place it is about: `body`, a path into the
  body (`body.shots`, `body.options_dict.emulator.durations[1]`, msgspec's path with its
  `$` spelled `body`) or a query parameter (`query job_id[i]`, `query min_priority`); the
  rest is msgspec's own message, or this module's for a check the schema cannot express.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Annotated, Literal, TypeVar

import msgspec
from returns.result import Failure, Result, Success

from transports.emulator._state import (
    CIRCUIT_STATUSES,
    CircuitSpec,
    JobFilter,
    circuit_specs,
    durations_for,
)

__all__ = [
    "MAX_CIRCUITS",
    "MAX_DURATION_SECONDS",
    "MAX_QUBITS",
    "CancelBody",
    "EmulatorOptions",
    "NewJob",
    "Refusal",
    "Submission",
    "canonical_uuid",
    "decode_cancel",
    "decode_new_job",
    "read_job_ids",
    "read_job_query",
    "split_circuits",
]

#: Bounds on what one job may ask for, so a request cannot make the emulator do unbounded work.
MAX_CIRCUITS = 10_000
MAX_QUBITS = 1024
MAX_DURATION_SECONDS = 365 * 24 * 3600.0

_OPTIONS_PLACE = "body.options_dict.emulator"

_T = TypeVar("_T")
_Seconds = Annotated[float, msgspec.Meta(ge=0, le=MAX_DURATION_SECONDS)]


class EmulatorOptions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`options_dict["emulator"]`: the schedule of a job created over HTTP.

    Attributes:
        durations: Seconds from creation to each circuit's terminal status: one number for
            all, one per circuit, or None for the staggered default (`default_durations`).
        fail: Circuit index -> the status message that circuit fails with.
        num_qubits: The width of the bitstrings in the counts.
    """

    durations: _Seconds | list[_Seconds] | None = None
    fail: dict[int, str] = {}
    num_qubits: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUBITS)] = 2


class NewJob(msgspec.Struct, frozen=True):
    """The body of `POST /client/job`: every field of upstream `NewJob`, same defaults.

    Unknown fields are ignored, as upstream's models do. `options_dict` and `metadata` keep
    each value as the JSON it was sent as (stored and served back as is); only the "emulator"
    key of `options_dict` is read (`EmulatorOptions`).
    """

    job_type: Literal["submit", "simulate", "compile", "convert"]
    target: Annotated[str, msgspec.Meta(min_length=1)]
    circuits: str
    circuit_type: Literal["cirq", "qiskit", "qasm", "jaqal"]
    verbatim: bool = False
    shots: Annotated[int, msgspec.Meta(ge=0)] = 0
    dry_run: bool = False
    sim_method: Literal["sim", "noise-sim"] | None = None
    priority: int = 0
    options_dict: dict[str, msgspec.Raw] = {}
    tags: list[str] = []
    metadata: dict[str, msgspec.Raw] = {}


class CancelBody(msgspec.Struct, frozen=True):
    """The body of `PUT /client/cancel_jobs`: the ids as sent (checked by `read_job_ids`)."""

    job_id: list[str]


class Refusal(msgspec.Struct, frozen=True):
    """Why a request's body or query was refused.

    Attributes:
        status: 400 (no body, or not JSON) or 422 (JSON that fails validation).
        sentence: One sentence that begins with the place it is about.
    """

    status: Literal[400, 422]
    sentence: str


class Submission(msgspec.Struct, frozen=True):
    """A `NewJob` that passed every check, with the circuits the schedule runs.

    Attributes:
        new_job: The body as posted.
        circuits: One spec per circuit (input, duration, shots, failure), in order.
        num_qubits: The width of the bitstrings in the counts.
    """

    new_job: NewJob
    circuits: tuple[CircuitSpec, ...]
    num_qubits: int


_NEW_JOB_DECODER = msgspec.json.Decoder(NewJob)
_CANCEL_DECODER = msgspec.json.Decoder(CancelBody)
_OPTIONS_DECODER = msgspec.json.Decoder(EmulatorOptions | None)
_ANY_DECODER = msgspec.json.Decoder()
_ELEMENTS_DECODER = msgspec.json.Decoder(list[msgspec.Raw])
_STR_DECODER = msgspec.json.Decoder(str)


def _located(root: str, error: msgspec.ValidationError) -> str:
    """msgspec's message led by the place it names, its path's `$` spelled `root`.

    msgspec writes "<message> - at `$.a.b[0]`", "<message> - at `key` in `$.a`" for a key
    of the mapping at `$.a`, and just "<message>" for the document itself.
    """
    message, separator, where = str(error).rpartition(" - at ")
    if not separator:
        return f"{root}: {error}"
    key, in_mapping, mapping = where.partition(" in ")
    path = mapping if in_mapping else key
    place = path.strip("`").replace("$", root, 1)
    return f"{place} (a key): {message}" if in_mapping else f"{place}: {message}"


#: A body nested past the decoder's recursion limit: JSON, but not readable (as a server
#: whose JSON library raises RecursionError must refuse it).
_TOO_DEEP = Refusal(400, "body: nests arrays or objects too deeply to be read")


def _not_json(reason: str) -> Refusal:
    return Refusal(400, f"body: not valid JSON ({reason})")


def _syntax_error(body: bytes) -> str | None:
    """Why `body` is not JSON at all, or None if it is."""
    try:
        _ANY_DECODER.decode(body)
    except msgspec.DecodeError as error:
        return str(error)
    except RecursionError:
        return None  # JSON as far as it goes: the schema error found first stands
    return None


def _decode(body: bytes | None, decoder: msgspec.json.Decoder[_T]) -> Result[_T, Refusal]:
    """Decodes a required JSON body with `decoder`, or returns the refusal saying why not."""
    if not body:
        return Failure(Refusal(400, "body: missing; this endpoint takes a JSON object"))
    try:
        # JSON text is UTF-8 (RFC 8259 §8.1); msgspec checks only the strings it decodes, not
        # those inside a `Raw` value, which would then be kept and served back.
        body.decode()
    except UnicodeDecodeError as error:
        return Failure(_not_json(str(error)))
    try:
        return Success(decoder.decode(body))
    except RecursionError:
        return Failure(_TOO_DEEP)
    except msgspec.ValidationError as error:
        # msgspec may meet a schema error before a syntax error further on: not JSON wins.
        syntax = _syntax_error(body)
        if syntax is not None:
            return Failure(_not_json(syntax))
        return Failure(Refusal(422, _located("body", error)))
    except msgspec.DecodeError as error:
        return Failure(_not_json(str(error)))


def canonical_uuid(value: str) -> str | None:
    """`value` as a canonical lower-case UUID string, or None if it is not a UUID.

    Invariant: msgspec's UUID rule (hyphenated or 32 hex digits, any case), as upstream's
    server (pydantic) reads ids.
    """
    try:
        return str(msgspec.convert(value, uuid.UUID))
    except msgspec.ValidationError:
        return None


def read_job_ids(place: str, values: Sequence[str]) -> Result[tuple[str, ...], Refusal]:
    """Each of `values` as a canonical UUID, or a 422 naming the first that is not one.

    Args:
        place: Where the ids came from, as the sentence names it ("query job_id",
            "body.job_id"); the index in brackets follows it.
        values: The ids as sent.
    """
    canonical: list[str] = []
    for index, value in enumerate(values):
        parsed = canonical_uuid(value)
        if parsed is None:
            return Failure(Refusal(422, f"{place}[{index}]: {value!r} is not a valid UUID"))
        canonical.append(parsed)
    return Success(tuple(canonical))


def decode_cancel(body: bytes | None) -> Result[CancelBody, Refusal]:
    """Decodes the body of `PUT /client/cancel_jobs` (its ids are not checked yet)."""
    return _decode(body, _CANCEL_DECODER)


def split_circuits(circuits: str) -> tuple[str, ...]:
    """One serialized circuit per element if `circuits` is a JSON array, else `circuits` itself.

    An element that is a JSON string (e.g. a list of QASM programs) is that string; any other
    element is its JSON text.
    """
    try:
        elements = _ELEMENTS_DECODER.decode(circuits.encode())
    except (msgspec.DecodeError, RecursionError):
        return (circuits,)
    pieces: list[str] = []
    for element in elements:
        raw = bytes(element)
        try:
            pieces.append(_STR_DECODER.decode(raw))
        except msgspec.DecodeError:
            pieces.append(raw.decode())
    return tuple(pieces)


def _emulator_options(new_job: NewJob) -> Result[EmulatorOptions, Refusal]:
    raw = new_job.options_dict.get("emulator")
    if raw is None:
        return Success(EmulatorOptions())
    try:
        options = _OPTIONS_DECODER.decode(raw)
    except msgspec.ValidationError as error:
        return Failure(Refusal(422, _located(_OPTIONS_PLACE, error)))
    return Success(EmulatorOptions() if options is None else options)


def _submission(new_job: NewJob, options: EmulatorOptions) -> Result[Submission, Refusal]:
    """The checks the schema cannot express: how many circuits, and options that fit them."""
    inputs = split_circuits(new_job.circuits)
    count = len(inputs)
    if count == 0:
        return Failure(Refusal(422, "body.circuits: holds no circuits; send at least one"))
    if count > MAX_CIRCUITS:
        return Failure(
            Refusal(422, f"body.circuits: holds {count} circuits; a job may have {MAX_CIRCUITS}")
        )
    durations = options.durations
    if isinstance(durations, list) and len(durations) != count:
        return Failure(
            Refusal(
                422,
                f"{_OPTIONS_PLACE}.durations: has {len(durations)} values for {count} "
                "circuits; give one number, or one per circuit",
            )
        )
    out_of_range = sorted(index for index in options.fail if not 0 <= index < count)
    if out_of_range:
        return Failure(
            Refusal(
                422,
                f"{_OPTIONS_PLACE}.fail: circuit index {out_of_range[0]} is out of range "
                f"0..{count - 1}",
            )
        )
    specs = circuit_specs(inputs, durations_for(durations, count), new_job.shots, options.fail)
    return Success(Submission(new_job, specs, options.num_qubits))


def decode_new_job(body: bytes | None) -> Result[Submission, Refusal]:
    """Decodes and checks the body of `POST /client/job`.

    Returns:
        The submission, or the refusal of the first problem found: the body (400), its
        schema, its emulator options, then the checks that span fields (422).
    """
    return _decode(body, _NEW_JOB_DECODER).bind(
        lambda new_job: _emulator_options(new_job).bind(
            lambda options: _submission(new_job, options)
        )
    )


class _QueryValues(msgspec.Struct, frozen=True):
    """The query of `GET /client/job/{type}` but its job ids: upstream `JobQuery`'s names.
    A repeated scalar takes its last value, as upstream's server (FastAPI) reads it."""

    user_email: list[str] = []
    target_name: list[str] = []
    status: list[str] = []
    tags: list[str] = []
    min_priority: int | None = None
    max_priority: int | None = None
    submitted_before: datetime.datetime | None = None
    submitted_after: datetime.datetime | None = None


_QUERY_LISTS = frozenset({"user_email", "target_name", "status", "tags"})
_QUERY_SCALARS = frozenset({"min_priority", "max_priority", "submitted_before", "submitted_after"})


def read_job_query(pairs: Sequence[tuple[str, str]]) -> Result[JobFilter, Refusal]:
    """The query of `GET /client/job/{type}` (its `name=value` pairs, decoded) as a filter,
    or a 422 naming the first parameter that is not valid (`query status[1]: ...`).

    Job ids are read by `read_job_ids`; integers and times as upstream's server reads them
    from text (a time in ISO 8601; one without a zone is taken as UTC). Unknown names are
    ignored, as upstream's server ignores them.
    """
    job_ids = read_job_ids("query job_id", [value for name, value in pairs if name == "job_id"])
    if isinstance(job_ids, Failure):
        return Failure(job_ids.failure())
    lists: dict[str, list[str]] = {}
    scalars: dict[str, str] = {}
    for name, value in pairs:
        if name in _QUERY_LISTS:
            lists.setdefault(name, []).append(value)
        elif name in _QUERY_SCALARS:
            scalars[name] = value
    try:
        read = msgspec.convert({**lists, **scalars}, _QueryValues, strict=False)
    except msgspec.ValidationError as error:
        return Failure(Refusal(422, _located("query", error).replace("query.", "query ", 1)))
    for index, status in enumerate(read.status):
        if status not in CIRCUIT_STATUSES:
            return Failure(
                Refusal(
                    422,
                    f"query status[{index}]: {status!r} is not one of "
                    + ", ".join(CIRCUIT_STATUSES),
                )
            )
    for index, email in enumerate(read.user_email):
        local, at, domain = email.rpartition("@")
        if not (at and local and domain):
            return Failure(
                Refusal(422, f"query user_email[{index}]: {email!r} is not an email address")
            )
    return Success(
        JobFilter(
            job_ids=tuple(dict.fromkeys(job_ids.unwrap())),
            user_emails=tuple(read.user_email),
            targets=tuple(read.target_name),
            statuses=tuple(read.status),
            tags=tuple(read.tags),
            min_priority=read.min_priority,
            max_priority=read.max_priority,
            submitted_before=_utc(read.submitted_before),
            submitted_after=_utc(read.submitted_after),
        )
    )


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time as given, or, without a zone, in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.timezone.utc)
