"""Shell: a job handle, shared by `Job` and `AsyncJob`: a job id, the client that reads it,
and the `JobState` the last fetch left (its cache). Here is everything that needs no
request (identity, the caching rule: "fetch only while some circuit is open", a circuit's
status, the failure check, the `to_dict` view, saving and restoring) and the waits, written
once for both shells: `Job` and `sqcore.aio.AsyncJob` add the requests, blocking or awaited.

What another object may ask of a handle is public: `client`, `known` (what it knows, no
request) and `learn(state)` (take in what a fetch said; a wait over many jobs tells every
handle of a job it polled).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, NoReturn, Protocol, TypeVar

import msgspec
from returns.pipeline import is_successful
from returns.result import Result

from sqcore.core.arguments import canonical_id, checked_counts, checked_index
from sqcore.core.errors import Fault, SuperstaqUnsuccessfulJobException
from sqcore.core.models import STATUS_PRIORITY_ORDER, CircuitStatus, Endian, JobData
from sqcore.core.replies import decode_job, one_job_reply, parse_fetch_reply
from sqcore.core.status import failure_summary, overall_status, status_of
from sqcore.core.waiting import Backoff
from sqcore.core.wire import DECODE_ERRORS, split_path, undecodable
from sqcore.engine import jobs
from sqcore.engine.effects import JobState, Step
from sqcore.engine.session import Session
from sqcore.shell.steps import OnProgress, value_of

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["HandleClient", "JobHandle", "restored"]


class HandleClient(Protocol):
    """What a handle asks of its client: its session and its default budget."""

    @property
    def session(self) -> Session: ...

    @property
    def max_retry_seconds(self) -> float: ...


_C = TypeVar("_C", bound=HandleClient)
#: What a wait returns: None (blocking) or a coroutine (asyncio).
_NoneOrAwaitable = TypeVar("_NoneOrAwaitable")

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


class JobHandle(Generic[_C, _NoneOrAwaitable]):
    """A job id, its client, and what the last fetch said (see the module docstring).

    The private names upstream's `general_superstaq.job.Job` has mean what they mean there,
    for the SDKs' subclasses: `_job_id` (the `uuid.UUID`), `_client`, `_overall_status` (the
    cached overall status: no request). sqcore's own are `_id` (the canonical id string)
    and `_state`; no SDK class defines these names (tests/embedding checks).
    """

    STATUS_PRIORITY_ORDER: ClassVar[tuple[CircuitStatus, ...]] = STATUS_PRIORITY_ORDER
    #: The bit order of the counts a subclass is given (`set_counts`): upstream's default,
    #: BIG; a Qiskit job class sets LITTLE.
    endianness: ClassVar[Endian] = Endian.BIG

    def __init__(self, client: _C, job_id: uuid.UUID | str) -> None:
        self._id = canonical_id(job_id, "job_id")
        self._job_id = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(self._id)
        self._client = client
        self._state = JobState(self._id)

    # -- identity ------------------------------------------------------------------------

    def job_id(self) -> uuid.UUID:
        """The job's unique id."""
        return self._job_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JobHandle):
            return NotImplemented
        return self._job_id == other.job_id()

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

    # -- what others may ask -------------------------------------------------------------

    @classmethod
    def knowing(cls, client: _C, state: JobState) -> Self:
        """A handle of the job `state` names, read through `client`, knowing `state` (what
        a fetch, a search or a saved job gave): reading what it holds makes no request."""
        handle = cls(client, state.job_id)
        handle.learn(state)
        return handle

    @classmethod
    def load(cls, client: _C, data: bytes | str) -> Self:
        """A job restored from `dump()`'s bytes, read through `client` (no request).

        Raises:
            ValueError: `data` is not a saved job; the message says where it is wrong.
        """
        return cls.knowing(client, restored(data))

    @property
    def client(self) -> _C:
        """The client this job reads through (upstream's `_client`)."""
        return self._client

    @property
    def known(self) -> JobState:
        """What this handle knows of its job, without a request: its id, and the statuses
        and data its last fetch gave (`statuses` None before any fetch). Another handle of
        the same job takes it in with `learn`. Its type, `JobState`, is the engine's
        (`sqcore.engine.effects`, a private module): pass it between handles, as sqcore's
        own waits do, rather than build one."""
        return self._state

    def learn(self, state: JobState) -> None:
        """Takes in what a fetch of this job said: `known` becomes `state` (its data, if
        kept, replaces any read before). A wait over many jobs tells every handle of each
        job it polled, so that all of them see what it learned.

        Raises:
            ValueError: `state` is another job's.
        """
        if state.job_id != self._id:
            raise ValueError(f"job {self._id} cannot learn the state of job {state.job_id}")
        self._state = state

    # -- the cache -----------------------------------------------------------------------

    @property
    def _overall_status(self) -> CircuitStatus:
        """The overall status the last fetch gave (upstream's cached value): no request.
        RECEIVED before any fetch, and for a job without circuits, as upstream."""
        return overall_status(self._state.statuses or ())

    def _settled(self) -> tuple[CircuitStatus, ...] | None:
        """The cached statuses when they are final (every circuit terminal: no request is
        ever needed again), else None."""
        return self._state.statuses if jobs.is_settled(self._state) else None

    def _refreshing(self) -> Step[Result[JobState, Fault]]:
        """The refresh of this job (its statuses, its JSON kept for its data)."""
        return jobs.refresh(self._client.session, self._id)

    def _holds_data(self) -> bool:
        """Whether the cache can give the data without a request."""
        return self._state.data is not None or self._state.reply is not None

    def _decoded(self) -> JobData:
        """The cached data, decoded on first read (the cache must hold it).

        Raises:
            SuperstaqException: The data cannot be read (the message names job and path).
        """
        self._state = value_of(jobs.decoded(self._client.session, self._state))
        assert self._state.data is not None
        return self._state.data

    def _plain(self, data: JobData) -> dict[str, object]:
        """`data` by field name, as upstream's `JobData.model_dump()` gives it: enum fields
        as their members, every list and dict a fresh copy."""
        return {name: _copied(getattr(data, name)) for name in data.__struct_fields__}

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
            shown = "failed" if summary is None else self._client.session.redact(summary)
            raise SuperstaqUnsuccessfulJobException(self._id, shown)

    # -- the waits, for both shells --------------------------------------------------------

    def wait_until_terminal_state(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float | Backoff = 5,
        check_until_compiled: bool = False,
        on_progress: OnProgress | None = None,
    ) -> _NoneOrAwaitable:
        """Waits until the job (or circuit `index`) is terminal, or compiled (in
        `sqcore.aio`, awaited; cancelling the awaiting task ends it at once).

        Args:
            index: Wait only for this circuit.
            timeout_seconds: Wall-clock seconds to wait in all, request time included; None
                means the client's `max_retry_seconds`; 0 means one status check, no wait.
            polling_seconds: Seconds between status checks (>= 0; below 0.1, 0.1 with a
                `SuperstaqWarning`), or a `Backoff`.
            check_until_compiled: Stop once the status is in `TERMINAL_COMPILE_STATES` (the
                circuits are compiled), as upstream (0.5.67) does.
            on_progress: Called once per check with a `Progress` of the circuits.

        Raises:
            ValueError, TypeError: A bad `timeout_seconds`, `polling_seconds` or `index`.
            IndexError: `index` is out of range.
            TimeoutError: Not there at the deadline: "Timed out while waiting for results.
                Final status was '<status>'."
        """
        plan = jobs.wait_plan(
            timeout_seconds,
            self._client.max_retry_seconds,
            polling_seconds,
            index=index,
            check_until_compiled=check_until_compiled,
        )
        return self._waited(jobs.wait(self._client.session, self._state, plan), on_progress)

    def wait_until_complete(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float | Backoff = 5,
        on_progress: OnProgress | None = None,
    ) -> _NoneOrAwaitable:
        """Waits until the job (or circuit `index`) is terminal: `wait_until_terminal_state`
        without `check_until_compiled` (the name upstream had before 0.5.67)."""
        return self.wait_until_terminal_state(
            index, timeout_seconds, polling_seconds, False, on_progress
        )

    def _waited(
        self, wait: Step[Result[None, Fault]], on_progress: OnProgress | None
    ) -> _NoneOrAwaitable:
        """Runs a wait on this job, taking in each state it fetches (the shell's driver)."""
        raise NotImplementedError

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
        if state.statuses is None:
            return _encoder.encode(_Saved(_SAVE_FORMAT, self._job_id))
        data = state.data
        if data is None and state.reply is not None:
            read = parse_fetch_reply(state.reply, (self._id,))
            data = read.map(lambda found: found.jobs.get(self._id)).value_or(None)
        document = _NULL if data is None else msgspec.Raw(_encoder.encode(data))
        return _encoder.encode(_Saved(_SAVE_FORMAT, self._job_id, list(state.statuses), document))


