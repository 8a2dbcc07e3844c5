"""Pure: the Superstaq v0.3.0 wire format: build requests, classify and parse replies.

`build_*` map values to a `transports.Request`. `classify_response` maps a `Response` to its
body or to the `ApiFailure` its status means. `parse_*` read a body, straight from bytes,
into values, returning `Result`s whose failures name the job and the JSON path.

A fetch reply (job id -> job data, and maybe "warnings") is read in one of two ways, each
one pass over the bytes: `parse_poll_reply` reads only the statuses (a status decision
needs nothing else; unknown names become UNRECOGNIZED and a warning, in that pass), and
`parse_fetch_reply` reads every field into `JobData`. Should that pass fail, the reply is
read again job by job (`_job_by_job`, shared by both), so that the failure names the job
(one decode of the whole map cannot: its paths say `$[...]`), and so that an entry nobody
asked for cannot spoil a reply. `one_job_replies` cuts each job of a batch reply out as a
reply of its own, for jobs whose data is kept after the batch is freed. Nothing here does
I/O; the wall-clock time comes in as an argument where a Retry-After date needs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, TypeVar

import msgspec
from returns.result import Failure, Result, Success

from sqcore._endpoints import fetch_url
from sqcore._errors import ApiFailure, BadBody, MissingJob, Retryable, ServerError, Unauthorized
from sqcore._models import (
    CancelReply,
    CircuitStatus,
    CircuitType,
    CreateReply,
    JobData,
    ServerWarning,
)
from sqcore._retry import parse_retry_after
from transports._types import PROVIDER_CREDENTIALS, Request, Response, freeze_headers

__all__ = [
    "CancelResult",
    "CreateResult",
    "FetchResult",
    "PollResult",
    "build_cancel_request",
    "build_create_request",
    "build_fetch_request",
    "build_headers",
    "classify_response",
    "one_job_replies",
    "parse_cancel_reply",
    "parse_create_reply",
    "parse_fetch_reply",
    "parse_poll_reply",
]

# 401 texts the API sends as a JSON string (upstream `_handle_status_codes`).
_TERMS_OF_USE = "You must accept the Terms of Use (superstaq.infleqtion.com/terms_of_use)."
_VALIDATE_EMAIL = "You must validate your registered email."
_NOT_AUTHORIZED = (
    '"Not authorized" returned by Superstaq API.  '
    "Check to ensure you have supplied the correct API key."
)
_ACCEPT_TERMS = "You'll need to accept the Terms of Use before usage of Superstaq."
_GATEWAY_TIMEOUT = (
    "Connection timed out while processing your request. "
    "Try submitting a smaller batch of circuits."
)
#: A reply text quoted in an error message is cut to this many characters.
_MAX_QUOTED = 500

#: What decoding untrusted bytes can raise: msgspec's errors, and UnicodeDecodeError, which
#: msgspec raises (not as a DecodeError) for a JSON string that is not valid UTF-8.
_DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError)


class PollResult(msgspec.Struct, frozen=True):
    """A fetch reply read by `parse_poll_reply`.

    Attributes:
        statuses: Each requested job's circuit statuses (a name this client does not know
            is UNRECOGNIZED).
        warnings: Messages to show the user as SuperstaqWarning: the server's own warnings,
            then one per status this client does not know.
    """

    statuses: dict[str, tuple[CircuitStatus, ...]]
    warnings: tuple[str, ...] = ()


class FetchResult(msgspec.Struct, frozen=True):
    """A fetch reply decoded in full: each requested job's data, and the warnings."""

    jobs: dict[str, JobData]
    warnings: tuple[str, ...] = ()


class CreateResult(msgspec.Struct, frozen=True):
    """A decoded create reply: the new job's id and circuit count, and the warnings."""

    job_id: uuid.UUID
    num_circuits: int
    warnings: tuple[str, ...] = ()


