"""Shell: the command line, `python -m sqcore` (or `sqcore`).

    sqcore demo                                  the main job on a local emulator, no key
    sqcore submit --target T [--shots N] [--circuit-type C] [--tag X]... FILE
    sqcore status JOB_ID...                      a table of the jobs' statuses
    sqcore wait JOB_ID... [--timeout S] [--poll S | --poll MIN..MAX]
    sqcore cancel JOB_ID...
    sqcore show JOB_ID [--json]

`-` as the only JOB_ID reads the ids from standard input, one per line, so
`sqcore submit ... FILE | sqcore wait -` submits and waits. FILE `-` is standard input.

Exit codes: 0 all completed (or nothing went wrong), 1 some job failed, was cancelled or
deleted (or was not cancelled), 2 usage or input error, 3 timeout, 4 server or network
error. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from sqcore._arguments import canonical_ids, checked_seconds
from sqcore._cli_output import ProgressLine, table
from sqcore._client import Client
from sqcore._errors import (
    RetriesExhaustedError,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from sqcore._job import Job, wait_all
from sqcore._models import UNSUCCESSFUL_CIRCUIT_STATES, CircuitType, JobData, JobType
from sqcore._status import failure_summary, overall_status, terminal_count
from sqcore._wait import Backoff

__all__ = ["main"]

EXIT_OK = 0
EXIT_UNSUCCESSFUL = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_SERVER = 4


class _UsageError(Exception):
    """A bad command line or input (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


class _PrintVersion(argparse.Action):
    """`--version`: prints the installed version and exits (read only when asked)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        import sqcore

        sys.stdout.write(f"sqcore {sqcore.__version__}\n")
        parser.exit()


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sqcore", description="Submit, watch and cancel Superstaq jobs.")
    parser.add_argument(
        "--version",
        action=_PrintVersion,
        nargs=0,
        default=argparse.SUPPRESS,
        help="print the version",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_connection(p: argparse.ArgumentParser) -> None:
        p.add_argument("--api-key", help="API key (else SUPERSTAQ_API_KEY, else the key file)")
        p.add_argument("--host", help="server URL (else SUPERSTAQ_REMOTE_HOST, else production)")
        p.add_argument(
            "--retry-seconds",
            type=float,
            default=60.0,
            help="how long to retry when the server is busy or unreachable (default 60)",
        )

    def with_ids(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "job_ids", nargs="+", metavar="JOB_ID", help="job ids; '-' alone reads them from stdin"
        )

    sub.add_parser("demo", help="run sample jobs on a local emulator (no key, no network)")
    p = sub.add_parser("submit", help="submit serialized circuits; prints the new job's id")
    p.add_argument("file", metavar="FILE", help="the SDK's serialized circuits ('-': stdin)")
    p.add_argument("--target", required=True, help="e.g. ss_unconstrained_simulator")
    p.add_argument("--shots", type=int, default=1, help="shots per circuit (default 1)")
    p.add_argument(
        "--circuit-type",
        choices=[t.value for t in CircuitType],
        default=CircuitType.CIRQ.value,
        help="the circuits' language (default cirq)",
    )
    p.add_argument(
        "--job-type",
        choices=[t.value for t in JobType],
        default=JobType.SUBMIT.value,
        help="what to do with them (default submit)",
    )
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    with_connection(p)
    p = sub.add_parser("status", help="show the status of jobs")
    with_ids(p)
    with_connection(p)
    p = sub.add_parser("wait", help="wait until jobs are finished")
    with_ids(p)
    p.add_argument("--timeout", type=_timeout, default=3600.0, help="seconds (default 3600)")
    p.add_argument(
        "--poll",
        type=_polling,
        default=5.0,
        metavar="S | MIN..MAX",
        help="seconds between polls (default 5), or MIN..MAX: from MIN, growing x1.5 up to "
        "MAX while nothing changes",
    )
    with_connection(p)
    p = sub.add_parser("cancel", help="cancel jobs")
    with_ids(p)
    with_connection(p)
    p = sub.add_parser("show", help="show one job's data")
    p.add_argument("job_id", metavar="JOB_ID")
    p.add_argument("--json", action="store_true", help="print the data as JSON")
    with_connection(p)
    return parser


def _timeout(text: str) -> float:
    """`--timeout`: seconds, >= 0 ("inf" waits for ever)."""
    try:
        return checked_seconds("--timeout", float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0") from None


def _polling(text: str) -> float | Backoff:
    """`--poll`: seconds ("5"), or a backoff range ("1..30")."""
    low, sep, high = text.partition("..")
    try:
        if not sep:
            return checked_seconds("--poll", float(text))
        return Backoff(initial=float(low), maximum=float(high))
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected seconds (5) or a range MIN..MAX (1..30): {error}"
        ) from None


def _job_ids(values: Sequence[str], stdin: TextIO) -> list[str]:
    """The ids given, or, for "-" alone, the ids on standard input (one per line)."""
    if list(values) == ["-"]:
        values = [line.strip() for line in stdin if line.strip()]
        if not values:
            raise _UsageError("no job ids on standard input")
    elif "-" in values:
        raise _UsageError("'-' reads the ids from standard input: give it alone")
    try:
        return canonical_ids(values)
    except ValueError as error:
        raise _UsageError(str(error)) from None


def _client(args: argparse.Namespace) -> Client:
    try:
        return Client(
            api_key=args.api_key,
            remote_host=args.host,
            client_name="sqcore-cli",
            max_retry_seconds=args.retry_seconds,
        )
    except (OSError, ValueError, TypeError) as error:
        raise _UsageError(str(error).replace("\n", " ")) from None


# -- output ---------------------------------------------------------------------------------


def _circuits_done(data: JobData) -> str:
    return f"{terminal_count(data.statuses)}/{len(data.statuses)}"


def _status_table(jobs: dict[str, JobData], out: TextIO) -> None:
    rows = [["JOB", "TARGET", "STATUS", "CIRCUITS DONE"]]
    for job_id, data in jobs.items():
        rows.append(
            [job_id, data.target, overall_status(data.statuses).value, _circuits_done(data)]
        )
    table(rows, out)


def _exit_for(jobs: Sequence[JobData]) -> int:
    unsuccessful = any(
        overall_status(d.statuses) in UNSUCCESSFUL_CIRCUIT_STATES
        or any(s in UNSUCCESSFUL_CIRCUIT_STATES for s in d.statuses)
        for d in jobs
    )
    return EXIT_UNSUCCESSFUL if unsuccessful else EXIT_OK


def _plain_json(value: object) -> object:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    return value


# -- commands -------------------------------------------------------------------------------


def _cmd_submit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    circuits = _read_circuits(args.file, args.stdin)
    client = _client(args)
    try:
        job = client.create_job(
            circuits,
            target=args.target,
            shots=args.shots,
            circuit_type=args.circuit_type,
            job_type=args.job_type,
            tags=args.tag,
        )
    except (TypeError, ValueError) as error:
        raise _UsageError(str(error)) from None
    out.write(f"{job.job_id()}\n")
    return EXIT_OK


def _read_circuits(name: str, stdin: TextIO) -> str:
    if name == "-":
        return stdin.read()
    try:
        with open(name, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise _UsageError(f"cannot read the circuits in {name!r}: {error}") from None


def _cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    jobs = _client(args).fetch_jobs(_job_ids(args.job_ids, args.stdin))
    _status_table(jobs, out)
    return _exit_for(list(jobs.values()))


def _cmd_wait(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client = _client(args)
    jobs = [Job(client, job_id) for job_id in _job_ids(args.job_ids, args.stdin)]
    line = ProgressLine(err, "jobs")
    try:
        wait_all(jobs, timeout_seconds=args.timeout, polling_seconds=args.poll, on_progress=line)
    finally:
        line.close()
    data = {str(job.job_id()): job.job_data for job in jobs}
    _status_table(data, out)
    return _exit_for(list(data.values()))


def _cmd_cancel(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = _job_ids(args.job_ids, args.stdin)
    succeeded = set(_client(args).cancel_jobs(ids))
    for job_id in ids:
        out.write(f"{job_id}  {'cancelled' if job_id in succeeded else 'not cancelled'}\n")
    return EXIT_OK if succeeded >= set(ids) else EXIT_UNSUCCESSFUL


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    (job_id,) = _job_ids([args.job_id], args.stdin)
    job = Job(_client(args), job_id)
    fields = job.to_dict()
    if args.json:
        json.dump(_plain_json(fields), out, indent=2)
        out.write("\n")
    else:
        width = max(map(len, fields))
        for name, value in fields.items():
            out.write(f"{name.ljust(width)}  {_plain_json(value)}\n")
        summary = failure_summary(job.job_data.statuses, job.job_data.status_messages)
        if summary:
            out.write(f"{'failures'.ljust(width)}  {summary}\n")
    return _exit_for([job.job_data])


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sqcore._demo import run_demo

    return run_demo(out, err)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "submit": _cmd_submit,
    "status": _cmd_status,
    "wait": _cmd_wait,
    "cancel": _cmd_cancel,
    "show": _cmd_show,
    "demo": _cmd_demo,
}


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Runs the command line; returns the exit code."""
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    parser = _build_parser()

    def fail(code: int, message: str) -> int:
        stderr.write(f"sqcore: error: {message}\n")
        return code

    def show_warning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        stderr.write(f"sqcore: warning: {message}\n")

    with warnings.catch_warnings():
        warnings.simplefilter("always", SuperstaqWarning)
        warnings.showwarning = show_warning
        try:
            args = parser.parse_args(argv)
            args.stdin = sys.stdin if stdin is None else stdin
            return _COMMANDS[args.command](args, stdout, stderr)
        except _UsageError as error:
            return fail(EXIT_USAGE, str(error))
        except RetriesExhaustedError as error:
            return fail(EXIT_SERVER, str(error))
        except TimeoutError as error:
            return fail(EXIT_TIMEOUT, str(error))
        except SuperstaqServerException as error:
            return fail(EXIT_SERVER, str(error).splitlines()[0])
        except SuperstaqException as error:
            return fail(EXIT_SERVER, str(error))
        except KeyboardInterrupt:
            return fail(130, "interrupted")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
