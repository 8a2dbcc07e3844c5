"""Pure: the arguments of the `Emulator.create_job` test hook, checked and made into a job's parts.

The hook is Python, not HTTP, so a bad argument raises (`ValueError`, or `TypeError` for a
value of the wrong kind) instead of becoming a 4xx reply; the bounds are the ones a posted
job has (`_bodies`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import msgspec

from transports.emulator._bodies import MAX_CIRCUITS, MAX_QUBITS, canonical_uuid
from transports.emulator._state import (
    CIRCUIT_TYPES,
    JOB_TYPES,
    CircuitSpec,
    circuit_specs,
    default_input_circuit,
    durations_for,
)

__all__ = ["HookJob", "hook_job"]


class HookJob(msgspec.Struct, frozen=True):
    """What the hook's arguments make of a job; the shell adds the id and the times.

    Attributes:
        job_id: The canonical id asked for, or None for a fresh one.
        job_type: One of `JOB_TYPES`.
        circuits: One spec per circuit.
        tags: The job's tags.
        metadata_json: The job's metadata, encoded as a JSON object.
    """

    job_id: str | None
    job_type: str
    circuits: tuple[CircuitSpec, ...]
    tags: tuple[str, ...]
    metadata_json: bytes


def hook_job(
    *,
    num_circuits: int,
    target: str,
    shots: int,
    durations: float | Sequence[float] | None,
    fail: Mapping[int, str] | None,
    tags: Sequence[str],
    metadata: Mapping[str, object] | None,
    job_type: str | None,
    num_qubits: int,
    job_id: str | None,
    circuit_type: str,
) -> HookJob:
    """Checks the arguments of `Emulator.create_job` (documented there) and makes the job's parts.

    Raises:
        ValueError: An argument is out of range, or `job_id` is not a UUID.
        TypeError: `tags` is a bare string or `metadata` is not JSON-serializable.
    """
    if not 1 <= num_circuits <= MAX_CIRCUITS:
        raise ValueError(f"num_circuits must be in 1..{MAX_CIRCUITS}, got {num_circuits}")
    if shots < 0:
        raise ValueError(f"shots must be >= 0, got {shots}")
    if not 1 <= num_qubits <= MAX_QUBITS:
        raise ValueError(f"num_qubits must be in 1..{MAX_QUBITS}, got {num_qubits}")
    if circuit_type not in CIRCUIT_TYPES:
        raise ValueError(f"circuit_type must be one of {CIRCUIT_TYPES}, got {circuit_type!r}")
    resolved_type = job_type or ("simulate" if target.endswith("_simulator") else "submit")
    if resolved_type not in JOB_TYPES:
        raise ValueError(f"job_type must be one of {JOB_TYPES}, got {job_type!r}")
    seconds = durations_for(durations, num_circuits)
    if len(seconds) != num_circuits:
        raise ValueError(f"expected {num_circuits} durations, got {len(seconds)}")
    if not all(math.isfinite(value) and value >= 0 for value in seconds):
        raise ValueError(f"durations must be finite and >= 0, got {seconds}")
    failures = dict(fail or {})
    bad = sorted(index for index in failures if not 0 <= index < num_circuits)
    if bad:
        raise ValueError(f"fail indexes {bad} out of range 0..{num_circuits - 1}")
    if isinstance(tags, str):
        raise TypeError("tags must be a sequence of strings, not a string")
    try:
        metadata_json = msgspec.json.encode(dict(metadata or {}))
    except (msgspec.EncodeError, TypeError) as error:
        raise TypeError(f"metadata is not JSON-serializable: {error}") from error
    canonical = None if job_id is None else canonical_uuid(job_id)
    if job_id is not None and canonical is None:
        raise ValueError(f"job_id must be a UUID string, got {job_id!r}")
    inputs = (default_input_circuit(circuit_type, num_qubits),) * num_circuits
    return HookJob(
        job_id=canonical,
        job_type=resolved_type,
        circuits=circuit_specs(inputs, seconds, shots, failures),
        tags=tuple(tags),
        metadata_json=metadata_json,
    )
