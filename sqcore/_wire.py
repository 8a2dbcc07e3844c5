"""Pure: the Superstaq v0.3.0 wire format: build requests, classify and parse replies.

`build_*` map values to a `transports.Request`; `classify_response` maps a `Response` to its
body or an `ApiFailure`; `parse_*` decode a body, once, straight from bytes into Structs,
returning `Result`s whose failures name the job and the JSON path. Nothing here does I/O;
the current wall-clock time comes in as an argument where a Retry-After date needs it.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Annotated, TypeVar

import msgspec
from returns.result import Failure, Result, Success

from sqcore._errors import (
    ApiFailure,
    BadBody,
    MissingJob,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore._models import CancelReply, CircuitStatus, CircuitType, JobData, ServerWarning
from sqcore._result import is_successful
from sqcore._retry import parse_retry_after
from transports._types import Request, Response, freeze_headers

__all__ = [
    "CREDENTIAL_NAMES",
    "MAX_URL_LENGTH",
    "CancelResult",
    "EncodedJob",
    "FetchResult",
    "PollResult",
    "base_url",
    "build_cancel_request",
    "build_fetch_request",
    "build_headers",
    "classify_response",
    "decode_job",
    "detach_jobs",
    "fetch_url",
    "fetch_url_base_length",
    "parse_cancel_reply",
    "parse_fetch_reply",
    "parse_poll_reply",
    "unsafe_url_reason",
]

#: Provider credentials a caller may pass; each travels as a request header of that name.
CREDENTIAL_NAMES: tuple[str, ...] = ("ibmq_token", "ibmq_instance", "ibmq_channel", "cq_token")

#: Longest fetch URL we build. 8 KiB is the default request-line limit of common front ends
#: (nginx `large_client_header_buffers`, gunicorn `limit_request_line` is 4094 + method);
#: 4000 stays under both with room for the method and protocol.
MAX_URL_LENGTH = 4000

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

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class FetchResult(msgspec.Struct, frozen=True):
    """A decoded fetch reply.

    Attributes:
        jobs: Each requested job id's data.
        warnings: Messages to show the user as SuperstaqWarning: the server's own warnings,
            then one per status this client does not know (decoded as UNRECOGNIZED).
    """

    jobs: dict[str, JobData]
    warnings: tuple[str, ...] = ()


class PollResult(msgspec.Struct, frozen=True):
    """A fetch reply read only as far as a status decision needs.

    Attributes:
        statuses: Each requested job id's circuit statuses.
        warnings: As in `FetchResult`.
    """

    statuses: dict[str, list[CircuitStatus]]
    warnings: tuple[str, ...] = ()


class EncodedJob(msgspec.Struct, frozen=True):
    """A job's data still encoded, to decode only when someone reads it.

    Attributes:
        body: Either a whole fetch reply that holds the job (`whole_reply`), or the job's own
            JSON object, copied out of a larger reply so that reply can be freed.
        whole_reply: Which of the two `body` is.
    """

    body: bytes | msgspec.Raw
    whole_reply: bool


class CancelResult(msgspec.Struct, frozen=True):
    """A decoded cancel reply: the ids the server cancelled, its message, its warnings."""

    succeeded: tuple[str, ...]
    message: str
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------
# URLs and requests


def unsafe_url_reason(url: str) -> str | None:
    """Why sending an API key to `url` is unsafe, or None when it is safe.

    Safe: `https://` anywhere, or `http://` to a loopback host (127.0.0.0/8, ::1, localhost).
    Decided from the text alone, before any DNS lookup: a name that merely starts with
    "localhost" (`localhost.example`) or userinfo tricks (`http://127.0.0.1@host`) are judged
    by the real host part. Invariant: None only for https, or http with a loopback host.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
    except ValueError as error:
        return f"{url!r} is not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL with a host, like https://example.com"
    if scheme == "https" or _is_loopback(host):
        return None
    return (
        f"refusing to send the API key over plain http:// to {host!r}, which is not a "
        "loopback host; use https://"
    )


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(remote_host: str, api_version: str) -> Result[str, str]:
    """The URL every endpoint path is appended to: `scheme://netloc/api_version`.

    As upstream, only the scheme and network location of `remote_host` are kept. Fails with
    a message when the host is not a usable URL or is unsafe for the key (`unsafe_url_reason`).
    """
    reason = unsafe_url_reason(remote_host)
    if reason is not None:
        return Failure(reason)
    parts = urllib.parse.urlsplit(remote_host.strip())
    return Success(f"{parts.scheme.lower()}://{parts.netloc}/{api_version}")


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
    for name in CREDENTIAL_NAMES:
        value = credentials.get(name)
        if value is not None:
            headers[name] = value
    return freeze_headers(headers)


