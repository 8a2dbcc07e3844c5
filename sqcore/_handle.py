"""Shell: what a job handle is and does without a request, shared by `Job` and `AsyncJob`.

A handle is a job id, the client that reads it, and the `JobState` the last fetch left (its
cache). Everything that needs no request lives here: identity, the caching rule ("fetch
only while some circuit is open"), reading a circuit's status, the failure check, the
`to_dict` view, saving and restoring. `Job` and `sqcore.aio.AsyncJob` add the requests,
blocking or awaited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import ClassVar, Generic, NoReturn, Protocol, TypeVar

import msgspec

from sqcore._arguments import canonical_id, checked_counts, checked_index
from sqcore._errors import SuperstaqUnsuccessfulJobException
from sqcore._fetch_reply import one_job_reply, parse_fetch_reply
from sqcore._models import STATUS_PRIORITY_ORDER, CircuitStatus, Endian, JobData
from sqcore._session import JobState
from sqcore._status import failure_summary, is_terminal, overall_status, status_of
from sqcore._watch import JobWait, OnProgress
from sqcore._wire import DECODE_ERRORS, split_path, undecodable

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


class _SavedCount(msgspec.Struct, frozen=True):
    """What `load` reads of the saved data at once: what must agree with the saved statuses."""

    statuses: list[CircuitStatus]
    num_circuits: int


_saved_decoder = msgspec.json.Decoder(_Saved)
_count_decoder = msgspec.json.Decoder(_SavedCount)
_encoder = msgspec.json.Encoder()


class JobHandle(Generic[_C_co]):
    """A job id, its client, and what the last fetch said (see the module docstring).

    The private names upstream's `general_superstaq.job.Job` has mean what they mean there,
    for the SDKs' subclasses: `_job_id` (the `uuid.UUID`), `_client`, `_overall_status` (the
    cached overall status: no request). sqcore's own internals, for the waits over many jobs
    among others, are `_id` (the canonical id string), `_state` (None until a fetch) and
    `_adopt(state)`; no SDK class defines these names (tests/embedding checks).
    """

    STATUS_PRIORITY_ORDER: ClassVar[tuple[CircuitStatus, ...]] = STATUS_PRIORITY_ORDER
    #: The bit order of the counts a subclass is given (`set_counts`): upstream's default,
    #: BIG; a Qiskit job class sets LITTLE.
    endianness: ClassVar[Endian] = Endian.BIG

    def __init__(self, client: _C_co, job_id: uuid.UUID | str) -> None:
        self._id = canonical_id(job_id, "job_id")
        self._job_id = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(self._id)
        self._client = client
        self._state: JobState | None = None

    # -- identity ------------------------------------------------------------------------

    def job_id(self) -> uuid.UUID:
        """The job's unique id."""
        return self._job_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JobHandle):
            return NotImplemented
        return self._id == other._id

    def __hash__(self) -> int:
        return hash(self._job_id)

    def __str__(self) -> str:
        return f"Job with job_id={self._id}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(job_id={self._id!r})"

    def __getitem__(self, index: int) -> NoReturn:
        """Not supported, as upstream: a job is not a sequence of sub-jobs.

        Raises:
            NotImplementedError: Always; read a circuit's status with `status(index)`.
        """
        raise NotImplementedError(
            f"a job cannot be indexed (job[{index!r}]): read circuit {index!r}'s status with "
            "status(index), its data with job_data"
        )

    # -- the cache -----------------------------------------------------------------------

    @property
    def _overall_status(self) -> CircuitStatus:
        """The overall status the last fetch gave (upstream's cached value): no request.
        RECEIVED before any fetch, and for a job without circuits, as upstream."""
        return overall_status(() if self._state is None else self._state.statuses)

    def _adopt(self, state: JobState) -> None:
        """Takes in what a fetch said (its data, if kept, replaces any read before)."""
        self._state = state

    def _is_settled(self) -> bool:
        """Whether the cache is final: every circuit terminal, so no request is ever needed."""
        return self._state is not None and is_terminal(self._state.statuses)

    def _plain(self, data: JobData) -> dict[str, object]:
        """`data` by field name, as upstream's `JobData.model_dump()` gives it: enum fields
        as their members, every list and dict a fresh copy."""
        return {name: _copied(getattr(data, name)) for name in data.__struct_fields__}

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
        """Raises if the job (or circuit `index`) failed: upstream 0.5.70 raises for FAILED
        only (a cancelled or deleted job's status says so itself)."""
        statuses = tuple(data.statuses)
        checked = checked_index(statuses, index)
        if status_of(statuses, checked) is CircuitStatus.FAILED:
            summary = failure_summary(data.statuses, data.status_messages, checked)
            # The messages are the server's text: it may echo a credential back.
            shown = "failed" if summary is None else self._client._redact(summary)
            raise SuperstaqUnsuccessfulJobException(self._id, shown)

    # -- what upstream's subclasses read of the data -------------------------------------

    def _first_shots(self, data: JobData) -> int:
        """Upstream's `_repetitions()`: the shots of the first circuit."""
        if not data.shots:
            raise IndexError(f"job {self._id} has no circuits, so no shots")
        return data.shots[0]

    def _store_all_counts(self, data: JobData, results: object) -> None:
        """`set_counts`: one mapping of counts per circuit, all checked before any is stored."""
        if isinstance(results, (str, bytes, Mapping)) or not isinstance(results, Sequence):
            raise TypeError(
                "set_counts takes a sequence of counts (one mapping of bitstrings to counts "
                f"per circuit), not {type(results).__name__}"
            )
        if len(results) != len(data.statuses):
            raise ValueError(
                f"set_counts got {len(results)} counts for the {len(data.statuses)} "
                f"circuit(s) of job {self._id}: give one per circuit"
            )
        self._store_counts(data, [checked_counts(i, counts) for i, counts in enumerate(results)])

    def _store_circuit_counts(self, data: JobData, index: object, counts: object) -> None:
        """`set_counts_for_circuit`: circuit `index`'s counts, checked, then stored."""
        checked = checked_index(tuple(data.statuses), index)
        if checked is None:
            raise TypeError("set_counts_for_circuit needs a circuit index, not None")
        self._store_counts(data, [None] * checked + [checked_counts(checked, counts)])

    def _store_counts(self, data: JobData, counts: list[dict[str, int | float] | None]) -> None:
        """Stores each circuit's checked counts (None: leaves that circuit's) in `data.counts`,
        bitstrings reversed for a LITTLE-endian class: the server keeps them big-endian."""
        little = self.endianness is Endian.LITTLE
        for index, given in enumerate(counts):
            if given is not None:
                data.counts[index] = {b[::-1]: n for b, n in given.items()} if little else given

    def _measured_qubits(self, data: JobData, index: int) -> list[int]:
        """Upstream's `_terminal_measurement_qubit_indices`: circuit `index`'s physical
        qubits, in the order of its logical qubits (its final mapping)."""
        checked = checked_index(tuple(data.statuses), index)
        assert checked is not None  # an int was given
        mapping = data.final_logical_to_physicals[checked]
        if mapping is None:
            raise ValueError("Circuit must be compiled before counts are set.")  # upstream's
        return [mapping[logical] for logical in sorted(mapping)]

    # -- saving --------------------------------------------------------------------------

    def dump(self) -> bytes:
        """The job saved as JSON: its id and whatever it has cached (statuses, data).

        `load` restores it; a restored job whose circuits are all terminal never makes a
        request again. The API key is not in it. Data kept but not read yet is decoded
        here (no request); if it cannot be, only the statuses are saved.
        """
        state = self._state
        if state is None:
            return _encoder.encode(_Saved(_SAVE_FORMAT, self._job_id))
        data = state.data
        if data is None and state.reply is not None:
            read = parse_fetch_reply(state.reply, (self._id,))
            data = read.map(lambda found: found.jobs.get(self._id)).value_or(None)
        document = _NULL if data is None else msgspec.Raw(_encoder.encode(data))
        return _encoder.encode(_Saved(_SAVE_FORMAT, self._job_id, list(state.statuses), document))


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
    except msgspec.ValidationError as error:
        message, path = split_path(error)
        raise ValueError(f"not a saved sqcore job: {message} (at {path})") from None
    except DECODE_ERRORS as error:
        raise ValueError(f"not a saved sqcore job: {undecodable('it', error)}") from None
    if saved.sqcore_job != _SAVE_FORMAT:
        raise ValueError(
            f"a saved sqcore job of format {saved.sqcore_job}; this version reads "
            f"format {_SAVE_FORMAT}"
        )
    if saved.statuses is None:
        return saved.job_id, None
    statuses = tuple(saved.statuses)
    document = bytes(saved.data)
    if document == b"null":
        return saved.job_id, JobState(statuses)
    _check_agreement(statuses, document)
    # The saved data, as a reply of one job: decoded (and checked) when it is first read.
    reply = one_job_reply(str(saved.job_id), document)
    return saved.job_id, JobState(statuses, reply)


