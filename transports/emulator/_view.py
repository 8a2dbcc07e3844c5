"""Pure: an emulated job as the fetch endpoint writes it, in the shape of upstream `JobData`.

Rules this module keeps (checked by the property tests in `tests/emulator/`):
- Every per-circuit column has one entry per circuit, and the statuses are the schedule's
  (`_state.circuit_states`) at the given instant.
- Compiled outputs (compiled circuit, qubit maps and lists) exist exactly for compiled
  circuits, provider ids exactly for submitted ones.
- Counts exist only for completed circuits; unless a circuit was given its own, they are
  a deterministic function of (seed, job id, circuit index, shots, qubits), sum to the
  shots and use `num_qubits`-bit strings.
"""

from __future__ import annotations

import datetime
import hashlib

import msgspec

from transports.emulator._state import COMPLETED, CircuitSpec, Job, circuit_states

__all__ = ["JobView", "counts_for", "format_timestamp", "job_view"]


def _bit_stream(seed: int, job_id: str, index: int, label: str, size: int) -> bytes:
    """Returns `size` deterministic pseudo-random bytes for (seed, job, circuit, label)."""
    key = f"{seed}\x00{job_id}\x00{index}\x00{label}".encode()
    return hashlib.shake_256(key).digest(size)


def _draw(seed: int, job_id: str, index: int, label: str, bound: int) -> int:
    """Returns a deterministic integer in `[0, bound)`."""
    return int.from_bytes(_bit_stream(seed, job_id, index, label, 8), "big") % bound