def fetch_url(base: str, circuit_type: CircuitType, job_ids: Sequence[str]) -> str:
    """`GET {base}/client/job/{circuit_type}?job_id=<id>&job_id=<id>...`."""
    url = f"{base}/client/job/{circuit_type.value}"
    if not job_ids:
        return url
    return url + "?job_id=" + "&job_id=".join(map(_query_value, job_ids))


def _query_value(text: str) -> str:
    # A canonical UUID needs no escaping (the common case, and the poll's hot path).
    if text.isascii() and text.replace("-", "").isalnum():
        return text
    return urllib.parse.quote(text, safe="")


def fetch_url_base_length(base: str, circuit_type: CircuitType) -> int:
    """The length of the fetch URL with no ids, for `sqcore._wait.batch_ids`."""
    return len(fetch_url(base, circuit_type, ()))


def build_fetch_request(
    base: str,
    circuit_type: CircuitType,
    job_ids: Sequence[str],
    headers: Mapping[str, str],
    timeout: float,
) -> Request:
    """The request that fetches the data of `job_ids`."""
    return Request("GET", fetch_url(base, circuit_type, job_ids), headers, None, timeout)


_encoder = msgspec.json.Encoder()


def build_cancel_request(
    base: str, job_ids: Sequence[str], headers: Mapping[str, str], timeout: float
) -> Request:
    """`PUT {base}/client/cancel_jobs` with body `{"job_id": [...]}`."""
    body = _encoder.encode({"job_id": list(job_ids)})
    return Request("PUT", f"{base}/client/cancel_jobs", headers, body, timeout)


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


_raw_map = msgspec.json.Decoder(dict[str, msgspec.Raw])
_job_data = msgspec.json.Decoder(JobData)
_warnings = msgspec.json.Decoder(list[ServerWarning])


class _StatusNames(msgspec.Struct):
    statuses: list[str]


_status_names = msgspec.json.Decoder(_StatusNames)
# One pass over a whole reply: the common case. "warnings" is the one top-level array.
_job_map = msgspec.json.Decoder(dict[str, JobData | list[ServerWarning]])
_names_map = msgspec.json.Decoder(dict[str, _StatusNames | list[ServerWarning]])
_KNOWN_STATUSES = frozenset(status.value for status in CircuitStatus)


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


def parse_fetch_reply(body: bytes, requested: Sequence[str]) -> Result[FetchResult, ApiFailure]:
    """Decodes a fetch reply into the data of each requested job.

    The reply is a JSON object from job id to job data, plus an optional top-level
    `"warnings": [{"message": ...}]`. Ids not requested are ignored.

    Failures: BadBody("$") when the body is not a JSON object; BadBody(job_id, path) when a
    job's data has a wrong or missing field (path relative to that job, e.g. "$.shots[0]");
    BadBody("$.warnings") for a malformed warnings list; MissingJob(id) for the first
    requested id the reply lacks. Invariant: never raises, whatever the bytes.
    """
    try:
        decoded = _job_map.decode(body)
    except _DECODE_ERRORS:
        # Rare path: read each job by itself, so the error names the job (and an entry
        # nobody asked for cannot spoil the reply).
        return _parse_fetch_reply_by_job(body, requested)
    return _requested_entries(decoded, body, requested).map(
        lambda found: FetchResult(found[0], found[1])
    )


