"""Pure: finding jobs again. Upstream's `JobQuery` as a value, its URL, its reply, and what
a submission whose reply was lost says about finding its job.

- `JobQuery`: the filters of `GET /client/job/{circuit_type}` (upstream
  `general_superstaq.models.JobQuery`): the values of one field are OR'ed, the fields AND'ed.
- `query_url`: the URL that carries them, as upstream's client writes it (one
  `name=value` pair per value, form-encoded, in upstream's field order), with statuses as
  their values and times in ISO 8601 (UTC).
- `parse_query_reply`: the reply, a fetch reply keyed by the jobs found; every key must be
  a job id (a UUID), every entry `JobData`.
- `submission_tag` and `find_again`: the tag an opt-in submission carries, and the advice
  an error gives when the job may have been created.
"""

from __future__ import annotations

import datetime
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence

import msgspec
from returns.result import Failure, Result

from sqcore.core.errors import ApiFailure, BadBody
from sqcore.core.models import CircuitStatus, CircuitType
from sqcore.core.replies import FetchResult, parse_fetch_reply, reply_entries
from transports._types import Request

__all__ = [
    "CLOCK_SKEW_SECONDS",
    "SUBMISSION_TAG_PREFIX",
    "FindAgain",
    "JobQuery",
    "build_query_request",
    "find_again",
    "parse_query_reply",
    "query_url",
    "searched_since",
    "submission_tag",
]

#: The start of the tag `create_job(..., submission_tag=True)` adds.
SUBMISSION_TAG_PREFIX = "sqcore-submission:"

#: A key of a reply quoted in an error message is cut to this many characters.
_MAX_QUOTED_KEY = 80


class JobQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Which jobs to find: each field a filter (empty or None: no filter on it).

    A job is found when, for every field given, it matches one of that field's values:
    values of one field OR, fields AND (upstream's `JobQuery`). Job ids are canonical UUID
    strings; times are timezone-aware.
    """

    user_emails: tuple[str, ...] = ()
    job_ids: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    statuses: tuple[CircuitStatus, ...] = ()
    tags: tuple[str, ...] = ()
    min_priority: int | None = None
    max_priority: int | None = None
    submitted_before: datetime.datetime | None = None
    submitted_after: datetime.datetime | None = None


def _iso(moment: datetime.datetime) -> str:
    """An aware time in ISO 8601, in UTC ("2027-01-15T08:00:03.250000+00:00")."""
    return moment.astimezone(datetime.timezone.utc).isoformat()


def query_pairs(query: JobQuery) -> list[tuple[str, str]]:
    """The query's `(name, value)` pairs, named and ordered as upstream's `JobQuery` fields.

    Invariant: one pair per value of each field given; none for a field not given.
    """
    pairs: list[tuple[str, str]] = []
    pairs += [("user_email", email) for email in query.user_emails]
    pairs += [("job_id", job_id) for job_id in query.job_ids]
    pairs += [("target_name", target) for target in query.targets]
    pairs += [("status", status.value) for status in query.statuses]
    pairs += [("tags", tag) for tag in query.tags]
    if query.min_priority is not None:
        pairs.append(("min_priority", str(query.min_priority)))
    if query.max_priority is not None:
        pairs.append(("max_priority", str(query.max_priority)))
    if query.submitted_before is not None:
        pairs.append(("submitted_before", _iso(query.submitted_before)))
    if query.submitted_after is not None:
        pairs.append(("submitted_after", _iso(query.submitted_after)))
    return pairs


def query_url(base: str, circuit_type: CircuitType, query: JobQuery) -> str:
    """`{base}/client/job/{circuit_type}?user_email=...&job_id=...&...`, form-encoded as
    upstream's client encodes it (`urllib.parse.urlencode(..., doseq=True)`).

    Invariant: parsing the query string back (`urllib.parse.parse_qsl`) gives
    `query_pairs(query)`; a query of job ids alone is `sqcore.core.endpoints.fetch_url`'s URL.
    """
    url = f"{base}/client/job/{circuit_type.value}"
    pairs = query_pairs(query)
    return f"{url}?{urllib.parse.urlencode(pairs)}" if pairs else url


def build_query_request(
    base: str,
    circuit_type: CircuitType,
    query: JobQuery,
    headers: Mapping[str, str],
    timeout: float,
) -> Request:
    """`GET {base}/client/job/{circuit_type}?...`: the jobs `query` finds."""
    return Request("GET", query_url(base, circuit_type, query), headers, None, timeout)


def parse_query_reply(body: bytes, job_ids: Sequence[str]) -> Result[FetchResult, ApiFailure]:
    """Decodes the reply to a query: every job in it, keyed by its canonical id.

    Args:
        body: The reply (a fetch reply: job id -> job data, and maybe "warnings").
        job_ids: The query's job ids (canonical); when given, a job the reply holds that is
            not one of them is left out, as a fetch leaves out ids it did not ask for.

    Failures: BadBody("$") when the body is not a JSON object, or when a key is not a job
    id (a UUID; the message quotes it); then those of `parse_fetch_reply` (a job's field
    that is wrong, named by job and path). Invariant: never raises, whatever the bytes;
    every key of the result is a canonical UUID string.
    """
    read = reply_entries(body)
    if isinstance(read, Failure):
        return Failure(read.failure())
    keys: dict[str, str] = {}  # the key as sent -> the canonical id
    for key in read.unwrap():
        if key == "warnings":
            continue
        canonical = _canonical(key)
        if canonical is None:
            shown = key if len(key) <= _MAX_QUOTED_KEY else key[:_MAX_QUOTED_KEY] + "…"
            return Failure(BadBody(f"the key {shown!r} is not a job id (a UUID)"))
        if not job_ids or canonical in job_ids:
            keys[key] = canonical
    return parse_fetch_reply(body, list(keys)).map(
        lambda found: FetchResult(
            {keys[key]: data for key, data in found.jobs.items()}, found.warnings
        )
    )


def _canonical(text: str) -> str | None:
    """`text` as a canonical UUID string, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


class FindAgain(msgspec.Struct, frozen=True):
    """How to find a submission's job should its reply be lost.

    Attributes:
        advice: The sentence an error or warning ends with: the job may have been created,
            and the `find_jobs` call that finds it.
        tag: The submission tag the job carries, or None.
    """

    advice: str
    tag: str | None = None


def submission_tag(random_id: uuid.UUID) -> str:
    """The tag of a submission that can be found again: `sqcore-submission:<uuid4>`."""
    return f"{SUBMISSION_TAG_PREFIX}{random_id}"


#: How long before a submission began the advice to find it looks: the server stamps a job
#: with its own clock, and a client's (a laptop or VM off NTP) may run minutes ahead of it.
CLOCK_SKEW_SECONDS = 600


def searched_since(started_epoch: float) -> datetime.datetime:
    """The `submitted_after` that finds a submission begun at `started_epoch` (wall-clock
    seconds on this machine): `CLOCK_SKEW_SECONDS` earlier, to the second, in UTC."""
    since = int((started_epoch - CLOCK_SKEW_SECONDS) // 1)
    return datetime.datetime.fromtimestamp(since, datetime.timezone.utc)


def find_again(
    tag: str | None, tags: Sequence[str], target: str, started_epoch: float
) -> FindAgain:
    """How to find a submission begun at `started_epoch` (wall-clock seconds): by its
    submission `tag` if it has one, else by the user's `tags` (else its `target`) and a
    time before it began (`searched_since`).

    Invariant: the advice names a `find_jobs` call that finds the job: with `tag`, it
    names the tag; without, it names `submitted_after` `CLOCK_SKEW_SECONDS` before
    `started_epoch`, so a server clock up to that much behind this machine's still finds it.
    """
    if tag is not None:
        call = f"find_jobs(tags=[{tag!r}])"
    else:
        began = searched_since(started_epoch)
        which = f"tags={list(tags)!r}" if tags else f"targets=[{target!r}]"
        call = f"find_jobs({which}, submitted_after=datetime.fromisoformat({began.isoformat()!r}))"
    return FindAgain(
        f"The job may have been created: look for it with {call} before submitting again.", tag
    )
