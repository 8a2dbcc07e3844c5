"""Pure: the Superstaq v0.3.0 wire format, but for fetch replies (`sqcore.core.replies`).

`build_*` map values to a `transports.Request`. `classify_response` maps a `Response` to its
body or to the `ApiFailure` its status means. `parse_cancel_reply` and `parse_create_reply`
read a body, straight from bytes, into values, returning `Result`s whose failures name the
JSON path (`split_path`, which the fetch replies use too). Nothing here does I/O; the
wall-clock time comes in as an argument where a Retry-After date needs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TypeVar

import msgspec
from returns.result import Failure, Result, Success

from sqcore.core.endpoints import fetch_url
from sqcore.core.errors import ApiFailure, BadBody, Retryable, ServerError, Unauthorized
from sqcore.core.models import (
    CancelReply,
    CircuitType,
    CreateReply,
    ServerWarning,
)
from sqcore.core.retry import parse_retry_after
from transports._types import PROVIDER_CREDENTIALS, Request, Response, freeze_headers

__all__ = [
    "DECODE_ERRORS",
    "CancelResult",
    "CreateResult",
    "NewJob",
    "build_cancel_request",
    "build_create_request",
    "build_fetch_request",
    "build_headers",
    "classify_response",
    "parse_cancel_reply",
    "parse_create_reply",
    "split_path",
    "undecodable",
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

#: What decoding untrusted bytes can raise: msgspec's DecodeError (its ValidationError
#: included); UnicodeDecodeError, which msgspec before 0.23 raised (not as a DecodeError) for
#: a JSON string that is not valid UTF-8, where 0.23 and later raise a DecodeError (both are
#: kept: pyproject allows msgspec >= 0.18); and RecursionError, which msgspec raises for arrays
#: or objects nested deeper than Python's recursion limit (a hostile reply can nest 100,000).
DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


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
_T = TypeVar("_T")


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
    except DECODE_ERRORS:
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
    except DECODE_ERRORS:
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


def undecodable(subject: str, error: Exception) -> str:
    """Why `subject` ("the reply", "the job's data", ...) could not be decoded, for one of
    `DECODE_ERRORS` that is not a `msgspec.ValidationError` (those name a path instead)."""
    if isinstance(error, RecursionError):
        return f"{subject} nests arrays or objects too deeply to be read"
    return f"{subject} is not valid JSON ({error})"


def split_path(error: msgspec.ValidationError) -> tuple[str, str]:
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
        message, path = split_path(error)
        return Failure(BadBody(message, path))
    except DECODE_ERRORS as error:
        return Failure(BadBody(undecodable("the reply", error)))
