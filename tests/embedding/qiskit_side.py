"""qiskit-superstaq's side of tests/embedding: `qss.SuperstaqJobV3` (a qiskit `JobV1` too,
whose `status()` is qiskit's and whose counts are LITTLE-endian) on sqcore and as
installed, and qiskit circuits."""

from __future__ import annotations

from sqcore import Job
from tests.embedding.rebase import on_sqcore
from tests.embedding.sdks import COMMON_READS, SdkJob, calls, sdk

qiskit = sdk("qiskit")
qss = sdk("qiskit_superstaq")


def _circuit(qubits: int, clbits: int, measured: list[tuple[int, int]]) -> object:
    circuit = qiskit.QuantumCircuit(qubits, clbits)
    circuit.h(0)
    for target in range(1, qubits):
        circuit.cx(0, target)
    for qubit, clbit in measured:
        circuit.measure(qubit, clbit)
    return circuit


QISKIT = SdkJob(
    ours=on_sqcore(qss.SuperstaqJobV3, Job),
    theirs=qss.SuperstaqJobV3,
    serialize=qss.serialize_circuits,
    circuit_type="qiskit",
    circuits={
        "bell": _circuit(2, 2, [(0, 0), (1, 1)]),
        "unmeasured": _circuit(2, 2, []),
        "one_bit": _circuit(1, 1, [(0, 0)]),
        # clbit 1 unmeasured: the counts are re-arranged into the classical register
        "crossed": _circuit(3, 3, [(0, 2), (2, 0)]),
    },
    reads=[
        *COMMON_READS,
        *calls("result", "combined_result", "shots", result=[0, 1], _get_clbit_indices=[0, 1]),
        ("result", (), {"qubit_indices": [0]}),
        ("combined_result", (), {"qubit_indices": [1]}),
    ],
    counts_reads=calls("result", "combined_result", "to_dict"),
)
