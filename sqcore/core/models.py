"""Pure: the wire models (msgspec Structs and enums) and the status rules, as data.

The status rules are tables, not code: which circuit states are terminal, which are
unsuccessful, and the priority order that picks a job's overall status. They carry over
from upstream `general_superstaq.models` and `general_superstaq.job.Job`.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "STATUS_PRIORITY_ORDER",
    "TERMINAL_CIRCUIT_STATES",
    "TERMINAL_COMPILE_STATES",
    "UNSUCCESSFUL_CIRCUIT_STATES",
    "CancelReply",
    "CircuitStatus",
    "CircuitType",
    "CreateReply",
    "Endian",
    "JobData",
    "JobType",
    "ServerWarning",
    "is_known",
]


class CircuitStatus(str, enum.Enum):
    """The status of one circuit of a job (upstream's 13 values)."""

    RECEIVED = "received"
    AWAITING_COMPILE = "awaiting_compile"
    AWAITING_SUBMISSION = "awaiting_submission"
    AWAITING_SIMULATION = "awaiting_simulation"
    COMPILING = "compiling"
    RUNNING = "running"
    SIMULATING = "simulating"
    PENDING = "pending"
    FAILED = "failed"
    UNRECOGNIZED = "unrecognized"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DELETED = "deleted"

    @classmethod
    def _missing_(cls, value: object) -> CircuitStatus:
        # A status this client does not know yet is not an error: upstream treats
        # UNRECOGNIZED as terminal, and the decoder reports the unknown name as a warning.
        return cls.UNRECOGNIZED

    def __str__(self) -> str:
        return self.value


class _Listed(str, enum.Enum):
    """A str enum whose unknown values (a newer server's) read as stand-ins.

    A string the enum does not list becomes a member outside its list, named UNRECOGNIZED,
    that keeps the server's string, so a job whose `job_type` or `circuit_type` is newer
    than this client stays readable (the decoder warns, naming the value) and its data
    keeps, shows and saves what the server said; `list(JobType)` has only the known ones.
    Python's Enum returns whatever instance of the class `_missing_` gives (as `enum.Flag`
    does for its combined values), and msgspec's decoder calls `_missing_` too.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNRECOGNIZED"
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str.__str__(self)  # the string itself: the value


class JobType(_Listed):
    """The kind of work a job asks for.

    A value it does not list, from a newer server or from `JobType("...")`, is a stand-in
    member named UNRECOGNIZED that keeps the string (not a `ValueError`, as upstream's
    enum raises: it is what lets a job of a newer type be read). To check a value you were
    given, compare it with the listed ones: `value in {kind.value for kind in JobType}`.
    """

    SUBMIT = "submit"
    SIMULATE = "simulate"
    COMPILE = "compile"
    CONVERT = "convert"


class CircuitType(_Listed):
    """The circuit language a client speaks; it selects the fetch endpoint.

    A value it does not list is a stand-in named UNRECOGNIZED that keeps the string, as
    for `JobType` (check a value with `value in {kind.value for kind in CircuitType}`).
    """

    CIRQ = "cirq"
    QISKIT = "qiskit"
    QASM = "qasm"
    JAQAL = "jaqal"


def is_known(member: JobType | CircuitType) -> bool:
    """Whether `member` is one of its enum's listed members, not a stand-in for a value
    this client does not know.

    Invariant: True exactly for the members `list(type(member))` holds.
    """
    return any(member is known for known in type(member))


class Endian(str, enum.Enum):
    """The bit order of counts' bitstrings (upstream `general_superstaq.job.Endian`).

    BIG puts qubit 0 first (Cirq, Jaqal and most SDKs); LITTLE puts it last (Qiskit). A `Job`
    subclass whose `endianness` is LITTLE has the bitstrings given to `set_counts` reversed,
    as the server stores them big-endian.
    """

    BIG = "big"
    LITTLE = "little"

    def __str__(self) -> str:
        return self.value


#: States after which a circuit never changes again.
TERMINAL_CIRCUIT_STATES: frozenset[CircuitStatus] = frozenset(
    {
        CircuitStatus.COMPLETED,
        CircuitStatus.FAILED,
        CircuitStatus.CANCELLED,
        CircuitStatus.UNRECOGNIZED,
        CircuitStatus.DELETED,
    }
)

#: States in which a circuit has finished compiling (upstream since 0.5.67): waiting for or
#: in execution, or terminal. `wait_until_terminal_state(check_until_compiled=True)` stops
#: at them.
TERMINAL_COMPILE_STATES: frozenset[CircuitStatus] = TERMINAL_CIRCUIT_STATES | frozenset(
    {
        CircuitStatus.AWAITING_SIMULATION,
        CircuitStatus.AWAITING_SUBMISSION,
        CircuitStatus.RUNNING,
        CircuitStatus.SIMULATING,
        CircuitStatus.PENDING,
    }
)

#: Terminal states that produced no result.
UNSUCCESSFUL_CIRCUIT_STATES: frozenset[CircuitStatus] = frozenset(
    {CircuitStatus.CANCELLED, CircuitStatus.FAILED, CircuitStatus.DELETED}
)

#: A job's overall status is the first status in this order that any of its circuits has
#: (upstream `Job.STATUS_PRIORITY_ORDER`): work still to do outranks work done.
STATUS_PRIORITY_ORDER: tuple[CircuitStatus, ...] = (
    CircuitStatus.RECEIVED,
    CircuitStatus.AWAITING_COMPILE,
    CircuitStatus.AWAITING_SUBMISSION,
    CircuitStatus.AWAITING_SIMULATION,
    CircuitStatus.COMPILING,
    CircuitStatus.SIMULATING,
    CircuitStatus.RUNNING,
    CircuitStatus.PENDING,
    CircuitStatus.FAILED,
    CircuitStatus.CANCELLED,
    CircuitStatus.UNRECOGNIZED,
    CircuitStatus.COMPLETED,
    CircuitStatus.DELETED,
)


class JobData(msgspec.Struct, kw_only=True):
    """Everything the server knows about one job (upstream `general_superstaq.models.JobData`).

    Decoded straight from reply bytes; unknown extra fields are ignored. Per-circuit lists
    are indexed by circuit.
    """

    job_type: JobType
    statuses: list[CircuitStatus]
    status_messages: list[str | None]
    user_email: str
    target: str
    provider_id: list[str | None]
    num_circuits: int
    compiled_circuits: list[str | None]
    input_circuits: list[str]
    circuit_type: CircuitType
    counts: list[dict[str, int | float] | None]
    results_dicts: list[str | None]
    shots: list[int]
    dry_run: bool
    submission_timestamp: datetime.datetime
    last_updated_timestamp: list[datetime.datetime | None]
    initial_logical_to_physicals: list[dict[int, int] | None]
    final_logical_to_physicals: list[dict[int, int] | None]
    logical_qubits: list[str | None]
    physical_qubits: list[str | None]
    tags: list[str] = msgspec.field(default_factory=list)
    metadata: dict[str, object] = msgspec.field(default_factory=dict)


class ServerWarning(msgspec.Struct, frozen=True):
    """One entry of a reply's `"warnings"` list."""

    message: str


class CancelReply(msgspec.Struct, frozen=True):
    """The reply to `PUT client/cancel_jobs`."""

    succeeded: list[str]
    message: str


class CreateReply(msgspec.Struct, frozen=True):
    """The reply to `POST client/job` (upstream `NewJobResponse`)."""

    job_id: uuid.UUID
    num_circuits: int
