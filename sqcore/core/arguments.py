"""Shell: checks of what a caller passes, each written once, raising the documented errors.

Every public entry point (`Client`, `Job`, the waits, the command line, `sqcore.aio`) checks
its arguments here, before any request: a bad value raises `TypeError` or `ValueError` at
once, with a message that names the argument and says what was wrong.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, TypedDict, TypeVar

import msgspec

from sqcore.core.models import CircuitStatus, CircuitType, JobType, is_known
from sqcore.core.query import JobQuery
from sqcore.core.status import index_error
from sqcore.core.waiting import Backoff, Polling
from sqcore.core.wire import NewJob
from transports._types import PROVIDER_CREDENTIALS

if TYPE_CHECKING:
    from typing_extensions import Required

__all__ = [
    "SIM_METHODS",
    "SUBMISSION_DEFAULTS",
    "JobFilters",
    "Submission",
    "canonical_id",
    "canonical_ids",
    "checked_credentials",
    "checked_index",
    "checked_index_type",
    "checked_polling",
    "checked_seconds",
    "checked_text",
    "job_query",
    "new_job",
    "quoted",
]

#: At most this many characters of a caller's text are quoted in an error message (a UUID is
#: 36), so a megabyte of garbage gives a short message.
_QUOTED_CHARACTERS = 60


def quoted(text: str) -> str:
    """`text` quoted for an error message (its repr), cut to its first 60 characters, with
    its length, when longer."""
    if len(text) <= _QUOTED_CHARACTERS:
        return repr(text)
    return f"{text[:_QUOTED_CHARACTERS]!r}… ({len(text):,} characters)"


def canonical_id(job_id: object, name: str = "a job id") -> str:
    """A job id (a `uuid.UUID` or its string in any accepted spelling) in canonical form.

    Raises:
        TypeError: Not a str or UUID (the message names the argument as `name`).
        ValueError: A str that is not a UUID.
    """
    if isinstance(job_id, uuid.UUID):
        return str(job_id)
    if not isinstance(job_id, str):
        raise TypeError(f"{name} must be a str or uuid.UUID, not {type(job_id).__name__}")
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise ValueError(f"{quoted(job_id)} is not a valid job id (expected a UUID)") from None


def canonical_ids(job_ids: object) -> list[str]:
    """Job ids (a sequence) in canonical form, repeats dropped, order kept.

    Raises:
        TypeError: A single id, or anything but a sequence (a set has no order to keep),
            instead of a sequence of ids; or an id of the wrong type.
        ValueError: An id that is not a UUID.
    """
    if isinstance(job_ids, (str, bytes, uuid.UUID)):
        raise TypeError("job_ids must be a sequence of ids, not a single id; wrap it in a list")
    if not isinstance(job_ids, Sequence):
        raise TypeError(f"job_ids must be a sequence of ids, not {type(job_ids).__name__}")
    return list(dict.fromkeys(canonical_id(job_id) for job_id in job_ids))


def checked_index(statuses: Sequence[CircuitStatus], index: object) -> int | None:
    """`index` checked against the job's circuits (None means the whole job).

    Raises:
        TypeError: Not an int or None.
        ValueError: Negative.
        IndexError: Past the last circuit; the message names the valid range.
    """
    index = checked_index_type(index)
    if index is None:
        return None
    problem = index_error(index, len(statuses))
    if problem is not None:
        raise IndexError(problem)
    return index


def checked_index_type(index: object) -> int | None:
    """`index` checked to be a circuit index or None (its upper bound is checked once the
    job's circuits are known).

    Raises:
        TypeError: Not an int or None.
        ValueError: Negative (upstream 0.5.70 refuses it so, before any request: no index
            counts from the end).
    """
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise TypeError(f"index must be an int or None, not {type(index).__name__}")
    if index is not None and index < 0:
        raise ValueError(f"index must be >= 0 (a circuit's position in the job), not {index}")
    return index


def checked_counts(index: int, counts: object) -> dict[str, int | float]:
    """One circuit's counts as given to `set_counts*`: a mapping of bitstrings to counts
    (or probabilities), copied.

    Raises:
        TypeError: Not a mapping, a key that is not a str, or a value that is not a number
            (the message names the circuit and the key).
    """
    if not isinstance(counts, Mapping):
        raise TypeError(
            f"the counts of circuit {index} must be a mapping of bitstrings to counts, "
            f"not {type(counts).__name__}"
        )
    copy: dict[str, int | float] = {}
    for key, value in counts.items():
        if not isinstance(key, str):
            raise TypeError(
                f"the counts of circuit {index}: the key {key!r} is not a str (a bitstring)"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"the counts of circuit {index}: the value for {key!r} must be an int or a "
                f"float, not {type(value).__name__}"
            )
        copy[key] = value
    return copy


def checked_seconds(name: str, value: object, *, positive: bool = False) -> float:
    """A duration argument as float seconds: a finite or infinite number, >= 0 (> 0 when
    `positive`).

    Raises:
        TypeError: Not a number (bool and None included).
        ValueError: NaN, negative, or 0 where it must be positive.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if math.isnan(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def checked_polling(value: object) -> Polling:
    """`polling_seconds`: a number of seconds (>= 0) or a `Backoff`.

    Raises:
        TypeError: Neither a number nor a Backoff.
        ValueError: A negative or NaN number.
    """
    if isinstance(value, Backoff):
        return value
    return checked_seconds("polling_seconds", value)


def checked_text(name: str, value: object) -> str:
    """A non-empty string that can travel in a header (no line break, no NUL).

    Raises:
        TypeError: Not a str.
        ValueError: Empty, or holding a line break or NUL.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    if any(ch in value for ch in "\r\n\x00"):
        # Without this a value could smuggle extra headers into the request.
        raise ValueError(f"{name} must not contain line breaks or NUL characters")
    return value


def checked_credentials(credentials: Mapping[str, object]) -> dict[str, str]:
    """Provider credentials (ibmq_token, ...) as header values; None values are left out.

    Raises:
        TypeError: An unknown name, or a value that is not a str.
        ValueError: A value that is empty or holds a line break or NUL.
    """
    unknown = sorted(set(credentials) - set(PROVIDER_CREDENTIALS))
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) {', '.join(map(repr, unknown))}; the credentials "
            f"sqcore sends are {', '.join(PROVIDER_CREDENTIALS)}"
        )
    return {
        name: checked_text(name, value) for name, value in credentials.items() if value is not None
    }


class Submission(TypedDict, total=False):
    """The keywords of `create_job` (of `Client` and `AsyncClient` alike): the job's
    settings, upstream's `NewJob` fields, and this call's provider credentials. Only
    `target` is required; the defaults are `SUBMISSION_DEFAULTS`."""

    target: Required[str]
    shots: int
    circuit_type: CircuitType | str | None
    job_type: JobType | str
    sim_method: str | None
    dry_run: bool
    verbatim: bool
    priority: int
    tags: Sequence[str]
    metadata: Mapping[str, object] | None
    options: Mapping[str, object] | None
    submission_tag: bool
    ibmq_token: str
    ibmq_instance: str
    ibmq_channel: str
    cq_token: str


#: What `create_job` sends for a setting not given (`circuit_type`: the client's).
SUBMISSION_DEFAULTS: Mapping[str, object] = MappingProxyType(
    {
        "shots": 1,
        "circuit_type": None,
        "job_type": JobType.SUBMIT,
        "sim_method": None,
        "dry_run": False,
        "verbatim": False,
        "priority": 0,
        "tags": (),
        "metadata": None,
        "options": None,
        "submission_tag": False,
    }
)


def new_job(
    circuits: object, given: Mapping[str, object], circuit_type: CircuitType
) -> tuple[NewJob, dict[str, str]]:
    """The body of a submission (upstream's `NewJob`) and its credentials, from what
    `create_job` was given, every argument checked first (`circuit_type`: the client's).
    `submission_tag` is checked, and left to the caller (the body is as given).

    Raises:
        TypeError: An unknown keyword, a missing target, or an argument of the wrong type
            (named in the message).
        ValueError: An empty target or circuits, negative shots, an unknown job type,
            circuit type or simulation method, or metadata/options that are not JSON.
    """
    unknown = sorted(set(given) - set(Submission.__annotations__))
    if unknown:
        raise TypeError(
            f"create_job() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}"
        )
    if "target" not in given:
        raise TypeError("create_job() missing the keyword argument 'target'")
    settings = {**SUBMISSION_DEFAULTS, **given}
    credentials = checked_credentials(
        {name: given[name] for name in PROVIDER_CREDENTIALS if name in given}
    )
    target = settings["target"]
    if not isinstance(circuits, str):
        raise TypeError(
            f"circuits must be a str (the SDK's serialized circuits), not {type(circuits).__name__}"
        )
    if not circuits.strip():
        raise ValueError("circuits must not be empty")
    if not isinstance(target, str):
        raise TypeError(f"target must be a str, not {type(target).__name__}")
    if not target.strip():
        raise ValueError("target must not be empty, e.g. 'ss_unconstrained_simulator'")
    _flag("submission_tag", settings["submission_tag"])  # not sent: the caller adds the tag
    chosen_type = circuit_type if settings["circuit_type"] is None else settings["circuit_type"]
    sim_method = settings["sim_method"]
    body = NewJob(
        job_type=checked_member(JobType, "job_type", settings["job_type"]).value,
        target=target,
        circuits=circuits,
        circuit_type=checked_member(CircuitType, "circuit_type", chosen_type).value,
        verbatim=_flag("verbatim", settings["verbatim"]),
        shots=_count("shots", settings["shots"]),
        dry_run=_flag("dry_run", settings["dry_run"]),
        sim_method=None if sim_method is None else _one_of("sim_method", sim_method, SIM_METHODS),
        priority=_integer("priority", settings["priority"]),
        options_dict=_json_object("options", settings["options"]),
        tags=_tags(settings["tags"]),
        metadata=_json_object("metadata", settings["metadata"]),
    )
    return body, credentials


#: Upstream's `SimMethod` values.
SIM_METHODS: tuple[str, ...] = ("sim", "noise-sim")

_E = TypeVar("_E", JobType, CircuitType)


def checked_member(kind: type[_E], name: str, value: object) -> _E:
    """`value` as one of the listed members of `kind` (a stand-in for a value the client
    does not know, which decoding makes, is refused too).

    Raises:
        TypeError: `value` is neither a member nor a str.
        ValueError: `value` is not one of the members' values.
    """
    known = ", ".join(member.value for member in kind)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {known}, not {type(value).__name__}")
    member = kind(value)  # a string `kind` does not list makes a stand-in (`_missing_`)
    if not is_known(member):
        raise ValueError(f"{name} {quoted(str(value))} is not one of {known}")
    return member


def _one_of(name: str, value: object, known: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value not in known:
        raise ValueError(f"{name} {quoted(value)} is not one of {', '.join(known)}")
    return value


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _count(name: str, value: object) -> int:
    number = _integer(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    return number


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _tags(tags: object) -> list[str]:
    if isinstance(tags, str):
        raise TypeError("tags must be a sequence of str, not a single str; wrap it in a list")
    if not isinstance(tags, Iterable):
        raise TypeError(f"tags must be a sequence of str, not {type(tags).__name__}")
    checked = list(tags)
    for index, tag in enumerate(checked):
        if not isinstance(tag, str):
            raise TypeError(f"tags[{index}] must be a str, not {type(tag).__name__}")
    return checked


def _json_object(name: str, value: object) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping, not {type(value).__name__}")
    copy = dict(value)
    try:
        msgspec.json.encode(copy)
    except RecursionError:
        raise ValueError(f"{name} nests too deeply to be sent as JSON") from None
    except (TypeError, msgspec.EncodeError) as error:
        raise ValueError(f"{name} must be JSON-serializable: {error}") from None
    return copy


class JobFilters(TypedDict, total=False):
    """The keywords of `find_jobs` (of `Client` and `AsyncClient` alike): upstream's
    `JobQuery` filters, each optional."""

    tags: Iterable[str]
    statuses: Iterable[CircuitStatus | str]
    targets: Iterable[str]
    user_emails: Iterable[str]
    job_ids: Sequence[str | uuid.UUID]
    min_priority: int | None
    max_priority: int | None
    submitted_before: datetime.datetime | None
    submitted_after: datetime.datetime | None


def job_query(filters: Mapping[str, object]) -> JobQuery:
    """The filters `find_jobs` was given (`JobFilters`), checked.

    Raises:
        TypeError: An unknown keyword, or a filter of the wrong type: a single str where a
            sequence of them is wanted, a priority that is not an int, a time that is not
            a `datetime`.
        ValueError: An unknown status, an empty target, a job id that is not a UUID, a
            naive time (without a time zone), or bounds the wrong way round.
    """
    unknown = sorted(set(filters) - set(JobFilters.__annotations__))
    if unknown:
        raise TypeError(
            f"find_jobs() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}"
        )
    min_priority, max_priority = filters.get("min_priority"), filters.get("max_priority")
    low = None if min_priority is None else _integer("min_priority", min_priority)
    high = None if max_priority is None else _integer("max_priority", max_priority)
    if low is not None and high is not None and low > high:
        raise ValueError(f"min_priority {low} is above max_priority {high}: no job has both")
    after = _aware("submitted_after", filters.get("submitted_after"))
    before = _aware("submitted_before", filters.get("submitted_before"))
    if after is not None and before is not None and after >= before:
        raise ValueError(
            f"submitted_after {after.isoformat()} is not before submitted_before "
            f"{before.isoformat()}: no job was submitted in between"
        )
    targets = _texts("targets", filters.get("targets", ()))
    for index, target in enumerate(targets):
        if not target.strip():
            raise ValueError(f"targets[{index}] must not be empty")
    return JobQuery(
        user_emails=_texts("user_emails", filters.get("user_emails", ())),
        job_ids=tuple(canonical_ids(filters.get("job_ids", ()))),
        targets=targets,
        statuses=tuple(
            _status(f"statuses[{index}]", status)
            for index, status in enumerate(_items("statuses", filters.get("statuses", ())))
        ),
        tags=_texts("tags", filters.get("tags", ())),
        min_priority=low,
        max_priority=high,
        submitted_before=before,
        submitted_after=after,
    )


_STATUS_VALUES: Mapping[str, CircuitStatus] = {status.value: status for status in CircuitStatus}


def _status(name: str, value: object) -> CircuitStatus:
    if isinstance(value, CircuitStatus):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a CircuitStatus, not {type(value).__name__}")
    status = _STATUS_VALUES.get(value)
    if status is None:  # CircuitStatus(value) would say "unrecognized": that is for replies
        raise ValueError(f"{name} {value!r} is not one of {', '.join(_STATUS_VALUES)}")
    return status


def _items(name: str, values: object) -> list[object]:
    """A filter's values: any iterable but a single str (which would be its characters)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(
            f"{name} must be a sequence, not a single {type(values).__name__}; wrap it in a list"
        )
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence, not {type(values).__name__}")
    return list(values)


def _texts(name: str, values: object) -> tuple[str, ...]:
    items = _items(name, values)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{index}] must be a str, not {type(item).__name__}")
    return tuple(str(item) for item in items)


def _aware(name: str, value: object) -> datetime.datetime | None:
    """A time filter: None, or a timezone-aware `datetime`."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, like datetime.now(timezone.utc); got the naive "
            f"{value.isoformat()}, which could be any time zone's"
        )
    return value