class CancelResult(msgspec.Struct, frozen=True):
    """A decoded cancel reply: the ids the server cancelled, its message, its warnings."""

    succeeded: tuple[str, ...]
    message: str
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------
# Requests


def build_headers(
    api_key: str, client_name: str, api_version: str, credentials: Mapping[str, str]
) -> Mapping[str, str]:
    """The headers every request carries; provider credentials ride as extra headers."""
    headers = {
        "Authorization": api_key,
        "Content-Type": "application/json",
        "X-Client-Name": client_name,
        "X-Client-Version": api_version,
    }
    for name in PROVIDER_CREDENTIALS:
        value = credentials.get(name)
        if value is not None:
            headers[name] = value
    return freeze_headers(headers)


def build_fetch_request(
    base: str,
    circuit_type: CircuitType,
    job_ids: Sequence[str],
    headers: Mapping[str, str],
    timeout: float,
) -> Request:
    """`GET {base}/client/job/{circuit_type}?job_id=...`: the data of `job_ids`."""
    return Request("GET", fetch_url(base, circuit_type, job_ids), headers, None, timeout)


_encoder = msgspec.json.Encoder()


def build_cancel_request(
    base: str, job_ids: Sequence[str], headers: Mapping[str, str], timeout: float
) -> Request:
    """`PUT {base}/client/cancel_jobs` with body `{"job_id": [...]}`."""
    body = _encoder.encode({"job_id": list(job_ids)})
    return Request("PUT", f"{base}/client/cancel_jobs", headers, body, timeout)


class NewJob(msgspec.Struct, frozen=True, kw_only=True):
    """The body of `POST client/job`: exactly upstream's `NewJob` fields, in its order."""

    job_type: str
    target: str
    circuits: str
    circuit_type: str
    verbatim: bool
    shots: int
    dry_run: bool
    sim_method: str | None
    priority: int
    options_dict: dict[str, object]
    tags: list[str]
    metadata: dict[str, object]


def build_create_request(
    base: str, new_job: NewJob, headers: Mapping[str, str], timeout: float
) -> Request:
    """`POST {base}/client/job` with the `NewJob` body."""
    return Request("POST", f"{base}/client/job", headers, _encoder.encode(new_job), timeout)


# ---------------------------------------------------------------------------------------
# Replies


class _ErrorBody(msgspec.Struct):
    message: str | None = None
    detail: object = None


_error_body = msgspec.json.Decoder(_ErrorBody | str)


def classify_response(response: Response, now_epoch: float) -> Result[bytes, ApiFailure]:
    """Maps a reply's status code to its body (2xx) or to the failure it means.

    401 → Unauthorized (terms-of-use and email-validation texts kept, any other body —
    JSON or not — means "not authorized"); 503 and 429 → Retryable with the Retry-After
    delay (`now_epoch` turns an HTTP-date into seconds); 504 → ServerError, not retried;
    any other non-2xx (redirects included: they are never followed) → ServerError with the
    reply's `message`, else its `detail`, else its text.
    """
    status = response.status
    if 200 <= status < 300:
        return Success(response.body)
    if status == 401:
        return Failure(Unauthorized(_unauthorized_message(response.body)))
    if status in (429, 503):
        reason = f"{status} {_describe(response.body) or _REASONS.get(status, '')}".strip()
        retry_after = parse_retry_after(response.header("Retry-After"), now_epoch)
        return Failure(Retryable(reason, retry_after))
    if status == 504:
        return Failure(ServerError(504, _GATEWAY_TIMEOUT, contact_info=False))
    if 300 <= status < 400:
        location = response.header("Location") or "nowhere"
        return Failure(
            ServerError(status, f"redirected to {_quote(location)}; redirects are not followed")
        )
    return Failure(ServerError(status, _describe(response.body) or f"HTTP {status}"))


_REASONS = {429: "Too Many Requests", 503: "Service Unavailable"}