def _check_agreement(statuses: tuple[CircuitStatus, ...], document: bytes) -> None:
    """Refuses saved statuses that disagree with the saved data (an edited save would
    otherwise answer `status()` from the one and `job_data` from the other).

    Raises:
        ValueError: The data has no readable statuses or circuit count, or its statuses are
            not the saved ones, or their count is not its `num_circuits` (named by path).
    """
    try:
        count = _count_decoder.decode(document)
    except msgspec.ValidationError as error:
        message, path = split_path(error)
        raise ValueError(f"not a saved sqcore job: {message} (at $.data{path[1:]})") from None
    if tuple(count.statuses) != statuses:
        raise ValueError(
            f"not a saved sqcore job: its statuses ({_names(statuses)}, at $.statuses) are not "
            f"those of its data ({_names(count.statuses)}, at $.data.statuses)"
        )
    if count.num_circuits != len(statuses):
        raise ValueError(
            f"not a saved sqcore job: it has {len(statuses)} statuses (at $.statuses) for "
            f"{count.num_circuits} circuits (at $.data.num_circuits)"
        )


def _names(statuses: Sequence[CircuitStatus]) -> str:
    return ", ".join(status.value for status in statuses)


def _copied(value: object) -> object:
    """Lists and dicts copied, however deep; anything else (enum members, datetimes) as it
    is: what pydantic's `model_dump()` gives. Not recursive: the server's `metadata` may
    nest as deep as the decoder allows, deeper than Python's recursion limit."""
    root: list[object] = [value]
    pending: list[list[object] | dict[object, object]] = [root]
    while pending:
        container = pending.pop()
        if isinstance(container, dict):
            for key, item in container.items():
                if (copy := _fresh(item)) is not None:
                    container[key] = copy
                    pending.append(copy)
        else:
            for index, item in enumerate(container):
                if (copy := _fresh(item)) is not None:
                    container[index] = copy
                    pending.append(copy)
    return root[0]


def _fresh(item: object) -> list[object] | dict[object, object] | None:
    """A shallow copy of a list or dict (its items copied later), else None."""
    if isinstance(item, list):
        return list(item)
    if isinstance(item, dict):
        return dict(item)
    return None
