"""Pure: the emulator's job model and schedule, as data and functions of time.

A job's state is a function of three values: its definition (`JobSpec`), the instant it was
cancelled (if it was), and `now`. Nothing here reads a clock, draws a random number or does
I/O; callers pass the times in (monotonic seconds for the schedule, epoch seconds only for
the timestamps written into replies). How a job looks in a fetch reply is `_view`.

Rules this module keeps (checked by the property tests in `tests/emulator/`):
- Each job type has a pipeline: an ordered tuple of open stages, then a terminal status.
  Circuit `i` of a job created at `t0`, with duration `d_i`, is in open stage `k` of `n`
  while `now - t0` is in `[d_i * k / n, d_i * (k + 1) / n)`, and terminal ("completed", or
  "failed" when it was given a failure message) from `now >= t0 + d_i` on; a duration of 0
  is terminal at once.
- So statuses only move forward along the pipeline, and every circuit is terminal from
  `t0 + d_i` on.
- A cancel at `c` turns every circuit still open at `c` (`c < t0 + d_i`) into "cancelled"
  from `c` on, and never changes it again; circuits terminal at `c` keep their status.
  Before `c` a cancelled job looks exactly like an uncancelled one.
- A query (`JobFilter`, upstream's `JobQuery`) matches a job when, for every field given,
  the job matches one of its values (`job_matches`): values of one field OR, fields AND.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence

import msgspec

__all__ = [
    "CANCEL_MESSAGE",
    "CIRCUIT_STATUSES",
    "CIRCUIT_TYPES",
    "COMPLETED",
    "EMULATOR_EMAIL",
    "JOB_TYPES",
    "PIPELINES",
    "CircuitSpec",
    "CircuitState",
    "Job",
    "JobFilter",
    "JobSpec",
    "Pipeline",
    "Stage",
    "cancel_job",
    "circuit_specs",
    "circuit_state",
    "circuit_states",
    "completion_time",
    "default_durations",
    "default_input_circuit",
    "durations_for",
    "is_open",
    "job_matches",
    "pipeline_for",
]


_CANCELLED = "cancelled"
_FAILED = "failed"
#: The status of a circuit that ran to the end.
COMPLETED = "completed"
_TERMINAL_STATUSES: frozenset[str] = frozenset({COMPLETED, _FAILED, _CANCELLED})


class Stage(msgspec.Struct, frozen=True):
    """One status a circuit can be in, with what exists for it at that point.

    Attributes:
        status: The wire value of the status (`"received"`, `"compiling"`, ...).
        compiled: Whether the compiled circuit, qubit mappings and qubit lists exist yet.
        submitted: Whether the circuit has a provider-side id yet.
    """

    status: str
    compiled: bool = False
    submitted: bool = False


class Pipeline(msgspec.Struct, frozen=True):
    """The stages a circuit of one job type goes through.

    Attributes:
        job_type: The job type this pipeline is for.
        stages: The open (non-terminal) stages, in order.
        completed: The stage a successful circuit ends in.
    """

    job_type: str
    stages: tuple[Stage, ...]
    completed: Stage


#: The pipelines, one per job type (upstream `JobType`). A provider id appears from "running"
#: on (the shape upstream's replies show: "pending" circuits carry none yet).
PIPELINES: tuple[Pipeline, ...] = (
    Pipeline(
        "submit",
        (
            Stage("received"),
            Stage("awaiting_compile"),
            Stage("compiling"),
            Stage("awaiting_submission", compiled=True),
            Stage("pending", compiled=True),
            Stage("running", compiled=True, submitted=True),
        ),
        Stage(COMPLETED, compiled=True, submitted=True),
    ),
    Pipeline(
        "simulate",
        (
            Stage("received"),
            Stage("awaiting_simulation"),
            Stage("simulating", compiled=True),
        ),
        Stage(COMPLETED, compiled=True),
    ),
    Pipeline(
        "compile",
        (Stage("received"), Stage("awaiting_compile"), Stage("compiling")),
        Stage(COMPLETED, compiled=True),
    ),
    Pipeline(
        "convert",
        (Stage("received"), Stage("compiling")),
        Stage(COMPLETED, compiled=True),
    ),
)

#: Upstream `JobType` values.
JOB_TYPES: tuple[str, ...] = tuple(pipeline.job_type for pipeline in PIPELINES)

#: Upstream `CircuitType` values.
CIRCUIT_TYPES: tuple[str, ...] = ("cirq", "qiskit", "qasm", "jaqal")

#: Upstream `CircuitStatus` values: every status a query may ask for (the schedule reaches
#: some of them only).
CIRCUIT_STATUSES: tuple[str, ...] = (
    "received",
    "awaiting_compile",
    "awaiting_submission",
    "awaiting_simulation",
    "compiling",
    "running",
    "simulating",
    "pending",
    "failed",
    "unrecognized",
    "completed",
    "cancelled",
    "deleted",
)

#: The status message of a circuit cancelled by a cancel request.
CANCEL_MESSAGE = "Cancelled by user."

#: The user every emulated job belongs to.
EMULATOR_EMAIL = "emulator@example.com"


def pipeline_for(job_type: str) -> Pipeline:
    """Returns the pipeline of `job_type`.

    Raises:
        ValueError: `job_type` is not one of `JOB_TYPES`.
    """
    for pipeline in PIPELINES:
        if pipeline.job_type == job_type:
            return pipeline
    raise ValueError(f"unknown job type {job_type!r}; expected one of {', '.join(JOB_TYPES)}")


class CircuitSpec(msgspec.Struct, frozen=True):
    """How one circuit of an emulated job behaves.

    Attributes:
        input_circuit: The circuit as the client serialized it.
        duration_seconds: Seconds from the job's creation to this circuit's terminal status.
        shots: The number of shots.
        failure: None to complete; else the status message the circuit fails with.
        compiled_circuit: The compiled circuit served once the circuit is compiled; None
            serves the input circuit.
        counts: The counts served once the circuit is completed, as (bitstring, count)
            pairs; None serves seeded counts (`_view.counts_for`).
    """

    input_circuit: str
    duration_seconds: float
    shots: int
    failure: str | None = None
    compiled_circuit: str | None = None
    counts: tuple[tuple[str, int | float], ...] | None = None


class JobSpec(msgspec.Struct, frozen=True):
    """Everything that defines an emulated job; its state follows from this and the time.

    The last four attributes are kept as `POST /client/job` gave them (upstream `NewJob`):
    the schedule and the fetch reply do not depend on them (a query reads `priority`).

    Attributes:
        job_id: The job id (a canonical UUID string).
        job_type: One of `JOB_TYPES`.
        target: The target name.
        circuit_type: One of `CIRCUIT_TYPES`.
        circuits: One spec per circuit, in order.
        num_qubits: The width of the bitstrings in the counts.
        created_at: Monotonic seconds at creation (drives the schedule).
        created_wall: Epoch seconds at creation (only for timestamps in replies).
        seed: Seeds the counts.
        dry_run: The job's dry-run flag.
        tags: The job's tags.
        metadata_json: The job's metadata, already encoded as a JSON object.
        warning: A warning to attach to fetch replies for this job, or None.
        user_email: The owner's email address.
        verbatim: The job's verbatim flag (skip compilation, upstream says).
        sim_method: "sim", "noise-sim" or None.
        priority: The priority the job was submitted with.
        options_json: The job's `options_dict`, encoded as a JSON object.
    """

    job_id: str
    job_type: str
    target: str
    circuit_type: str
    circuits: tuple[CircuitSpec, ...]
    num_qubits: int
    created_at: float
    created_wall: float
    seed: int = 0
    dry_run: bool = False
    tags: tuple[str, ...] = ()
    metadata_json: bytes = b"{}"
    warning: str | None = None
    user_email: str = EMULATOR_EMAIL
    verbatim: bool = False
    sim_method: str | None = None
    priority: int = 0
    options_json: bytes = b"{}"


class Job(msgspec.Struct, frozen=True):
    """An emulated job: its definition and, once cancelled, the monotonic cancel time.

    Attributes:
        spec: The job's definition.
        cancelled_at: Monotonic seconds of the cancel that closed it, or None.
    """

    spec: JobSpec
    cancelled_at: float | None = None


class CircuitState(msgspec.Struct, frozen=True):
    """One circuit's state at one instant.

    Attributes:
        status: The status wire value.
        message: The status message, or None.
        changed_at: Monotonic time of the last status change.
        rank: The position of `status` in the pipeline; every terminal status ranks
            `len(pipeline.stages)`.
        compiled: Whether compiled outputs exist.
        submitted: Whether a provider id exists.
    """

    status: str
    message: str | None
    changed_at: float
    rank: int
    compiled: bool
    submitted: bool

    @property
    def terminal(self) -> bool:
        """Whether the status is terminal."""
        return self.status in _TERMINAL_STATUSES


def default_durations(num_circuits: int) -> tuple[float, ...]:
    """Returns the default, staggered durations: 1.0 + 0.25 * i seconds for circuit i."""
    return tuple(1.0 + 0.25 * index for index in range(num_circuits))


def durations_for(durations: float | Sequence[float] | None, count: int) -> tuple[float, ...]:
    """Returns the durations of `count` circuits: the defaults for None, one number for all,
    or the given ones as they are (their number is the caller's to check)."""
    if durations is None:
        return default_durations(count)
    if isinstance(durations, (int, float)):
        return (float(durations),) * count
    return tuple(float(value) for value in durations)


def circuit_specs(
    inputs: Sequence[str], durations: Sequence[float], shots: int, failures: Mapping[int, str]
) -> tuple[CircuitSpec, ...]:
    """Returns one spec per input circuit: its duration, the shots, its failure message if any."""
    return tuple(
        CircuitSpec(circuit, durations[index], shots, failures.get(index))
        for index, circuit in enumerate(inputs)
    )


def default_input_circuit(circuit_type: str, num_qubits: int) -> str:
    """Returns a plausible serialized empty circuit of `circuit_type`."""
    if circuit_type == "cirq":
        return '{"cirq_type": "Circuit", "moments": []}'
    if circuit_type == "qasm":
        return f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{num_qubits}];\n'
    if circuit_type == "jaqal":
        return f"register q[{num_qubits}]\n"
    # Upstream sends Qiskit circuits as base64-encoded QPY; a short opaque stand-in.
    return "UUlTS0lUAA=="