def restored(data: bytes | str) -> JobState:
    """A job saved by `JobHandle.dump`: its state (`Job.load` and `AsyncJob.load` make the
    handle and have it `learn` the state).

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
    job_id = str(saved.job_id)
    if saved.statuses is None:
        return JobState(job_id)
    statuses = tuple(saved.statuses)
    document = bytes(saved.data)
    if document == b"null":
        return JobState(job_id, statuses)
    _check_agreement(job_id, statuses, document)
    # The saved data, as a reply of one job: decoded (and checked) when it is first read.
    return JobState(job_id, statuses, one_job_reply(job_id, document))


def _check_agreement(job_id: str, statuses: tuple[CircuitStatus, ...], document: bytes) -> None:
    """Refuses saved data that is not a job's data (`dump()` never writes it; read later, it
    would be blamed on a server that never sent it), and saved statuses that disagree with
    the data (an edited save would otherwise answer `status()` from the one and `job_data`
    from the other).

    Raises:
        ValueError: The data is not a job's (the wrong or missing value named by path), or
            its statuses are not the saved ones, or their count is not its `num_circuits`.
    """
    decoded = decode_job(job_id, document)
    if not is_successful(decoded):
        failure = decoded.failure()
        where = f"$.data{failure.path[1:]}"
        raise ValueError(f"not a saved sqcore job: {failure.message} (at {where})")
    data = decoded.unwrap()
    if tuple(data.statuses) != statuses:
        raise ValueError(
            f"not a saved sqcore job: its statuses ({_names(statuses)}, at $.statuses) are not "
            f"those of its data ({_names(data.statuses)}, at $.data.statuses)"
        )
    if data.num_circuits != len(statuses):
        raise ValueError(
            f"not a saved sqcore job: it has {len(statuses)} statuses (at $.statuses) for "
            f"{data.num_circuits} circuits (at $.data.num_circuits)"
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
