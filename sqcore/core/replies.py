"""Pure: a fetch reply (job id -> job data, and maybe "warnings"), read from its bytes.

It is read in one of two ways, each one pass over the bytes: `parse_poll_reply` reads only
the statuses (a status decision needs nothing else; unknown names become UNRECOGNIZED and a
warning, in that pass), and `parse_fetch_reply` reads every field into `JobData`. Should
that pass fail, the reply is read again job by job (`_job_by_job`, shared by both), so that
the failure names the job (one decode of the whole map cannot: its paths say `$[...]`), and
so that an entry nobody asked for cannot spoil a reply. `one_job_replies` cuts each job of a
batch reply out as a reply of its own, for jobs whose data is kept after the batch is freed.
Failures are `Result`s naming the job and the JSON path; nothing here raises or does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import msgspec
from returns.result import Failure, Result, Success

from sqcore.core.errors import ApiFailure, BadBody, MissingJob
from sqcore.core.models import (
    CircuitStatus,
    CircuitType,
    JobData,
    JobType,
    ServerWarning,
)
from sqcore.core.wire import DECODE_ERRORS, split_path, undecodable

__all__ = [
    "FetchResult",
    "PollResult",
    "decode_job",
    "one_job_replies",
    "one_job_reply",
    "parse_fetch_reply",
    "parse_poll_reply",
    "reply_entries",
]


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


class _Statuses(msgspec.Struct):
    """What a poll reads of a job: its statuses, and the two names it warns about when this
    client does not know them (absent from a reply, they are not checked here)."""

    statuses: list[str]
    job_type: object = None  # any JSON: a poll fails on the statuses alone
    circuit_type: object = None


class _Polled(msgspec.Struct):
    """`_Statuses` as the one pass reads it: each name as its member, so that a poll makes
    no string of its own (a name this client does not know becomes a stand-in, through the
    enums' `_missing_`, which msgspec calls; a type name that is not a string fails the one
    pass, and the job-by-job reading takes over)."""

    statuses: tuple[CircuitStatus, ...]
    job_type: JobType | None = None
    circuit_type: CircuitType | None = None


# One pass over a whole reply (the common case); "warnings" is its one top-level array.
_poll_decoder = msgspec.json.Decoder(dict[str, _Polled | list[ServerWarning]])
_fetch_decoder = msgspec.json.Decoder(dict[str, JobData | list[ServerWarning]])
# Job by job: the map of raw entries, then each entry alone.
_reply_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_statuses_decoder = msgspec.json.Decoder(_Statuses)
_warnings_decoder = msgspec.json.Decoder(list[ServerWarning])
_job_decoder = msgspec.json.Decoder(JobData)
_STATUS_BY_NAME: dict[str, CircuitStatus] = {status.value: status for status in CircuitStatus}
_JOB_TYPES = frozenset(member.value for member in JobType)
_CIRCUIT_TYPES = frozenset(member.value for member in CircuitType)
_encoder = msgspec.json.Encoder()

_T = TypeVar("_T")
_E = TypeVar("_E")
#: What was read of one job, and the warnings reading it gave.
_Read = Result[tuple[_T, list[str]], ApiFailure]


def parse_poll_reply(body: bytes, requested: Sequence[str]) -> Result[PollResult, ApiFailure]:
    """Reads each requested job's statuses from a fetch reply, in one pass.

    Every other field is skipped (but the body must be JSON). Ids not requested are ignored.

    Failures: BadBody("$") when the body is not a JSON object; BadBody("$.warnings...") for
    a malformed warnings list; BadBody(path, job_id) when a requested job's statuses are
    missing or not a list of strings; MissingJob(id) for the first requested id
    the reply lacks. Invariant: never raises, whatever the bytes; succeeds whenever
    `parse_fetch_reply` does, with the same statuses and warnings.
    """
    try:
        entries = _poll_decoder.decode(body)
    except DECODE_ERRORS:
        entries = None
    read = None if entries is None else _polled(entries, requested)
    if read is None:  # not one pass, or a name this client does not know: job by job
        read = _job_by_job(body, requested, _statuses_of)
    return read.map(lambda found: PollResult(found[0], tuple(found[1])))


def _polled(
    entries: Mapping[str, _Polled | list[ServerWarning]], requested: Sequence[str]
) -> Result[tuple[dict[str, tuple[CircuitStatus, ...]], list[str]], ApiFailure] | None:
    """From the one pass of a poll: each requested job's statuses, and the warnings; None
    when a job has a name this client does not know (the job-by-job reading words its
    warnings). A job costs a lookup and three membership tests."""
    read = _requested(entries, requested)
    if isinstance(read, Failure):
        return read
    found, warnings = read.unwrap()
    statuses: dict[str, tuple[CircuitStatus, ...]] = {}
    for job_id, entry in found.items():
        job_type, circuit_type = entry.job_type, entry.circuit_type
        if (
            CircuitStatus.UNRECOGNIZED in entry.statuses
            or (job_type is not None and job_type not in _JOB_TYPES)
            or (circuit_type is not None and circuit_type not in _CIRCUIT_TYPES)
        ):
            return None
        statuses[job_id] = entry.statuses
    return Success((statuses, warnings))


def parse_fetch_reply(body: bytes, requested: Sequence[str]) -> Result[FetchResult, ApiFailure]:
    """Decodes a fetch reply into the full data of each requested job, in one pass.

    Failures: as `parse_poll_reply`, and BadBody(path, job_id) for any field of a requested
    job that is wrong or missing (e.g. "$.shots[0]"). The warnings are `parse_poll_reply`'s.
    Invariant: never raises, whatever the bytes.
    """
    try:
        entries = _fetch_decoder.decode(body)
    except DECODE_ERRORS:
        read = _job_by_job(body, requested, _data_of)
    else:
        read = _requested(entries, requested)
    if isinstance(read, Failure):
        return Failure(read.failure())
    jobs, warnings = read.unwrap()
    if _has_unknown(jobs.values()):  # the one pass knows no names: the poll reads them
        return parse_poll_reply(body, requested).map(lambda poll: FetchResult(jobs, poll.warnings))
    return Success(FetchResult(jobs, tuple(warnings)))


def _requested(
    entries: Mapping[str, _E | list[ServerWarning]], requested: Sequence[str]
) -> Result[tuple[dict[str, _E], list[str]], ApiFailure]:
    """From a one-pass decode: each requested job's entry, and the warnings to show;
    MissingJob for the first id without an entry, BadBody for one that is an array."""
    warnings = _server_warnings(entries)
    if isinstance(warnings, Failure):
        return Failure(warnings.failure())
    found: dict[str, _E] = {}
    for job_id in requested:
        entry = entries.get(job_id)
        if entry is None:
            return Failure(MissingJob(job_id))
        if isinstance(entry, list):  # a job's entry that is an array, like "warnings"
            return Failure(BadBody("Expected `object`, got `array`", "$", job_id))
        found[job_id] = entry
    return warnings.map(lambda listed: (found, listed))


def _server_warnings(
    entries: Mapping[str, _E | list[ServerWarning]],
) -> Result[list[str], ApiFailure]:
    """The messages of a one-pass decode's "warnings" (none when it has none)."""
    server_warnings = entries.get("warnings")
    if server_warnings is None:
        return Success([])
    if not isinstance(server_warnings, list):
        return Failure(BadBody("Expected `array`, got `object`", "$.warnings"))
    return Success([warning.message for warning in server_warnings])


