"""Shell: `python -m sqcore demo`, the main job end to end with no key and no network.

It starts the Superstaq emulator on a loopback port, so every request is real HTTP through
the default `Urllib3Transport`. It submits three sample jobs with `Client.create_job` (one
whose four circuits complete, one with a failing circuit, one cancelled part-way), watches
them with `as_completed`, printing each job's line on stdout as it finishes, with live
progress on stderr, then what failed and how many requests it all took.
"""

from __future__ import annotations

import json
from typing import TextIO

from sqcore._client import Client
from sqcore._job import Job, as_completed
from sqcore.cli.output import ProgressLine
from sqcore.core.models import CircuitStatus
from sqcore.core.status import failure_summary, terminal_count
from sqcore.core.waiting import Progress

__all__ = ["run_demo"]

_DEMO_KEY = "demo-key-not-secret"
#: When (seconds into the wait) the third job is cancelled.
_CANCEL_AT_SECONDS = 1.5
_ROW = "{:<36}  {:<26}  {:<9}  {}\n"


def _bell_circuits(count: int) -> str:
    """`count` Bell-state circuits, serialized as cirq's `to_json` writes a list of them."""
    qubits = [{"cirq_type": "LineQubit", "x": 0}, {"cirq_type": "LineQubit", "x": 1}]

    def moment(gate: dict[str, object], on: list[dict[str, object]]) -> dict[str, object]:
        operation = {"cirq_type": "GateOperation", "gate": gate, "qubits": on}
        return {"cirq_type": "Moment", "operations": [operation]}

    circuit = {
        "cirq_type": "Circuit",
        "moments": [
            moment({"cirq_type": "HPowGate", "exponent": 1.0, "global_shift": 0.0}, qubits[:1]),
            moment({"cirq_type": "CXPowGate", "exponent": 1.0, "global_shift": 0.0}, qubits),
            moment(
                {"cirq_type": "MeasurementGate", "num_qubits": 2, "key": "m", "invert_mask": []},
                qubits,
            ),
        ],
    }
    return json.dumps([circuit] * count)


def _submit(client: Client) -> list[Job]:
    """The three sample jobs; the emulator takes their schedules from `options`."""

    def schedule(durations: list[float], fail: dict[int, str] | None = None) -> dict[str, object]:
        return {"emulator": {"durations": durations, "fail": fail or {}}}

    return [
        client.create_job(
            _bell_circuits(4),
            target="ss_unconstrained_simulator",
            job_type="simulate",
            shots=100,
            tags=["demo", "bell"],
            options=schedule([1.0, 1.4, 1.8, 2.2]),
        ),
        client.create_job(
            _bell_circuits(3),
            target="ss_unconstrained_simulator",
            job_type="simulate",
            shots=100,
            tags=["demo"],
            options=schedule([0.8, 1.6, 2.0], {1: "Circuit has 200 qubits; the target has 127."}),
        ),
        client.create_job(
            _bell_circuits(4),
            target="ibmq_brisbane_qpu",
            shots=1000,
            tags=["demo", "long"],
            options=schedule([1.0, 4.0, 5.0, 6.0]),
        ),
    ]


def run_demo(out: TextIO, err: TextIO) -> int:
    """Runs the demo; returns the exit code (0 when everything behaved as designed)."""
    from transports.emulator import Emulator, EmulatorServer

    emulator = Emulator(api_key=_DEMO_KEY)
    with (
        EmulatorServer(emulator) as server,
        Client(
            api_key=_DEMO_KEY,
            remote_host=server.url,
            client_name="sqcore-demo",
            max_retry_seconds=10,
        ) as client,
    ):
        err.write(f"emulator listening on {server.url}\n")
        jobs = _submit(client)
        for job in jobs:
            err.write(f"submitted {job}\n")
        line = ProgressLine(err, "jobs")
        cancelled = False

        def on_progress(progress: Progress) -> None:
            nonlocal cancelled
            line(progress)
            if not cancelled and progress.elapsed_seconds >= _CANCEL_AT_SECONDS:
                cancelled = True
                line.note(f"cancelling {jobs[2].job_id()} part-way")
                jobs[2].cancel()

        out.write(_ROW.format("JOB", "TARGET", "STATUS", "CIRCUITS DONE"))
        try:
            for job in as_completed(
                jobs, timeout_seconds=20, polling_seconds=0.25, on_progress=on_progress
            ):
                data = job.job_data
                done = f"{data.statuses.count(CircuitStatus.COMPLETED)}/{len(data.statuses)}"
                out.write(_ROW.format(str(job.job_id()), data.target, job.status().value, done))
                out.flush()
        finally:
            line.close()
        requests = emulator.request_count

    for job in jobs:
        summary = failure_summary(job.job_data.statuses, job.job_data.status_messages)
        if summary:
            out.write(f"{job.job_id()}: {summary}\n")
    out.write(f"{requests} HTTP requests to the emulator in all (3 of them submissions).\n")
    expected = [CircuitStatus.COMPLETED, CircuitStatus.FAILED, CircuitStatus.CANCELLED]
    ok = [job.status() for job in jobs] == expected and all(
        terminal_count(job.job_data.statuses) == len(job.job_data.statuses) for job in jobs
    )
    return 0 if ok else 1