def _unauthorized_message(body: bytes) -> str:
    try:
        decoded = _error_body.decode(body)
    except _DECODE_ERRORS:
        return _NOT_AUTHORIZED
    if decoded == _TERMS_OF_USE:
        return _ACCEPT_TERMS
    if decoded == _VALIDATE_EMAIL:
        return _VALIDATE_EMAIL
    return _NOT_AUTHORIZED


def _describe(body: bytes) -> str:
    """The reply's `message`, else its `detail`, else its text (cut short)."""
    try:
        decoded = _error_body.decode(body)
    except _DECODE_ERRORS:
        return _quote(body.decode("utf-8", "replace").strip())
    if isinstance(decoded, str):
        return _quote(decoded)
    if decoded.message is not None:
        return _quote(decoded.message)
    if isinstance(decoded.detail, str):
        return _quote(decoded.detail)
    if decoded.detail is not None:
        return _quote(_encoder.encode(decoded.detail).decode())
    return _quote(body.decode("utf-8", "replace").strip())


def _quote(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "…"


def _split_path(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec says "Expected `int`, got `str` - at `$.shots[0]`": split message and path."""
    text = str(error)
    message, sep, path = text.rpartition(" - at `")
    if not sep:
        return text, "$"
    # For a bad dict key msgspec says "- at `key` in `$.x[0]`": keep the path, say "key".
    path = path.rstrip("`")
    if path.startswith("key` in `"):
        return f"{message} (a key)", path.removeprefix("key` in `")
    return message, path


class _Statuses(msgspec.Struct):
    statuses: Annotated[list[str], msgspec.Meta(min_length=1)]


# One pass over a whole reply (the common case); "warnings" is its one top-level array.
_poll_decoder = msgspec.json.Decoder(dict[str, _Statuses | list[ServerWarning]])
_fetch_decoder = msgspec.json.Decoder(dict[str, JobData | list[ServerWarning]])
# Job by job: the map of raw entries, then each entry alone.
_reply_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_statuses_decoder = msgspec.json.Decoder(_Statuses)
_warnings_decoder = msgspec.json.Decoder(list[ServerWarning])
_job_decoder = msgspec.json.Decoder(JobData)
_STATUS_BY_NAME: dict[str, CircuitStatus] = {status.value: status for status in CircuitStatus}

_T = TypeVar("_T")
_E = TypeVar("_E")
#: What was read of one job, and the warnings reading it gave.
_Read = Result[tuple[_T, list[str]], ApiFailure]


def parse_poll_reply(body: bytes, requested: Sequence[str]) -> Result[PollResult, ApiFailure]:
    """Reads each requested job's statuses from a fetch reply, in one pass.

    Every other field is skipped (but the body must be JSON). Ids not requested are ignored.

    Failures: BadBody("$") when the body is not a JSON object; BadBody("$.warnings...") for
    a malformed warnings list; BadBody(path, job_id) when a requested job's statuses are
    missing or not a non-empty list of strings; MissingJob(id) for the first requested id
    the reply lacks. Invariant: never raises, whatever the bytes; succeeds whenever
    `parse_fetch_reply` does, with the same statuses and warnings.
    """
    try:
        entries = _poll_decoder.decode(body)
    except _DECODE_ERRORS:
        read = _job_by_job(body, requested, _statuses_of)
    else:
        read = _gathered(entries, requested, lambda job_id, entry: _names(job_id, entry.statuses))
    return read.map(lambda found: PollResult(found[0], tuple(found[1])))


def parse_fetch_reply(body: bytes, requested: Sequence[str]) -> Result[FetchResult, ApiFailure]:
    """Decodes a fetch reply into the full data of each requested job, in one pass.

    Failures: as `parse_poll_reply`, and BadBody(path, job_id) for any field of a requested
    job that is wrong or missing (e.g. "$.shots[0]"). The warnings are `parse_poll_reply`'s.
    Invariant: never raises, whatever the bytes.
    """
    try:
        entries = _fetch_decoder.decode(body)
    except _DECODE_ERRORS:
        read = _job_by_job(body, requested, _data_of)
    else:
        read = _gathered(entries, requested, _as_read)
    if isinstance(read, Failure):
        return Failure(read.failure())
    jobs, warnings = read.unwrap()
    if _has_unknown(jobs.values()):  # the one pass knows no names: the poll reads them
        return parse_poll_reply(body, requested).map(lambda poll: FetchResult(jobs, poll.warnings))
    return Success(FetchResult(jobs, tuple(warnings)))


def _as_read(_job_id: str, data: JobData) -> _Read[JobData]:
    return Success((data, []))


def _gathered(
    entries: Mapping[str, _E | list[ServerWarning]],
    requested: Sequence[str],
    read_one: Callable[[str, _E], _Read[_T]],
) -> Result[tuple[dict[str, _T], list[str]], ApiFailure]:
    """From a one-pass decode: each requested job's value, and the warnings to show."""
    warnings: list[str] = []
    server_warnings = entries.get("warnings")
    if server_warnings is not None:
        if not isinstance(server_warnings, list):
            return Failure(BadBody("Expected `array`, got `object`", "$.warnings"))
        warnings.extend(warning.message for warning in server_warnings)
    found: dict[str, _T] = {}
    for job_id in requested:
        entry = entries.get(job_id)
        if entry is None:
            return Failure(MissingJob(job_id))
        if isinstance(entry, list):
            return Failure(BadBody("Expected `object`, got `array`", "$", job_id))
        read = read_one(job_id, entry)
        if isinstance(read, Failure):
            return Failure(read.failure())
        found[job_id], more = read.unwrap()
        warnings.extend(more)
    return Success((found, warnings))


def _job_by_job(
    body: bytes, requested: Sequence[str], read_one: Callable[[str, msgspec.Raw], _Read[_T]]
) -> Result[tuple[dict[str, _T], list[str]], ApiFailure]:
    """The reply as a map of raw entries, then each requested entry read alone: slower, but
    a failure names its job, and an entry nobody asked for is never read."""
    try:
        entries = _reply_decoder.decode(body)
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(f"the reply is not a JSON object of jobs ({message})", path))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the reply is not valid JSON ({error})"))
    warnings: list[str] = []
    server_warnings = entries.get("warnings")
    if server_warnings is not None:
        try:
            warnings.extend(w.message for w in _warnings_decoder.decode(server_warnings))
        except msgspec.ValidationError as error:
            message, path = _split_path(error)
            return Failure(BadBody(message, "$.warnings" + path[1:]))
        except _DECODE_ERRORS as error:
            return Failure(BadBody(f"a warning is not valid JSON text ({error})", "$.warnings"))
    found: dict[str, _T] = {}
    for job_id in requested:
        raw = entries.get(job_id)
        if raw is None:
            return Failure(MissingJob(job_id))
        read = read_one(job_id, raw)
        if isinstance(read, Failure):
            return Failure(read.failure())
        found[job_id], more = read.unwrap()
        warnings.extend(more)
    return Success((found, warnings))


def _statuses_of(job_id: str, raw: msgspec.Raw) -> _Read[tuple[CircuitStatus, ...]]:
    """One job's statuses, read alone from its JSON (and warnings for unknown names)."""
    try:
        names = _statuses_decoder.decode(raw).statuses
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(message, path, job_id))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"a status is not valid JSON text ({error})", "$", job_id))
    return _names(job_id, names)