_Entry = TypeVar("_Entry", "JobData", "_Poll")


def _requested_entries(
    decoded: Mapping[str, _Entry | list[ServerWarning]], body: bytes, requested: Sequence[str]
) -> Result[tuple[dict[str, _Entry], tuple[str, ...]], ApiFailure]:
    """From a one-pass decode: the requested entries, and the warnings to show."""
    warnings: list[str] = []
    server_warnings = decoded.get("warnings")
    if server_warnings is not None and not isinstance(server_warnings, list):
        return Failure(BadBody("Expected `array`, got `object`", "$.warnings"))
    if server_warnings is not None:
        warnings.extend(w.message for w in server_warnings)
    entries: dict[str, _Entry] = {}
    unknown = False
    for job_id in requested:
        entry = decoded.get(job_id)
        if entry is None:
            return Failure(MissingJob(job_id))
        if isinstance(entry, list):
            return Failure(BadBody("Expected `object`, got `array`", "$", job_id))
        entries[job_id] = entry
        unknown = unknown or CircuitStatus.UNRECOGNIZED in entry.statuses
    if unknown:
        warnings.extend(_unknown_names_in(body, requested))
    return Success((entries, tuple(warnings)))


def _unknown_names_in(body: bytes, requested: Sequence[str]) -> list[str]:
    """Warnings naming each status the client does not know (rare: decodes names again)."""
    names = _names_map.decode(body)
    warnings: list[str] = []
    for job_id in requested:
        entry = names[job_id]
        if isinstance(entry, _StatusNames):
            warnings.extend(_unknown_names(job_id, entry.statuses))
    return warnings


def _parse_fetch_reply_by_job(
    body: bytes, requested: Sequence[str]
) -> Result[FetchResult, ApiFailure]:
    """`parse_fetch_reply` in two passes: the reply as raw entries, then each job alone."""
    try:
        raw = _raw_map.decode(body)
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(f"the reply is not a JSON object of jobs ({message})", path))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the reply is not valid JSON ({error})"))
    warnings: list[str] = []
    server_warnings = raw.get("warnings")
    if server_warnings is not None:
        try:
            warnings.extend(w.message for w in _warnings.decode(server_warnings))
        except msgspec.ValidationError as error:
            message, path = _split_path(error)
            return Failure(BadBody(message, "$.warnings" + path[1:]))
        except _DECODE_ERRORS as error:
            return Failure(BadBody(f"a warning is not valid JSON text ({error})", "$.warnings"))
    jobs: dict[str, JobData] = {}
    for job_id in requested:
        job_raw = raw.get(job_id)
        if job_raw is None:
            return Failure(MissingJob(job_id))
        decoded = _decode_one(job_id, job_raw)
        if not is_successful(decoded):
            return Failure(decoded.failure())
        data = decoded.unwrap()
        if CircuitStatus.UNRECOGNIZED in data.statuses:
            warnings.extend(_unknown_status_warnings(job_id, job_raw))
        jobs[job_id] = data
    return Success(FetchResult(jobs, tuple(warnings)))


class _Poll(msgspec.Struct):
    statuses: Annotated[list[CircuitStatus], msgspec.Meta(min_length=1)]


# One pass over the reply: each job's statuses are decoded and checked, every other value is
# skipped (still checked to be well-formed JSON); "warnings" is the one top-level array.
_poll_map = msgspec.json.Decoder(dict[str, _Poll | list[ServerWarning]])


