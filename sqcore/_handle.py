"""Shell: what a job handle is and does without a request, shared by `Job` and `AsyncJob`.

A handle is a job id, the client that reads it, and the `JobState` the last fetch left (its
cache). Everything that needs no request lives here: identity, the caching rule ("fetch
only while some circuit is open"), reading a circuit's status, the failure check, the
`to_dict` view, saving and restoring. `Job` and `sqcore.aio.AsyncJob` add the requests,
blocking or awaited.
"""

from __future__ import annotations

import enum
import uuid
from typing import ClassVar, Generic, Protocol, TypeVar

import msgspec

from sqcore._arguments import canonical_id, checked_index
from sqcore._errors import SuperstaqUnsuccessfulJobException
from sqcore._fetch_reply import one_job_reply, parse_fetch_reply
from sqcore._models import STATUS_PRIORITY_ORDER, CircuitStatus, JobData
from sqcore._session import JobState
from sqcore._status import failure_summary, is_terminal, status_of
from sqcore._watch import JobWait, OnProgress
from sqcore._wire import DECODE_ERRORS

__all__ = ["HandleClient", "JobHandle", "adopted", "keep_every_reply", "restored"]


class _Monotonic(Protocol):
    def monotonic(self) -> float: ...


class HandleClient(Protocol):
    """What a handle asks of its client without a request: its clock, its default budget,
    and the redaction of server text that may echo a secret back."""

    @property
    def clock(self) -> _Monotonic: ...

    @property
    def max_retry_seconds(self) -> float: ...

    def _redact(self, text: str) -> str: ...


_C_co = TypeVar("_C_co", bound=HandleClient, covariant=True)

#: The format `dump` writes; `load` refuses any other.
_SAVE_FORMAT = 1


_NULL = msgspec.Raw(b"null")


class _Saved(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A saved job handle: its id, and what it had cached."""

    sqcore_job: int
    job_id: uuid.UUID
    statuses: list[CircuitStatus] | None = None
    data: msgspec.Raw = _NULL  # the job's JSON, or null


_saved_decoder = msgspec.json.Decoder(_Saved)
_encoder = msgspec.json.Encoder()


class JobHandle(Generic[_C_co]):
    """A job id, its client, and what the last fetch said (see the module docstring).

    Internal interface, for the waits over many jobs: `_id` (the canonical id string),
    `_client`, `_state` (None until a fetch), `_adopt(state)`.
    """

    STATUS_PRIORITY_ORDER: ClassVar[tuple[CircuitStatus, ...]] = STATUS_PRIORITY_ORDER

    def __init__(self, client: _C_co, job_id: uuid.UUID | str) -> None:
        self._id = canonical_id(job_id, "job_id")
        self._uuid = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(self._id)
        self._client = client
        self._state: JobState | None = None

    # -- identity ------------------------------------------------------------------------

    def job_id(self) -> uuid.UUID:
        """The job's unique id."""
        return self._uuid

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JobHandle):
            return NotImplemented
        return self._id == other._id

    def __hash__(self) -> int:
        return hash(self._uuid)

    def __str__(self) -> str:
        return f"Job with job_id={self._id}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(job_id={self._id!r})"

    # -- the cache -----------------------------------------------------------------------

    def _adopt(self, state: JobState) -> None:
        """Takes in what a fetch said (its data, if kept, replaces any read before)."""
        self._state = state

    def _is_settled(self) -> bool:
        """Whether the cache is final: every circuit terminal, so no request is ever needed."""
        return self._state is not None and is_terminal(self._state.statuses)

    def _plain(self, data: JobData) -> dict[str, object]:
        """`data` by field name, as upstream's `JobData.model_dump()` gives it."""
        return {name: _plain(getattr(data, name)) for name in data.__struct_fields__}

    def _wait(
        self,
        index: object,
        timeout_seconds: object,
        polling_seconds: object,
        check_until_compiled: bool,
        on_progress: OnProgress | None,
    ) -> JobWait:
        """The bookkeeping of a wait on this job, starting now (arguments checked)."""
        return JobWait(
            self._id,
            self._client.clock.monotonic(),
            timeout_seconds=timeout_seconds,
            default_timeout=self._client.max_retry_seconds,
            polling_seconds=polling_seconds,
            index=index,
            check_until_compiled=check_until_compiled,
            on_progress=on_progress,
        )

    def _whole_job(self, index: int | None) -> None:
        """Refuses a circuit `index` to cancel: the v0.3.0 API cancels whole jobs only, and
        sqcore never cancels more than was asked."""
        if index is not None:
            raise ValueError(
                f"cannot cancel only circuit {index}: the Superstaq v0.3.0 API cancels whole "
                "jobs; call cancel() without an index to cancel every circuit of the job"
            )

    def _unsuccessful(self, data: JobData, index: int | None) -> None:
        """Raises if the job (or circuit `index`) failed, was cancelled or was deleted."""
        statuses = tuple(data.statuses)
        checked = checked_index(statuses, index)
        status = status_of(statuses, checked)
        if status is CircuitStatus.FAILED:
            summary = failure_summary(data.statuses, data.status_messages, checked)
            # The messages are the server's text: it may echo a credential back.
            shown = status.value if summary is None else self._client._redact(summary)
            raise SuperstaqUnsuccessfulJobException(self._id, shown)
        if status in (CircuitStatus.CANCELLED, CircuitStatus.DELETED):
            raise SuperstaqUnsuccessfulJobException(self._id, status.value)

    # -- saving --------------------------------------------------------------------------

    def dump(self) -> bytes:
        """The job saved as JSON: its id and whatever it has cached (statuses, data).

        `load` restores it; a restored job whose circuits are all terminal never makes a
        request again. The API key is not in it. Data kept but not read yet is decoded
        here (no request); if it cannot be, only the statuses are saved.
        """
        state = self._state
        if state is None:
            return _encoder.encode(_Saved(_SAVE_FORMAT, self._uuid))
        data = state.data
        if data is None and state.reply is not None:
            read = parse_fetch_reply(state.reply, (self._id,))
            data = read.map(lambda found: found.jobs.get(self._id)).value_or(None)
        document = _NULL if data is None else msgspec.Raw(_encoder.encode(data))
        return _encoder.encode(_Saved(_SAVE_FORMAT, self._uuid, list(state.statuses), document))