def _stage_index(count: int, duration: float, elapsed: float) -> int:
    """Returns the open stage at `elapsed`, for `0 <= elapsed < duration`.

    `floor` of a monotone float expression is monotone in `elapsed`; the clamp guards the
    last stage against rounding up to `count` just below `duration`.
    """
    ratio = elapsed * count / duration
    return count - 1 if ratio >= count else max(0, math.floor(ratio))


def circuit_state(
    pipeline: Pipeline,
    circuit: CircuitSpec,
    created_at: float,
    now: float,
    cancelled_at: float | None = None,
) -> CircuitState:
    """Returns the state at monotonic time `now` of `circuit`, of a job created at `created_at`.

    Every comparison is between absolute instants (`now` against `created_at + duration`),
    so `completion_time` is exactly the first instant at which the circuit is terminal,
    free of the rounding in `now - created_at`.

    Invariants: the rank and `changed_at` never decrease as `now` grows; the state is
    terminal for `now >= created_at + circuit.duration_seconds`; with a cancel at
    `cancelled_at` the state before it is the uncancelled one, and from it on a circuit open
    at the cancel is "cancelled" with `changed_at == cancelled_at`, forever.

    Args:
        pipeline: The pipeline of the circuit's job type.
        circuit: The circuit's spec.
        created_at: Monotonic time of the job's creation.
        now: Monotonic time to evaluate at (times before `created_at` count as `created_at`).
        cancelled_at: Monotonic time of the job's cancel, or None.
    """
    now = max(now, created_at)
    duration = circuit.duration_seconds
    ends_at = created_at + duration
    count = len(pipeline.stages)
    if cancelled_at is not None and cancelled_at <= now:
        cancelled_at = max(cancelled_at, created_at)
        if cancelled_at < ends_at:
            frozen = pipeline.stages[_stage_index(count, duration, cancelled_at - created_at)]
            return CircuitState(
                _CANCELLED, CANCEL_MESSAGE, cancelled_at, count, frozen.compiled, frozen.submitted
            )
    if now >= ends_at:
        if circuit.failure is None:
            done = pipeline.completed
            return CircuitState(done.status, None, ends_at, count, done.compiled, done.submitted)
        last = pipeline.stages[-1]
        return CircuitState(_FAILED, circuit.failure, ends_at, count, last.compiled, last.submitted)
    index = _stage_index(count, duration, now - created_at)
    stage = pipeline.stages[index]
    changed_at = min(now, created_at + duration * index / count)
    return CircuitState(stage.status, None, changed_at, index, stage.compiled, stage.submitted)