def parse_poll_reply(body: bytes, requested: Sequence[str]) -> Result[PollResult, ApiFailure]:
    """Decodes only the statuses of the requested jobs from a fetch reply.

    This is the poll path: a status decision needs the statuses, not the circuits and
    counts, so the rest of each job is skipped (but still checked as JSON). The same body
    can be decoded in full later with `decode_job`.

    Failures: as `parse_fetch_reply` (BadBody naming the job and path, MissingJob). A fault
    in a field other than the statuses is found only by the full decode. Invariant: never
    raises; succeeds whenever `parse_fetch_reply` succeeds, with the same statuses and
    warnings.
    """
    try:
        decoded = _poll_map.decode(body)
    except _DECODE_ERRORS:
        # Rare path: the full parser reads each job by itself, so its error names the job.
        # It also succeeds where only an entry nobody asked for is malformed.
        return parse_fetch_reply(body, requested).map(
            lambda full: PollResult(
                {job_id: data.statuses for job_id, data in full.jobs.items()}, full.warnings
            )
        )
    return _requested_entries(decoded, body, requested).map(
        lambda found: PollResult(
            {job_id: entry.statuses for job_id, entry in found[0].items()}, found[1]
        )
    )


def decode_job(encoded: EncodedJob, job_id: str) -> Result[JobData, ApiFailure]:
    """Decodes a job's full data from what `parse_poll_reply` left encoded.

    Failures: BadBody naming the job and the path of the first wrong value; MissingJob if a
    whole reply does not hold the job. Invariant: never raises.
    """
    if not encoded.whole_reply:
        return _decode_one(job_id, encoded.body)
    return parse_fetch_reply(encoded.body, (job_id,)).map(lambda result: result.jobs[job_id])


def detach_jobs(body: bytes, job_ids: Sequence[str]) -> Result[dict[str, EncodedJob], ApiFailure]:
    """Copies each job's own JSON out of a (batch) reply, so the reply itself can be freed.

    Failures: BadBody when the body is not a JSON object; MissingJob for an absent id.
    """
    try:
        raw = _raw_map.decode(body)
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the reply is not a JSON object of jobs ({error})"))
    detached: dict[str, EncodedJob] = {}
    for job_id in job_ids:
        job_raw = raw.get(job_id)
        if job_raw is None:
            return Failure(MissingJob(job_id))
        detached[job_id] = EncodedJob(job_raw.copy(), whole_reply=False)
    return Success(detached)


def _decode_one(job_id: str, job_raw: bytes | msgspec.Raw) -> Result[JobData, ApiFailure]:
    try:
        data = _job_data.decode(job_raw)
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(message, path, job_id))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the job's data is not valid JSON ({error})", "$", job_id))
    return Success(data)


def _unknown_names(job_id: str, names: Sequence[str]) -> list[str]:
    return [
        f"Job {job_id}: circuit {index} has status {name!r}, which this client does not "
        "know; it is treated as 'unrecognized' (terminal)."
        for index, name in enumerate(names)
        if name not in _KNOWN_STATUSES
    ]


def _unknown_status_warnings(job_id: str, job_raw: msgspec.Raw) -> list[str]:
    # Rare path: decode the status names again to say which ones were unknown.
    return _unknown_names(job_id, _status_names.decode(job_raw).statuses)


class _CancelBody(CancelReply, frozen=True):
    warnings: list[ServerWarning] = msgspec.field(default_factory=list)


_cancel_body = msgspec.json.Decoder(_CancelBody)


def parse_cancel_reply(body: bytes) -> Result[CancelResult, ApiFailure]:
    """Decodes a cancel reply `{"succeeded": [...], "message": "..."}`.

    Failures: BadBody with the path of the first wrong value. Invariant: never raises.
    """
    try:
        reply = _cancel_body.decode(body)
    except msgspec.ValidationError as error:
        message, path = _split_path(error)
        return Failure(BadBody(message, path))
    except _DECODE_ERRORS as error:
        return Failure(BadBody(f"the reply is not valid JSON ({error})"))
    return Success(
        CancelResult(
            tuple(reply.succeeded), reply.message, tuple(w.message for w in reply.warnings)
        )
    )
