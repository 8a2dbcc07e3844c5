"""Shell: `python -m sqcore demo`, the main job end to end with no key and no network.

It starts the Superstaq emulator on a loopback port, so every status check is a real HTTP
request through the default `Urllib3Transport`, creates three sample jobs (one whose four
circuits complete, one with a failing circuit, one cancelled part-way), waits on all of
them with live progress on stderr, then prints a summary table on stdout.
"""

from __future__ import annotations

from typing import TextIO

from sqcore._cli_output import ProgressLine, table
from sqcore._client import Client
from sqcore._job import Job, wait_all
from sqcore._models import CircuitStatus
from sqcore._status import failure_summary, is_terminal
from sqcore._wait import Progress

__all__ = ["run_demo"]

_DEMO_KEY = "demo-key-not-secret"
#: When (seconds into the wait) the third job is cancelled.
_CANCEL_AT_SECONDS = 1.5


def run_demo(out: TextIO, err: TextIO) -> int:
    """Runs the demo; returns the exit code (0 when everything behaved as designed)."""
    from transports.emulator import Emulator, EmulatorServer

    emulator = Emulator(api_key=_DEMO_KEY)
    with EmulatorServer(emulator) as server:
        client = Client(
            api_key=_DEMO_KEY,
            remote_host=server.url,
            client_name="sqcore-demo",
            max_retry_seconds=10,
        )
        err.write(f"emulator listening on {server.url}\n")
        ids = [
            emulator.create_job(
                num_circuits=4,
                target="ss_unconstrained_simulator",
                shots=100,
                durations=[1.0, 1.4, 1.8, 2.2],
                tags=("demo", "bell"),
            ),
            emulator.create_job(
                num_circuits=3,
                target="ss_unconstrained_simulator",
                shots=100,
                durations=[0.8, 1.6, 2.0],
                fail={1: "Circuit has 200 qubits; the target has 127."},
                tags=("demo",),
            ),
            emulator.create_job(
                num_circuits=4,
                target="ibmq_brisbane_qpu",
                shots=1000,
                durations=[1.0, 4.0, 5.0, 6.0],
                tags=("demo", "long"),
            ),
        ]
        jobs = [Job(client, job_id) for job_id in ids]
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

        try:
            wait_all(jobs, timeout_seconds=20, polling_seconds=0.25, on_progress=on_progress)
        finally:
            line.close()
        requests = emulator.request_count

    rows = [["JOB", "TARGET", "STATUS", "CIRCUITS", "COMPLETED"]]
    for job in jobs:
        data = job.job_data
        rows.append(
            [
                str(job.job_id()),
                data.target,
                job.status().value,
                " ".join(s.value for s in data.statuses),
                f"{data.statuses.count(CircuitStatus.COMPLETED)}/{len(data.statuses)}",
            ]
        )
    table(rows, out)
    for job in jobs:
        summary = failure_summary(job.job_data.statuses, job.job_data.status_messages)
        if summary:
            out.write(f"{job.job_id()}: {summary}\n")
    out.write(f"{requests} HTTP requests to the emulator in all.\n")
    expected = [CircuitStatus.COMPLETED, CircuitStatus.FAILED, CircuitStatus.CANCELLED]
    ok = [job.status() for job in jobs] == expected and all(
        is_terminal(job.job_data.statuses) for job in jobs
    )
    return 0 if ok else 1