def circuit_states(job: Job, now: float) -> tuple[CircuitState, ...]:
    """Returns the state of every circuit of `job` at monotonic time `now`."""
    spec = job.spec
    pipeline = pipeline_for(spec.job_type)
    return tuple(
        circuit_state(pipeline, circuit, spec.created_at, now, job.cancelled_at)
        for circuit in spec.circuits
    )


def is_open(job: Job, now: float) -> bool:
    """Whether any circuit of `job` is not terminal at `now`."""
    return any(not state.terminal for state in circuit_states(job, now))


def cancel_job(job: Job, now: float) -> Job | None:
    """Returns `job` cancelled at `now`, or None when no circuit is open at `now`.

    Terminal circuits keep their status; open ones become "cancelled" from `now` on.
    """
    if not is_open(job, now):
        return None
    return Job(job.spec, cancelled_at=max(now, job.spec.created_at))


def completion_time(job: Job, index: int) -> float:
    """Returns the monotonic time at which circuit `index` became (or becomes) terminal.

    Raises:
        IndexError: `index` is out of range.
    """
    spec = job.spec
    ends_at = spec.created_at + spec.circuits[index].duration_seconds
    if job.cancelled_at is not None and job.cancelled_at < ends_at:
        return job.cancelled_at
    return ends_at


