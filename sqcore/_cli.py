"""Shell: the command line, `python -m sqcore` (or `sqcore`).

    sqcore demo                                  the main job on a local emulator, no key
    sqcore status JOB_ID...                      a table of the jobs' statuses
    sqcore wait JOB_ID... [--timeout S] [--poll S]
    sqcore cancel JOB_ID...
    sqcore show JOB_ID [--json]

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

from sqcore._arguments import canonical_ids
from sqcore._cli_output import ProgressLine, table
from sqcore._client import Client
from sqcore._errors import (
    RetriesExhaustedError,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from sqcore._job import Job, wait_all
from sqcore._models import UNSUCCESSFUL_CIRCUIT_STATES, JobData
from sqcore._status import failure_summary, overall_status, terminal_count

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


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sqcore", description="Watch and cancel Superstaq jobs.")
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

    sub.add_parser("demo", help="run sample jobs on a local emulator (no key, no network)")
    p = sub.add_parser("status", help="show the status of jobs")
    p.add_argument("job_ids", nargs="+", metavar="JOB_ID")
    with_connection(p)
    p = sub.add_parser("wait", help="wait until jobs are finished")
    p.add_argument("job_ids", nargs="+", metavar="JOB_ID")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds (default 3600)")
    p.add_argument("--poll", type=float, default=5.0, help="seconds between polls (default 5)")
    with_connection(p)
    p = sub.add_parser("cancel", help="cancel jobs")
    p.add_argument("job_ids", nargs="+", metavar="JOB_ID")
    with_connection(p)
    p = sub.add_parser("show", help="show one job's data")
    p.add_argument("job_id", metavar="JOB_ID")
    p.add_argument("--json", action="store_true", help="print the data as JSON")
    with_connection(p)
    return parser


def _job_ids(values: Sequence[str]) -> list[str]:
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


def _cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    jobs = _client(args).fetch_jobs(_job_ids(args.job_ids))
    _status_table(jobs, out)
    return _exit_for(list(jobs.values()))


def _cmd_wait(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.timeout < 0 or args.poll < 0:
        raise _UsageError("--timeout and --poll must be >= 0")
    client = _client(args)
    jobs = [Job(client, job_id) for job_id in _job_ids(args.job_ids)]
    line = ProgressLine(err, "jobs")
    try:
        wait_all(jobs, timeout_seconds=args.timeout, polling_seconds=args.poll, on_progress=line)
    finally:
        line.close()
    data = {str(job.job_id()): job.job_data for job in jobs}
    _status_table(data, out)
    return _exit_for(list(data.values()))


def _cmd_cancel(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = _job_ids(args.job_ids)
    succeeded = set(_client(args).cancel_jobs(ids))
    for job_id in ids:
        out.write(f"{job_id}  {'cancelled' if job_id in succeeded else 'not cancelled'}\n")
    return EXIT_OK if succeeded >= set(ids) else EXIT_UNSUCCESSFUL


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    (job_id,) = _job_ids([args.job_id])
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
    "status": _cmd_status,
    "wait": _cmd_wait,
    "cancel": _cmd_cancel,
    "show": _cmd_show,
    "demo": _cmd_demo,
}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
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