def _bitstring(seed: int, job_id: str, index: int, label: str, num_qubits: int) -> str:
    raw = _bit_stream(seed, job_id, index, label, (num_qubits + 7) // 8)
    value = int.from_bytes(raw, "big") >> (8 * len(raw) - num_qubits)
    return format(value, f"0{num_qubits}b")


def counts_for(seed: int, job_id: str, index: int, shots: int, num_qubits: int) -> dict[str, int]:
    """Returns the counts of a completed circuit: a Bell-like histogram with a little noise.

    Invariants: the values are positive and sum to `shots`; every key has `num_qubits` bits;
    the result depends only on the arguments.
    """
    weights: dict[str, int] = {}
    outcomes = (
        ("0" * num_qubits, 40 + _draw(seed, job_id, index, "w0", 21)),
        ("1" * num_qubits, 40 + _draw(seed, job_id, index, "w1", 21)),
        (_bitstring(seed, job_id, index, "n0", num_qubits), _draw(seed, job_id, index, "u0", 6)),
        (_bitstring(seed, job_id, index, "n1", num_qubits), _draw(seed, job_id, index, "u1", 4)),
    )
    for bits, weight in outcomes:
        weights[bits] = weights.get(bits, 0) + weight
    total = sum(weights.values())
    # Largest-remainder apportionment: exact total, deterministic tie-break by bitstring.
    floors = {bits: shots * weight // total for bits, weight in weights.items()}
    remainders = sorted(weights, key=lambda bits: (-(shots * weights[bits] % total), bits))
    for bits in remainders[: shots - sum(floors.values())]:
        floors[bits] += 1
    return {bits: floors[bits] for bits in sorted(floors) if floors[bits] > 0}


def _counts(
    seed: int, job_id: str, index: int, circuit: CircuitSpec, num_qubits: int
) -> dict[str, int | float]:
    """A completed circuit's counts: the ones it was given, else seeded ones."""
    if circuit.counts is not None:
        return dict(circuit.counts)
    return dict(counts_for(seed, job_id, index, circuit.shots, num_qubits))


def format_timestamp(epoch_seconds: float) -> str:
    """Returns `epoch_seconds` as ISO 8601 UTC with microseconds and a "Z" suffix."""
    moment = datetime.datetime.fromtimestamp(epoch_seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JobView(msgspec.Struct, frozen=True):
    """One job as the fetch endpoint returns it: the fields of upstream `JobData`, in order."""

    job_type: str
    statuses: tuple[str, ...]
    status_messages: tuple[str | None, ...]
    user_email: str
    target: str
    provider_id: tuple[str | None, ...]
    num_circuits: int
    compiled_circuits: tuple[str | None, ...]
    input_circuits: tuple[str, ...]
    circuit_type: str
    counts: tuple[dict[str, int | float] | None, ...]
    results_dicts: tuple[str | None, ...]
    shots: tuple[int, ...]
    dry_run: bool
    submission_timestamp: str
    last_updated_timestamp: tuple[str | None, ...]
    initial_logical_to_physicals: tuple[dict[str, int] | None, ...]
    final_logical_to_physicals: tuple[dict[str, int] | None, ...]
    logical_qubits: tuple[str | None, ...]
    physical_qubits: tuple[str | None, ...]
    tags: tuple[str, ...]
    metadata: msgspec.Raw


def _line_qubits(num_qubits: int) -> str:
    """Returns cirq's JSON for LineQubit(0..n-1), spaced as `cirq.to_json` writes it."""
    items = ", ".join(f'{{"cirq_type": "LineQubit", "x": {q}}}' for q in range(num_qubits))
    return f"[{items}]"


def job_view(job: Job, now: float) -> JobView:
    """Returns `job` at monotonic time `now` in the shape of upstream `JobData`.

    Compiled circuits, qubit mappings and qubit lists are null until a circuit is compiled
    (qubit lists are only given for cirq, as upstream documents); provider ids are null until
    the circuit runs; counts are given only for completed circuits.
    """
    spec = job.spec
    width = spec.num_qubits
    identity = {str(q): q for q in range(width)}
    reversed_map = {str(q): width - 1 - q for q in range(width)}
    qubits = _line_qubits(width) if spec.circuit_type == "cirq" else None
    views = tuple(
        (index, circuit, state)
        for index, (circuit, state) in enumerate(
            zip(spec.circuits, circuit_states(job, now), strict=True)
        )
    )
    return JobView(
        job_type=spec.job_type,
        statuses=tuple(state.status for _, _, state in views),
        status_messages=tuple(state.message for _, _, state in views),
        user_email=spec.user_email,
        target=spec.target,
        provider_id=tuple(
            f"emu-{spec.job_id[:8]}-{index}" if state.submitted else None
            for index, _, state in views
        ),
        num_circuits=len(spec.circuits),
        compiled_circuits=tuple(
            (
                circuit.input_circuit
                if circuit.compiled_circuit is None
                else circuit.compiled_circuit
            )
            if state.compiled
            else None
            for _, circuit, state in views
        ),
        input_circuits=tuple(circuit.input_circuit for circuit in spec.circuits),
        circuit_type=spec.circuit_type,
        counts=tuple(
            _counts(spec.seed, spec.job_id, index, circuit, width)
            if state.status == COMPLETED
            else None
            for index, circuit, state in views
        ),
        results_dicts=tuple(None for _ in views),
        shots=tuple(circuit.shots for circuit in spec.circuits),
        dry_run=spec.dry_run,
        submission_timestamp=format_timestamp(spec.created_wall),
        last_updated_timestamp=tuple(
            format_timestamp(spec.created_wall + (state.changed_at - spec.created_at))
            for _, _, state in views
        ),
        initial_logical_to_physicals=tuple(
            dict(identity) if state.compiled else None for _, _, state in views
        ),
        final_logical_to_physicals=tuple(
            dict(reversed_map) if state.compiled else None for _, _, state in views
        ),
        logical_qubits=tuple(qubits if state.compiled else None for _, _, state in views),
        physical_qubits=tuple(qubits if state.compiled else None for _, _, state in views),
        tags=spec.tags,
        metadata=msgspec.Raw(spec.metadata_json),
    )