class JobFilter(msgspec.Struct, frozen=True, kw_only=True):
    """A query over the job table: upstream's `JobQuery`, its values checked.

    An empty field (or None) does not filter. Attributes: `job_ids` (canonical UUIDs),
    `user_emails`, `targets`, `statuses` (values of `CIRCUIT_STATUSES`: a job matches when
    any circuit has one), `tags` (a job matches when it has any), `min_priority` and
    `max_priority` (inclusive), `submitted_after` and `submitted_before` (aware times: the
    job's submission time in `[submitted_after, submitted_before)`).
    """

    job_ids: tuple[str, ...] = ()
    user_emails: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    min_priority: int | None = None
    max_priority: int | None = None
    submitted_before: datetime.datetime | None = None
    submitted_after: datetime.datetime | None = None


def job_matches(job: Job, query: JobFilter, now: float) -> bool:
    """Whether `job`, as it is at monotonic time `now`, is one `query` finds.

    Invariant: True for every job when no field is given; otherwise True exactly when, for
    each field given, the job has one of its values (its statuses at `now`, its submission
    time as its `submission_timestamp` writes it).
    """
    spec = job.spec
    submitted = datetime.datetime.fromtimestamp(spec.created_wall, datetime.timezone.utc)
    return (
        (not query.job_ids or spec.job_id in query.job_ids)
        and (not query.user_emails or spec.user_email in query.user_emails)
        and (not query.targets or spec.target in query.targets)
        and (not query.tags or any(tag in query.tags for tag in spec.tags))
        and (query.min_priority is None or spec.priority >= query.min_priority)
        and (query.max_priority is None or spec.priority <= query.max_priority)
        and (query.submitted_after is None or submitted >= query.submitted_after)
        and (query.submitted_before is None or submitted < query.submitted_before)
        and (
            not query.statuses
            or any(state.status in query.statuses for state in circuit_states(job, now))
        )
    )
