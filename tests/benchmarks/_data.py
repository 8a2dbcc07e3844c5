"""Realistic reply bodies, built through upstream's own models.

Each job is a `general_superstaq.models.JobData` dumped with `model_dump(mode="json")`, then
written as compact JSON (as the API's JSON responses are): counts over all 32 bitstrings of
5 qubits, per-circuit timestamps, qubit maps, cirq-JSON circuits of about 2 KB (input and
compiled), provider ids, tags and metadata. Everything is seeded, so a run is reproducible.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Mapping, Sequence

from tests.benchmarks import _upstream

__all__ = [
    "NUM_QUBITS",
    "circuit_json",
    "counts_over_all_bitstrings",
    "job_bytes",
    "job_ids",
    "job_json",
    "reply_body",
    "staggered",
]

NUM_QUBITS = 5
SHOTS = 1000
_EMPTY_CIRCUIT = '{"cirq_type": "Circuit", "moments": []}'
_GATES = ("XPowGate", "YPowGate", "ZPowGate", "HPowGate", "CZPowGate", "CXPowGate")
_SUBMITTED = datetime.datetime(2026, 3, 2, 14, 7, 31, 123456, tzinfo=datetime.timezone.utc)


def job_ids(count: int, seed: int = 0) -> list[str]:
    """`count` distinct, seeded uuid4 strings."""
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def circuit_json(seed: int, chars: int = 2048) -> str:
    """A cirq JSON circuit of at least `chars` characters (0: the empty circuit)."""
    if chars <= 0:
        return _EMPTY_CIRCUIT
    rng = random.Random(seed)
    moments: list[object] = []
    while True:
        gate = rng.choice(_GATES)
        width = 2 if gate in ("CZPowGate", "CXPowGate") else 1
        qubits = rng.sample(range(NUM_QUBITS), width)
        moments.append(
            {
                "cirq_type": "Moment",
                "operations": [
                    {
                        "cirq_type": "GateOperation",
                        "gate": {
                            "cirq_type": gate,
                            "exponent": round(rng.random(), 6),
                            "global_shift": 0.0,
                        },
                        "qubits": [{"cirq_type": "LineQubit", "x": q} for q in qubits],
                    }
                ],
            }
        )
        text = json.dumps({"cirq_type": "Circuit", "moments": moments})
        if len(text) >= chars:
            return text


def counts_over_all_bitstrings(seed: int, shots: int = SHOTS) -> dict[str, int]:
    """Counts over every bitstring of `NUM_QUBITS` qubits (each seen at least once)."""
    rng = random.Random(seed)
    keys = [format(value, f"0{NUM_QUBITS}b") for value in range(2**NUM_QUBITS)]
    weights = [rng.random() + (8.0 if key in ("00000", "11111") else 0.0) for key in keys]
    spare = shots - len(keys)
    total = sum(weights)
    counts = {
        key: 1 + int(spare * weight / total) for key, weight in zip(keys, weights, strict=True)
    }
    counts[keys[0]] += shots - sum(counts.values())
    return counts


def _qubits_json(qubits: Sequence[int]) -> str:
    return json.dumps([{"cirq_type": "LineQubit", "x": q} for q in qubits])


def job_json(
    num_circuits: int,
    seed: int,
    *,
    circuit_chars: int = 2048,
    open_circuits: int | None = None,
) -> object:
    """One job's data as upstream's `JobData(...).model_dump(mode="json")` gives it.

    Args:
        num_circuits: How many circuits.
        seed: Seeds every value.
        circuit_chars: The length of each input and compiled circuit (0: empty circuits).
        open_circuits: How many of the last circuits are still "running" (no counts yet);
            None means a tenth of them, rounded down.
    """
    models = _upstream.models()
    rng = random.Random(seed)
    still_open = num_circuits // 10 if open_circuits is None else open_circuits
    done = num_circuits - still_open
    initial = {q: q for q in range(NUM_QUBITS)}
    final_maps = []
    for _ in range(num_circuits):
        physical = rng.sample(range(127), NUM_QUBITS)
        final_maps.append(dict(enumerate(physical)))
    data = models.JobData(
        job_type=models.JobType.SUBMIT,
        statuses=[
            models.CircuitStatus.COMPLETED if i < done else models.CircuitStatus.RUNNING
            for i in range(num_circuits)
        ],
        status_messages=[None] * num_circuits,
        user_email="ada.lovelace@example.com",
        target="ibmq_brisbane_qpu",
        provider_id=[f"d{rng.getrandbits(76):019x}" for _ in range(num_circuits)],
        num_circuits=num_circuits,
        compiled_circuits=[
            circuit_json(seed * 100_003 + 2 * i + 1, circuit_chars) for i in range(num_circuits)
        ],
        input_circuits=[
            circuit_json(seed * 100_003 + 2 * i, circuit_chars) for i in range(num_circuits)
        ],
        circuit_type=models.CircuitType.CIRQ,
        counts=[
            counts_over_all_bitstrings(seed * 100_003 + i) if i < done else None
            for i in range(num_circuits)
        ],
        results_dicts=[None] * num_circuits,
        shots=[SHOTS] * num_circuits,
        dry_run=False,
        submission_timestamp=_SUBMITTED + datetime.timedelta(seconds=seed),
        last_updated_timestamp=[
            _SUBMITTED
            + datetime.timedelta(seconds=seed + 2.5 * i, microseconds=rng.randrange(10**6))
            for i in range(num_circuits)
        ],
        initial_logical_to_physicals=[dict(initial) for _ in range(num_circuits)],
        final_logical_to_physicals=final_maps,
        logical_qubits=[_qubits_json(range(NUM_QUBITS)) for _ in range(num_circuits)],
        physical_qubits=[_qubits_json(list(final_maps[i].values())) for i in range(num_circuits)],
        tags=["bench", f"batch-{seed % 7}"],
        metadata={"experiment": "randomized-benchmarking", "seed": seed, "depth": 24},
    )
    dumped: object = data.model_dump(mode="json")
    return dumped


def job_bytes(num_circuits: int, seed: int, **options: int) -> bytes:
    """One job's JSON as compact bytes (the value under its id in a fetch reply); `options`
    are `job_json`'s."""
    return json.dumps(job_json(num_circuits, seed, **options), separators=(",", ":")).encode()


def reply_body(jobs: Mapping[str, object]) -> bytes:
    """The fetch reply for `jobs` (job id -> job JSON), as compact JSON bytes."""
    return json.dumps(dict(jobs), separators=(",", ":")).encode()


def staggered(count: int, spread_seconds: float, seed: int) -> list[list[float]]:
    """Durations of `count` one-circuit jobs, spread evenly over (0, spread_seconds] and
    shuffled (seeded): jobs finish in an order unrelated to the order they were submitted
    in, as real jobs of different sizes do."""
    values = [spread_seconds * (i + 1) / count for i in range(count)]
    random.Random(seed).shuffle(values)
    return [[value] for value in values]
