"""What only cirq-superstaq's `css.JobV3` does, on sqcore as on upstream's client: counts
seeded by the emulator, and a mid-circuit measurement (its terminal qubits refused). The
reads both SDKs share are in test_job_classes.py."""

from __future__ import annotations

from collections.abc import Callable

from tests.embedding.cirq_side import CIRQ
from tests.embedding.sdks import Pair, same


def test_seeded_counts_and_a_mid_circuit_measurement_answer_as_upstreams(
    both: Callable[..., Pair],
) -> None:
    circuits = CIRQ.circuits["bell"], CIRQ.circuits["mid_measured"]
    same(both(CIRQ, *circuits, durations=0, shots=50), CIRQ.reads)