def _job_by_job(
    body: bytes, requested: Sequence[str], read_one: Callable[[str, msgspec.Raw], _Read[_T]]
) -> Result[tuple[dict[str, _T], list[str]], ApiFailure]:
    """The reply as a map of raw entries, then each requested entry read alone: slower, but
    a failure names its job, and an entry nobody asked for is never read."""
    read = reply_entries(body)
    if isinstance(read, Failure):
        return Failure(read.failure())
    entries = read.unwrap()
    warnings: list[str] = []
    server_warnings = entries.get("warnings")
    if server_warnings is not None:
        try:
            warnings.extend(w.message for w in _warnings_decoder.decode(server_warnings))
        except msgspec.ValidationError as error:
            message, path = split_path(error)
            return Failure(BadBody(message, "$.warnings" + path[1:]))
        except DECODE_ERRORS as error:
            return Failure(BadBody(undecodable("a warning", error), "$.warnings"))
    return _each_requested(entries, requested, read_one, warnings)


def reply_entries(body: bytes) -> Result[dict[str, msgspec.Raw], ApiFailure]:
    """A fetch reply's entries (job ids and "warnings"), each its JSON as sent.

    Failures: BadBody("$") when the body is not a JSON object. Invariant: never raises.
    """
    try:
        return Success(_reply_decoder.decode(body))
    except msgspec.ValidationError as error:
        message, path = split_path(error)
        return Failure(BadBody(f"the reply is not a JSON object of jobs ({message})", path))
    except DECODE_ERRORS as error:
        return Failure(BadBody(undecodable("the reply", error)))


