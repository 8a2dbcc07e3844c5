"""cirq-superstaq's side of tests/embedding: `css.JobV3` on sqcore and as installed, and
cirq circuits (importing this skips the test module, or fails it where SDKs are required,
when cirq-superstaq is not installed)."""

from __future__ import annotations

from sqcore import Job
from tests.embedding.rebase import on_sqcore
from tests.embedding.sdks import COMMON_READS, SdkJob, calls, sdk

cirq = sdk("cirq")
css = sdk("cirq_superstaq")

Q0, Q1 = cirq.LineQubit.range(2)

CIRQ = SdkJob(
    ours=on_sqcore(css.JobV3, Job),
    theirs=css.JobV3,
    serialize=css.serialize_circuits,
    circuit_type="cirq",
    circuits={
        "bell": cirq.Circuit(cirq.H(Q0), cirq.CNOT(Q0, Q1), cirq.measure(Q0, Q1, key="m")),
        "unmeasured": cirq.Circuit(cirq.H(Q0), cirq.CNOT(Q0, Q1)),
        "one_bit": cirq.Circuit(cirq.X(Q0), cirq.measure(Q0, key="m")),
        "mid_measured": cirq.Circuit(
            cirq.measure(Q0, key="a"), cirq.X(Q0), cirq.measure(Q1, key="b")
        ),
    },
    reads=[
        *COMMON_READS,
        *calls("counts", "combined_counts", "repetitions", "num_qubits", counts=[0, 1]),
        *calls(num_qubits=[0, 1]),
        ("counts", (), {"qubit_indices": [0]}),
        ("counts", (1,), {"qubit_indices": [1]}),
        ("combined_counts", (), {"qubit_indices": [1]}),
    ],
    counts_reads=calls("counts", "combined_counts", "to_dict"),
)
