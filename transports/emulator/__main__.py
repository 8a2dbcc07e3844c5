"""Shell: `python -m transports.emulator` serves the job-endpoint emulator on loopback.

Prints the URL it listens on (first line of stdout, the URL as its last word), then serves
until Ctrl-C or SIGTERM and exits cleanly (status 0, no traceback).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from transports._urls import is_loopback_host
from transports.emulator._app import Emulator
from transports.emulator._routes import API_VERSION
from transports.emulator._server import EmulatorServer

_DEMO_TARGETS = ("ss_unconstrained_simulator", "ibmq_brisbane_qpu")


class _Arguments(argparse.Namespace):
    host: str
    port: int
    api_key: str | None
    demo_jobs: int
    seed: int


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m transports.emulator",
        description=f"Serve an emulator of the Superstaq {API_VERSION} job endpoints.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port; 0 (default) picks a free one"
    )
    parser.add_argument(
        "--api-key", default=None, help="the key clients must send (default: accept any key)"
    )
    parser.add_argument(
        "--demo-jobs", type=int, default=0, metavar="N", help="create N sample jobs at start"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for job ids and counts")
    return parser


def _create_demo_jobs(emulator: Emulator, count: int) -> list[str]:
    """Creates `count` varied jobs: simulator and QPU targets, 1-3 circuits, one failure."""
    job_ids: list[str] = []
    for number in range(count):
        circuits = 1 + number % 3
        job_ids.append(
            emulator.create_job(
                num_circuits=circuits,
                target=_DEMO_TARGETS[number % 2],
                shots=100 * (1 + number % 4),
                durations=[5.0 + 2.0 * number + 1.5 * index for index in range(circuits)],
                fail={circuits - 1: "Emulated failure."} if number % 4 == 3 else None,
                tags=("demo",),
                metadata={"demo": number},
            )
        )
    return job_ids


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the emulator server until interrupted.

    Args:
        argv: The command-line arguments (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 after Ctrl-C or SIGTERM, 1 if the address cannot be bound.
    """
    parser = _parser()
    args = parser.parse_args(argv, namespace=_Arguments())
    if not is_loopback_host(args.host):
        parser.error(f"--host {args.host!r} is not a loopback address; refusing to serve on it")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is out of range 0..65535")
    if args.demo_jobs < 0:
        parser.error("--demo-jobs must be >= 0")
    if args.api_key == "":
        parser.error("--api-key must not be empty")
    emulator = Emulator(api_key=args.api_key, seed=args.seed)
    try:
        server = EmulatorServer(emulator, host=args.host, port=args.port)
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        print(f"Superstaq {API_VERSION} job emulator listening on {server.url}", flush=True)
        for job_id in _create_demo_jobs(emulator, args.demo_jobs):
            print(f"demo job: {job_id}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