def _each_requested(
    entries: Mapping[str, _E],
    requested: Sequence[str],
    read_one: Callable[[str, _E], _Read[_T]],
    warnings: list[str],
) -> Result[tuple[dict[str, _T], list[str]], ApiFailure]:
    """Each requested job's entry read by `read_one`, its warnings added to `warnings`;
    MissingJob for the first id without an entry, or the first failure to read one."""
    found: dict[str, _T] = {}
    for job_id in requested:
        entry = entries.get(job_id)
        if entry is None:
            return Failure(MissingJob(job_id))
        read = read_one(job_id, entry)
        if isinstance(read, Failure):
            return Failure(read.failure())
        found[job_id], more = read.unwrap()
        warnings.extend(more)
    return Success((found, warnings))


def _statuses_of(job_id: str, raw: msgspec.Raw) -> _Read[tuple[CircuitStatus, ...]]:
    """One job's statuses, read alone from its JSON (and warnings for unknown names)."""
    try:
        entry = _statuses_decoder.decode(raw)
    except msgspec.ValidationError as error:
        message, path = split_path(error)
        return Failure(BadBody(message, path, job_id))
    except DECODE_ERRORS as error:
        return Failure(BadBody(undecodable("a status", error), "$", job_id))
    return _names(job_id, entry)


def _data_of(job_id: str, raw: msgspec.Raw) -> _Read[JobData]:
    """One job's data, read alone from its JSON: its statuses first (so a failure is the
    poll's, and unknown names are warned about), then every field."""
    return _statuses_of(job_id, raw).bind(
        lambda found: decode_job(job_id, raw).map(lambda data: (data, found[1]))
    )


def _names(job_id: str, entry: _Statuses) -> _Read[tuple[CircuitStatus, ...]]:
    """Statuses from their names: an unknown one is UNRECOGNIZED, and a warning names it (as
    one for an unknown job or circuit type)."""
    names = entry.statuses
    statuses = tuple(_STATUS_BY_NAME.get(name, CircuitStatus.UNRECOGNIZED) for name in names)
    warnings: list[str] = []
    if CircuitStatus.UNRECOGNIZED in statuses:
        warnings.extend(_unknown_names(job_id, names))
    for field, value, known in (
        ("job_type", entry.job_type, _JOB_TYPES),
        ("circuit_type", entry.circuit_type, _CIRCUIT_TYPES),
    ):
        if isinstance(value, str) and value not in known:
            warnings.append(
                f"Job {job_id}: its {field} is {value!r}, which this client does not know; "
                "the job is read as it is."
            )
    return Success((statuses, warnings))


def _has_unknown(jobs: Iterable[JobData]) -> bool:
    """Whether any job has a name this client does not know (so warnings are due)."""
    return any(
        CircuitStatus.UNRECOGNIZED in data.statuses
        or data.job_type not in _JOB_TYPES  # a stand-in's value is no listed member's
        or data.circuit_type not in _CIRCUIT_TYPES
        for data in jobs
    )


def decode_job(job_id: str, document: bytes | msgspec.Raw) -> Result[JobData, BadBody]:
    """Decodes one job's own JSON object into `JobData`.

    Failures: BadBody naming the job and the path of the first wrong or missing value
    (e.g. "$.shots[0]"). Invariant: never raises, whatever the bytes.
    """
    try:
        return Success(_job_decoder.decode(document))
    except msgspec.ValidationError as error:
        message, path = split_path(error)
        return Failure(BadBody(message, path, job_id))
    except DECODE_ERRORS as error:
        return Failure(BadBody(undecodable("the job's data", error), "$", job_id))


def one_job_replies(body: bytes, job_ids: Sequence[str]) -> Result[dict[str, bytes], ApiFailure]:
    """Each of `job_ids`, cut out of a (batch) fetch reply as a fetch reply of its own.

    So a job's data can be kept, and decoded by `parse_fetch_reply` when read, once the
    batch reply is freed. Failures: as `parse_poll_reply`'s job-by-job reading (BadBody,
    MissingJob). Invariant: `parse_fetch_reply(one_job_replies(b, ids)[i], [i])` reads the
    data `parse_fetch_reply(b, ids)` reads for `i`.
    """
    return _job_by_job(body, job_ids, lambda _job_id, raw: Success((bytes(raw), []))).map(
        lambda found: {
            job_id: one_job_reply(job_id, document) for job_id, document in found[0].items()
        }
    )


def one_job_reply(job_id: str, document: bytes) -> bytes:
    """A fetch reply that holds one job: `{"<job_id>": <document>}`."""
    return b"{" + _encoder.encode(job_id) + b":" + document + b"}"


def _unknown_names(job_id: str, names: Sequence[str]) -> list[str]:
    return [
        f"Job {job_id}: circuit {index} has status {name!r}, which this client does not "
        "know; it is treated as 'unrecognized' (terminal)."
        for index, name in enumerate(names)
        if name not in _STATUS_BY_NAME
    ]
