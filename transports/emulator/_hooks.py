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
    input_circuits: Sequence[str] | None = None,
    compiled_circuits: Sequence[str | None] | None = None,
    counts: Sequence[Mapping[str, int | float] | None] | None = None,
) -> HookJob:
    """Checks the arguments of `Emulator.create_job` (documented there) and makes the job's parts.

    Raises:
        ValueError: An argument is out of range, a per-circuit list has not one entry per
            circuit, or `job_id` is not a UUID.
        TypeError: `tags` is a bare string, `metadata` is not JSON-serializable, or a
            circuit or counts entry is of the wrong type.
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
    default = default_input_circuit(circuit_type, num_qubits)
    inputs = [
        default if given is None else given
        for given in _circuits("input_circuits", input_circuits, num_circuits, optional=False)
    ]
    compiled = _circuits("compiled_circuits", compiled_circuits, num_circuits, optional=True)
    scripted = _counts(counts, num_circuits)
    specs = tuple(
        msgspec.structs.replace(spec, compiled_circuit=compiled[index], counts=scripted[index])
        for index, spec in enumerate(circuit_specs(inputs, seconds, shots, failures))
    )
    return HookJob(
        job_id=canonical,
        job_type=resolved_type,
        circuits=specs,
        tags=tuple(tags),
        metadata_json=metadata_json,
    )


def _one_each(name: str, values: Sequence[object], count: int) -> list[object]:
    """`values` checked to hold one entry per circuit."""
    if isinstance(values, (str, bytes)) or len(values) != count:
        raise ValueError(f"{name} must hold one entry per circuit ({count})")
    return list(values)


def _circuits(
    name: str, values: Sequence[str | None] | None, count: int, *, optional: bool
) -> list[str | None]:
    """Serialized circuits, one per circuit (None where `optional`); no list: None each."""
    if values is None:
        return [None] * count
    checked: list[str | None] = []
    for index, value in enumerate(_one_each(name, values, count)):
        if not (isinstance(value, str) or (optional and value is None)):
            raise TypeError(f"{name}[{index}] must be a str, not {type(value).__name__}")
        checked.append(value)
    return checked


def _counts(
    values: Sequence[Mapping[str, int | float] | None] | None, count: int
) -> list[tuple[tuple[str, int | float], ...] | None]:
    """Counts, one mapping (or None: seeded ones) per circuit, as (bitstring, count) pairs."""
    if values is None:
        return [None] * count
    checked: list[tuple[tuple[str, int | float], ...] | None] = []
    for index, counts in enumerate(_one_each("counts", values, count)):
        if counts is None:
            checked.append(None)
            continue
        if not isinstance(counts, Mapping):
            raise TypeError(f"counts[{index}] must be a mapping, not {type(counts).__name__}")
        pairs: list[tuple[str, int | float]] = []
        for bits, value in counts.items():
            if not isinstance(bits, str):
                raise TypeError(f"counts[{index}]: the key {bits!r} is not a str")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"counts[{index}][{bits!r}] must be a number")
            pairs.append((bits, value))
        checked.append(tuple(pairs))
    return checked
