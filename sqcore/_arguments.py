"""Shell: checks of what a caller passes, each written once, raising the documented errors.

Every public entry point (`Client`, `Job`, the waits, the command line, `sqcore.aio`) checks
its arguments here, before any request: a bad value raises `TypeError` or `ValueError` at
once, with a message that names the argument and says what was wrong.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from typing import TypeVar

import msgspec

from sqcore._models import CircuitType, JobType
from sqcore._wait import Backoff, Polling
from sqcore._wire import NewJob
from transports._types import PROVIDER_CREDENTIALS

__all__ = [
    "SIM_METHODS",
    "canonical_id",
    "canonical_ids",
    "checked_credentials",
    "checked_polling",
    "checked_seconds",
    "checked_text",
    "new_job",
]


def canonical_id(job_id: object) -> str:
    """A job id (a `uuid.UUID` or its string in any accepted spelling) in canonical form.

    Raises:
        TypeError: Not a str or UUID.
        ValueError: A str that is not a UUID.
    """
    if isinstance(job_id, uuid.UUID):
        return str(job_id)
    if not isinstance(job_id, str):
        raise TypeError(f"a job id must be a str or uuid.UUID, not {type(job_id).__name__}")
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise ValueError(f"{job_id!r} is not a valid job id (expected a UUID)") from None


def canonical_ids(job_ids: object) -> list[str]:
    """Job ids in canonical form, repeats dropped, order kept.

    Raises:
        TypeError: A single id instead of a sequence, or an id of the wrong type.
        ValueError: An id that is not a UUID.
    """
    if isinstance(job_ids, (str, bytes, uuid.UUID)):
        raise TypeError("job_ids must be a sequence of ids, not a single id; wrap it in a list")
    if not isinstance(job_ids, Iterable):
        raise TypeError(f"job_ids must be a sequence of ids, not {type(job_ids).__name__}")
    return list(dict.fromkeys(canonical_id(job_id) for job_id in job_ids))


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


def new_job(
    circuits: object,
    *,
    target: object,
    shots: object,
    circuit_type: object,
    job_type: object,
    sim_method: object,
    dry_run: object,
    verbatim: object,
    priority: object,
    tags: object,
    metadata: object,
    options: object,
) -> NewJob:
    """The body of a job submission (upstream's `NewJob`), every argument checked first.

    Raises:
        TypeError: An argument of the wrong type (named in the message).
        ValueError: An empty target or circuits, negative shots, an unknown job type,
            circuit type or simulation method, or metadata/options that are not JSON.
    """
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
    return NewJob(
        job_type=_member(JobType, "job_type", job_type).value,
        target=target,
        circuits=circuits,
        circuit_type=_member(CircuitType, "circuit_type", circuit_type).value,
        verbatim=_flag("verbatim", verbatim),
        shots=_count("shots", shots),
        dry_run=_flag("dry_run", dry_run),
        sim_method=None if sim_method is None else _one_of("sim_method", sim_method, SIM_METHODS),
        priority=_integer("priority", priority),
        options_dict=_json_object("options", options),
        tags=_tags(tags),
        metadata=_json_object("metadata", metadata),
    )


#: Upstream's `SimMethod` values.
SIM_METHODS: tuple[str, ...] = ("sim", "noise-sim")

_E = TypeVar("_E", JobType, CircuitType)


def _member(kind: type[_E], name: str, value: object) -> _E:
    if isinstance(value, kind):
        return value
    known = ", ".join(member.value for member in kind)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {known}, not {type(value).__name__}")
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not one of {known}") from None


def _one_of(name: str, value: object, known: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value not in known:
        raise ValueError(f"{name} {value!r} is not one of {', '.join(known)}")
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
    except (TypeError, msgspec.EncodeError) as error:
        raise ValueError(f"{name} must be JSON-serializable: {error}") from None
    return copy
