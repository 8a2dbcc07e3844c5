"""Round trips across the two independent halves of the wire: the emulator writes a reply from
its own definitions (transports/emulator), sqcore's decoder reads it back, and every value
survives. Neither side imports the other's schema, so a field one of them gets wrong shows."""

from __future__ import annotations

import datetime
import enum

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore._models import CircuitStatus, JobData
from sqcore._wire import parse_cancel_reply, parse_fetch_reply
from tests.fakes import EPOCH, FakeClock
from transports.emulator import API_VERSION, Emulator

AUTH = {"Authorization": "any-key"}
FETCH = f"/{API_VERSION}/client/job"
CANCEL = f"/{API_VERSION}/client/cancel_jobs"
UPSTREAM_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # what upstream's pydantic models write

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


class JobArgs(msgspec.Struct, frozen=True):
    """The arguments of one `Emulator.create_job` call."""

    num_circuits: int
    target: str
    shots: int
    durations: tuple[float, ...]
    fail: dict[int, str]
    tags: tuple[str, ...]
    metadata: dict[str, object]
    job_type: str | None
    num_qubits: int
    circuit_type: str
    dry_run: bool
    warn: str | None


@st.composite
def job_args(draw: st.DrawFn) -> JobArgs:
    n = draw(st.integers(1, 4))
    return JobArgs(
        num_circuits=n,
        target=draw(st.sampled_from(["ss_unconstrained_simulator", "ibmq_brisbane_qpu", "t"])),
        shots=draw(st.integers(0, 10**5)),
        durations=tuple(draw(st.lists(st.floats(0, 50), min_size=n, max_size=n))),
        fail=draw(st.dictionaries(st.integers(0, n - 1), st.text(max_size=12), max_size=n)),
        tags=tuple(draw(st.lists(st.text(max_size=8), max_size=3))),
        metadata=draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
        job_type=draw(st.none() | st.sampled_from(["submit", "simulate", "compile", "convert"])),
        num_qubits=draw(st.integers(1, 9)),
        circuit_type=draw(st.sampled_from(["cirq", "qiskit", "qasm"])),
        dry_run=draw(st.booleans()),
        warn=draw(st.none() | st.text(max_size=12)),
    )


def _create(emu: Emulator, args: JobArgs) -> str:
    return emu.create_job(
        num_circuits=args.num_circuits,
        target=args.target,
        shots=args.shots,
        durations=args.durations,
        fail=args.fail,
        tags=args.tags,
        metadata=args.metadata,
        job_type=args.job_type,
        num_qubits=args.num_qubits,
        circuit_type=args.circuit_type,
        dry_run=args.dry_run,
        warn=args.warn,
    )


def _get(emu: Emulator, circuit_type: str, job_ids: list[str]) -> bytes:
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    status, _, body = emu.handle("GET", f"{FETCH}/{circuit_type}?{query}", AUTH, None)
    assert status == 200, body
    return body


def _as_object(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def _plain(value: object) -> object:
    """A decoded value in JSON's terms: enums as their values, dict keys as strings."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _instant(text: object) -> datetime.datetime | None:
    if text is None:
        return None
    assert isinstance(text, str)
    moment = datetime.datetime.strptime(text, UPSTREAM_TIMESTAMP)
    return moment.replace(tzinfo=datetime.timezone.utc)


_TIMESTAMP_FIELDS = ("submission_timestamp", "last_updated_timestamp")


def _assert_same_values(data: JobData, written: dict[str, object]) -> None:
    """Every field the emulator wrote decodes to the value it wrote, and nothing is missing."""
    assert set(written) == set(JobData.__struct_fields__)
    for name, value in written.items():
        decoded = getattr(data, name)
        if name == "submission_timestamp":
            assert decoded == _instant(value), name
        elif name == "last_updated_timestamp":
            assert isinstance(value, list)
            assert decoded == [_instant(item) for item in value], name
        else:
            assert _plain(decoded) == value, name


@settings(max_examples=60, deadline=None)
@given(
    args=job_args(),
    before_cancel=st.floats(0, 60),
    cancel=st.booleans(),
    after_cancel=st.floats(0, 60),
)
def test_a_job_the_emulator_writes_decodes_to_the_same_values(
    args: JobArgs, before_cancel: float, cancel: bool, after_cancel: float
) -> None:
    clock = FakeClock()
    emu = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    created_at = clock.now
    job_id = _create(emu, args)
    clock.advance(before_cancel)
    if cancel:
        open_at_cancel = any(clock.now < created_at + d for d in args.durations)
        status, _, reply = emu.handle(
            "PUT", CANCEL, AUTH, msgspec.json.encode({"job_id": [job_id]})
        )
        assert status == 200
        assert parse_cancel_reply(reply).unwrap().succeeded == ((job_id,) if open_at_cancel else ())
        clock.advance(after_cancel)

    body = _get(emu, args.circuit_type, [job_id])
    result = parse_fetch_reply(body, [job_id])
    assert is_successful(result), result
    data = result.unwrap().jobs[job_id]
    written = _as_object(_as_object(msgspec.json.decode(body))[job_id])
    _assert_same_values(data, written)

    # And against what the job was created with, independently of both decoders.
    assert data.num_circuits == args.num_circuits == len(data.statuses)
    assert data.shots == [args.shots] * args.num_circuits
    assert data.target == args.target
    assert data.circuit_type.value == args.circuit_type
    assert data.dry_run is args.dry_run
    assert tuple(data.tags) == args.tags
    assert data.metadata == args.metadata
    assert data.submission_timestamp == datetime.datetime.fromtimestamp(
        EPOCH + created_at, tz=datetime.timezone.utc
    )
    for index, status_ in enumerate(data.statuses):
        if status_ is CircuitStatus.FAILED:
            assert data.status_messages[index] == args.fail[index]
        if status_ is CircuitStatus.COMPLETED:
            counts = data.counts[index]
            assert counts is not None and sum(counts.values()) == args.shots
    expected_warnings = () if args.warn is None else (args.warn,)
    assert result.unwrap().warnings == expected_warnings


@settings(max_examples=30, deadline=None)
@given(jobs=st.lists(job_args(), min_size=1, max_size=4), elapsed=st.floats(0, 60))
def test_a_batch_reply_decodes_every_job_and_warning_in_order(
    jobs: list[JobArgs], elapsed: float
) -> None:
    clock = FakeClock()
    emu = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    ids = [_create(emu, args) for args in jobs]
    clock.advance(elapsed)
    body = _get(emu, "cirq", ids)
    result = parse_fetch_reply(body, ids).unwrap()
    assert list(result.jobs) == ids
    written = _as_object(msgspec.json.decode(body))
    for job_id in ids:
        _assert_same_values(result.jobs[job_id], _as_object(written[job_id]))
    assert result.warnings == tuple(args.warn for args in jobs if args.warn is not None)