_H = TypeVar("_H", bound="JobHandle[HandleClient]")


def adopted(job: _H, data: JobData) -> _H:
    """`job` with `data` cached, as a fetch of it leaves it: reading it makes no request."""
    job._adopt(JobState(tuple(data.statuses), None, data))
    return job


def keep_every_reply(_statuses: tuple[CircuitStatus, ...]) -> bool:
    """A poll's `keep` for one job's own refresh: its JSON is kept whatever its statuses
    (read at once, or when its data is asked for)."""
    return True


def restored(data: bytes | str) -> tuple[uuid.UUID, JobState | None]:
    """A job saved by `JobHandle.dump`: its id and its cache (`Job.load` and
    `AsyncJob.load` make the handle).

    Raises:
        ValueError: `data` is not a saved job; the message says where it is wrong.
    """
    try:
        saved = _saved_decoder.decode(data)
    except DECODE_ERRORS as error:
        raise ValueError(f"not a saved sqcore job: {error}") from None
    if saved.sqcore_job != _SAVE_FORMAT:
        raise ValueError(
            f"a saved sqcore job of format {saved.sqcore_job}; this version reads "
            f"format {_SAVE_FORMAT}"
        )
    if saved.statuses is None:
        return saved.job_id, None
    if not saved.statuses:
        raise ValueError("not a saved sqcore job: its statuses are empty (at $.statuses)")
    document = bytes(saved.data)
    if document == b"null":
        return saved.job_id, JobState(tuple(saved.statuses))
    # The saved data, as a reply of one job: decoded (and checked) when it is first read.
    reply = one_job_reply(str(saved.job_id), document)
    return saved.job_id, JobState(tuple(saved.statuses), reply)


def _plain(value: object) -> object:
    """Enums become their values, recursively through lists (as pydantic's model_dump)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