def _data_of(job_id: str, raw: msgspec.Raw) -> _Read[JobData]:
    """One job's data, read alone from its JSON: its statuses first (so a failure is the
    poll's, and unknown names are warned about), then every field."""
    return _statuses_of(job_id, raw).bind(
        lambda found: decode_job(job_id, raw).map(lambda data: (data, found[1]))
    )


def _names(job_id: str, names: Sequence[str]) -> _Read[tuple[CircuitStatus, ...]]:
    """Statuses from their names: an unknown one is UNRECOGNIZED, and a warning names it."""
    statuses = tuple(_STATUS_BY_NAME.get(name, CircuitStatus.UNRECOGNIZED) for name in names)
    if CircuitStatus.UNRECOGNIZED not in statuses:
        return Success((statuses, []))
    return Success((statuses, _unknown_names(job_id, names)))


def _has_unknown(jobs: Iterable[JobData]) -> bool:
    return any(CircuitStatus.UNRECOGNIZED in data.statuses for data in jobs)


def decode_job(job_id: str, document: bytes | msgspec.Raw) -> Result[JobData, ApiFailure]:
    """Decodes one job's own JSON object into `JobData`.

    Failures: BadBody naming the job and the path of the first wrong or missing value
    (e.g. "$.shots[0]"). Invariant: never raises, whatever the bytes.
    """
    try:
        return Success(_job_decoder.decode(document))
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(message, path, job_id))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the job's data is not valid JSON ({error})", "$", job_id))


def one_job_replies(body: bytes, job_ids: Sequence[str]) -> Result[dict[str, bytes], ApiFailure]:
    """Each of `job_ids`, cut out of a (batch) fetch reply as a fetch reply of its own.

    So a job's data can be kept, and decoded by `parse_fetch_reply` when read, once the
    batch reply is freed. Failures: as `parse_poll_reply`'s job-by-job reading (BadBody,
    MissingJob). Invariant: `parse_fetch_reply(one_job_replies(b, ids)[i], [i])` reads the
    data `parse_fetch_reply(b, ids)` reads for `i`.
    """
    return _job_by_job(body, job_ids, lambda _job_id, raw: Success((bytes(raw), []))).map(
        lambda found: {
            job_id: b"{" + _encoder.encode(job_id) + b":" + document + b"}"
            for job_id, document in found[0].items()
        }
    )


def _unknown_names(job_id: str, names: Sequence[str]) -> list[str]:
    return [
        f"Job {job_id}: circuit {index} has status {name!r}, which this client does not "
        "know; it is treated as 'unrecognized' (terminal)."
        for index, name in enumerate(names)
        if name not in _STATUS_BY_NAME
    ]


class _CancelBody(CancelReply, frozen=True):
    warnings: list[ServerWarning] = msgspec.field(default_factory=list)


_cancel_decoder = msgspec.json.Decoder(_CancelBody)


class _CreateBody(CreateReply, frozen=True):
    warnings: list[ServerWarning] = msgspec.field(default_factory=list)


_create_decoder = msgspec.json.Decoder(_CreateBody)


def parse_cancel_reply(body: bytes) -> Result[CancelResult, ApiFailure]:
    """Decodes a cancel reply `{"succeeded": [...], "message": "..."}` (and any warnings).

    Failures: BadBody with the path of the first wrong value. Invariant: never raises.
    """
    return _reply_of(_cancel_decoder, body).map(
        lambda reply: CancelResult(
            tuple(reply.succeeded), reply.message, tuple(w.message for w in reply.warnings)
        )
    )


def parse_create_reply(body: bytes) -> Result[CreateResult, ApiFailure]:
    """Decodes a create reply `{"job_id": "<uuid>", "num_circuits": n}` (and any warnings).

    Failures: BadBody with the path of the first wrong value. Invariant: never raises.
    """
    return _reply_of(_create_decoder, body).map(
        lambda reply: CreateResult(
            reply.job_id, reply.num_circuits, tuple(w.message for w in reply.warnings)
        )
    )


def _reply_of(decoder: msgspec.json.Decoder[_T], body: bytes) -> Result[_T, ApiFailure]:
    """A reply decoded whole, or BadBody with the path of its first wrong value."""
    try:
        return Success(decoder.decode(body))
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(message, path))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the reply is not valid JSON ({error})"))
