"""Shell: the command line, `python -m sqcore` (or `sqcore`).

    sqcore demo                                  the main job on a local emulator, no key
    sqcore submit --target T [--shots N] [--circuit-type C] [--tag X]... [--find-again] FILE
    sqcore status JOB_ID... [--json]             a table of the jobs' statuses
    sqcore jobs [--tag T]... [--status S]... [--target X]... [--since ISO] [--ids | --json]
    sqcore wait JOB_ID... [--timeout S] [--poll S | --poll MIN..MAX] [--json]
    sqcore cancel JOB_ID...
    sqcore show JOB_ID [--json]

`-` as the only JOB_ID reads the ids from standard input, one per line, so
`sqcore submit ... FILE | sqcore wait -` submits and waits, and `sqcore jobs ... --ids |
sqcore wait -` waits for the jobs found. FILE `-` is standard input.
The key comes from `--api-key-file PATH` (`-`: the first line of standard input), else
`SUPERSTAQ_API_KEY`, else upstream's key files; `--api-key KEY` works too, with a warning:
every user of the machine can read a command line (the process list).

Every error is one line on stderr, never a traceback. Exit codes (`EXIT_CODES`):

    0    all completed (or nothing went wrong)
    1    some job failed, was cancelled or deleted (or was not cancelled)
    2    a usage or input error
    3    a wait timed out (`wait` prints what it knows first)
    4    a server or network error (no job was created)
    5    a submission may have been created: its reply was lost after the request was
         sent; look for it, as the message says, before submitting again
    130  interrupted (Ctrl-C); a submission interrupted after it was sent says so
    141  the output was closed early (e.g. `| head -1`): it stops quietly, as a command
         killed by SIGPIPE does in a shell
"""

from __future__ import annotations

import argparse
import datetime
import enum
import json
import os
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn, TextIO

import msgspec

from sqcore._client import Client
from sqcore._job import Job, wait_all
from sqcore.cli.output import ProgressLine, table
from sqcore.core.arguments import canonical_ids, checked_seconds
from sqcore.core.errors import (
    RetriesExhaustedError,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from sqcore.core.models import (
    UNSUCCESSFUL_CIRCUIT_STATES,
    CircuitStatus,
    CircuitType,
    JobData,
    JobType,
)
from sqcore.core.query import searched_since
from sqcore.core.status import failure_summary, overall_status, terminal_count
from sqcore.core.waiting import Backoff

__all__ = ["main"]

EXIT_OK = 0
EXIT_UNSUCCESSFUL = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_SERVER = 4
EXIT_MAYBE_CREATED = 5
EXIT_INTERRUPTED = 130
EXIT_CLOSED_OUTPUT = 141

#: The exit codes, as `--help` shows them (the module docstring's table).
EXIT_CODES = "exit codes:\n" + (__doc__ or "").partition("(`EXIT_CODES`):\n\n")[2]


class _UsageError(Exception):
    """A bad command line or input (exit 2)."""


class _MaybeCreatedError(Exception):
    """A submission whose job may have been created (exit 5); the message says how to
    find it."""


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
    parser = _Parser(
        prog="sqcore",
        description="Submit, watch and cancel Superstaq jobs.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action=_PrintVersion,
        nargs=0,
        default=argparse.SUPPRESS,
        help="print the version",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_connection(p: argparse.ArgumentParser) -> None:
        key = p.add_mutually_exclusive_group()
        key.add_argument(
            "--api-key-file",
            metavar="PATH",
            help="read the API key from the first line of PATH ('-': standard input); "
            "else SUPERSTAQ_API_KEY, else the key file",
        )
        key.add_argument(
            "--api-key", help="the API key itself: every local user can read it (the process list)"
        )
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
    p.add_argument(
        "--find-again",
        action="store_true",
        help="add a sqcore-submission:<uuid> tag and, should the reply be lost, look the job "
        "up by it (exit 5 if it may exist but was not found)",
    )
    with_connection(p)
    p = sub.add_parser("jobs", help="find jobs by tag, status, target or submission time")
    p.add_argument("--tag", action="append", default=[], help="with this tag (repeatable)")
    p.add_argument(
        "--status",
        action="append",
        default=[],
        choices=[status.value for status in CircuitStatus],
        metavar="STATUS",
        help="with a circuit in this status (repeatable)",
    )
    p.add_argument("--target", action="append", default=[], help="on this target (repeatable)")
    p.add_argument(
        "--since",
        type=_since,
        metavar="ISO",
        help="submitted at or after this time (ISO 8601; without a zone, local time)",
    )
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--ids", action="store_true", help="print one job id per line")
    shown.add_argument("--json", action="store_true", help="print the jobs' data as JSON")
    with_connection(p)
    p = sub.add_parser("status", help="show the status of jobs")
    with_ids(p)
    p.add_argument("--json", action="store_true", help="print the jobs' data as JSON")
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
        "MAX while nothing changes; at least 0.1",
    )
    p.add_argument("--json", action="store_true", help="print the jobs' data as JSON")
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


def _since(text: str) -> datetime.datetime:
    """`--since`: an ISO 8601 time ("Z" for UTC); one without a zone is local time."""
    written = text.strip()
    if written.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read it
        written = written[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(written)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time, like 2027-01-15T08:00 or 2027-01-15T08:00Z"
        ) from None
    return moment if moment.utcoffset() is not None else moment.astimezone()


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
    api_key = _api_key(args)
    try:
        return Client(
            api_key=api_key,
            remote_host=args.host,
            client_name="sqcore-cli",
            max_retry_seconds=args.retry_seconds,
        )
    except (OSError, ValueError, TypeError) as error:
        raise _UsageError(str(error).replace("\n", " ")) from None


_KEY_ON_THE_COMMAND_LINE = (
    "--api-key shows the key to every user of this machine (in the process list); use "
    "--api-key-file PATH, --api-key-file - (standard input), SUPERSTAQ_API_KEY or the key file"
)


def _api_key(args: argparse.Namespace) -> str | None:
    """The key given on the command line (`--api-key`, with a warning, or `--api-key-file`),
    or None to look for it where `Client` does."""
    if args.api_key is not None:
        args.stderr.write(f"sqcore: warning: {_KEY_ON_THE_COMMAND_LINE}\n")
        given: str = args.api_key
        return given
    path: str | None = args.api_key_file
    if path is None:
        return None
    line: str
    if path == "-":
        if "-" in (*getattr(args, "job_ids", ()), getattr(args, "file", None)):
            raise _UsageError("standard input can hold the API key or the job ids, not both")
        line = args.stdin.readline()
    else:
        try:
            with open(path, encoding="utf-8") as file:
                line = file.readline()
        except (OSError, UnicodeDecodeError) as error:
            raise _UsageError(f"cannot read the API key from {path!r}: {error}") from None
    key = line.strip()
    if not key:
        where = "standard input" if path == "-" else repr(path)
        raise _UsageError(f"no API key on the first line of {where}")
    return key


# -- output ---------------------------------------------------------------------------------


#: What the command line knows of a job: its circuits' statuses, and its data when read.
_Known = tuple[Sequence[CircuitStatus], JobData | None]


def _jobs_table(jobs: dict[str, JobData], out: TextIO) -> None:
    rows = [["JOB", "TARGET", "STATUS", "CIRCUITS DONE", "SUBMITTED"]]
    for job_id, data in jobs.items():
        submitted = data.submission_timestamp.isoformat(timespec="seconds")
        status = overall_status(data.statuses).value
        done = f"{terminal_count(data.statuses)}/{len(data.statuses)}"
        rows.append([job_id, data.target, status, done, submitted])
    table(rows, out)


def _report(jobs: Mapping[str, _Known], out: TextIO, as_json: bool) -> None:
    """The jobs as a table (job, target, overall status, circuits done), or as JSON: an
    object of each job's overall `status` and its data as `show --json` prints it (only
    its `statuses` when its data was not read)."""
    if as_json:
        out.write(_json_text({job_id: _job_json(*known) for job_id, known in jobs.items()}) + "\n")
        return
    rows = [["JOB", "TARGET", "STATUS", "CIRCUITS DONE"]]
    for job_id, (statuses, data) in jobs.items():
        done = f"{terminal_count(statuses)}/{len(statuses)}"
        target = "-" if data is None else data.target
        rows.append([job_id, target, overall_status(statuses).value, done])
    table(rows, out)


def _job_json(statuses: Sequence[CircuitStatus], data: JobData | None) -> dict[str, object]:
    shown: dict[str, object] = {"status": overall_status(statuses).value}
    if data is None:
        shown["statuses"] = [status.value for status in statuses]
    else:
        shown.update((name, _plain_json(getattr(data, name))) for name in data.__struct_fields__)
    return shown


def _exit_for(jobs: Sequence[Sequence[CircuitStatus]]) -> int:
    unsuccessful = any(
        overall_status(statuses) in UNSUCCESSFUL_CIRCUIT_STATES
        or any(s in UNSUCCESSFUL_CIRCUIT_STATES for s in statuses)
        for statuses in jobs
    )
    return EXIT_UNSUCCESSFUL if unsuccessful else EXIT_OK


def _plain_json(value: object) -> object:
    """A field of `JobData` as JSON values: an enum as its value and a timestamp as ISO 8601,
    alone or in a list. Not recursive: nothing deeper holds either, and the server's
    `metadata` may nest as deep as the decoder allows, deeper than Python's recursion limit
    leaves to a recursive function."""
    if isinstance(value, list):
        return [_plain_value(item) for item in value]
    return _plain_value(value)


def _plain_value(value: object) -> object:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _json_text(value: object) -> str:
    """`value` as indented JSON, as `json.dumps(value, indent=2)` writes it, but by C code
    that nests as deep as the decoder did (the indenting encoder is Python and recursive)."""
    return msgspec.json.format(json.dumps(value).encode(), indent=2).decode()


# -- commands -------------------------------------------------------------------------------


def _cmd_submit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    circuits = _read_circuits(args.file, args.stdin)
    client = _client(args)
    began = searched_since(time.time())
    try:
        job = client.create_job(
            circuits,
            target=args.target,
            shots=args.shots,
            circuit_type=args.circuit_type,
            job_type=args.job_type,
            tags=args.tag,
            submission_tag=args.find_again,
        )
    except (TypeError, ValueError) as error:
        raise _UsageError(str(error)) from None
    except SuperstaqException as error:
        if not error.may_have_been_created:
            raise
        if error.submission_tag is not None:
            search = ["--tag", error.submission_tag]
        else:
            search = [*(f"--tag={tag}" for tag in args.tag)] or [f"--target={args.target}"]
            search += ["--since", began.isoformat()]
        how = shlex.join(["sqcore", "jobs", *search])
        raise _MaybeCreatedError(f"{_error_text(error)} From the shell: {how}") from None
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


def _cmd_jobs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client = _client(args)
    try:
        jobs = client.find_jobs(
            tags=args.tag, statuses=args.status, targets=args.target, submitted_after=args.since
        )
    except ValueError as error:  # a query that cannot be asked (too long for one URL)
        raise _UsageError(str(error)) from None
    data = {str(job.job_id()): job.job_data for job in jobs}  # cached: no request
    if args.ids:
        out.writelines(f"{job_id}\n" for job_id in data)
    elif args.json:
        known = {job_id: (job.statuses, job) for job_id, job in data.items()}
        out.write(_json_text({job_id: _job_json(*seen) for job_id, seen in known.items()}) + "\n")
    else:
        _jobs_table(data, out)
    return EXIT_OK


def _cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    jobs = _client(args).fetch_jobs(_job_ids(args.job_ids, args.stdin))
    known = {job_id: (data.statuses, data) for job_id, data in jobs.items()}
    _report(known, out, args.json)
    return _exit_for([statuses for statuses, _ in known.values()])


def _cmd_wait(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client = _client(args)
    jobs = [Job(client, job_id) for job_id in _job_ids(args.job_ids, args.stdin)]
    line = ProgressLine(err, "jobs")
    try:
        wait_all(jobs, timeout_seconds=args.timeout, polling_seconds=args.poll, on_progress=line)
    except RetriesExhaustedError:
        raise
    except TimeoutError:
        _report(_learned(jobs), out, args.json)  # what the wait knows, then the error line
        raise
    finally:
        line.close()
    known = _learned(jobs)
    _report(known, out, args.json)
    return _exit_for([statuses for statuses, _ in known.values()])


def _learned(jobs: Sequence[Job]) -> dict[str, _Known]:
    """What a wait learned of each job it polled, with no request: its statuses, and its
    data where the wait kept it (every job it saw finish)."""
    known: dict[str, _Known] = {}
    for job in jobs:
        state = job.known
        if state.statuses is not None:
            kept = state.data is not None or state.reply is not None
            known[state.job_id] = (state.statuses, job.job_data if kept else None)
    return known


def _cmd_cancel(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = _job_ids(args.job_ids, args.stdin)
    succeeded = set(_client(args).cancel_jobs(ids))
    for job_id in ids:
        out.write(f"{job_id}  {'cancelled' if job_id in succeeded else 'not cancelled'}\n")
    return EXIT_OK if succeeded >= set(ids) else EXIT_UNSUCCESSFUL


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = _job_ids([args.job_id], args.stdin)
    if len(ids) != 1:
        raise _UsageError(f"show takes one job id; standard input gave {len(ids)}")
    (job_id,) = ids
    job = Job(_client(args), job_id)
    fields = job.to_dict()
    if args.json:
        out.write(_json_text({name: _plain_json(value) for name, value in fields.items()}) + "\n")
    else:
        width = max(map(len, fields))
        for name, value in fields.items():
            out.write(f"{name.ljust(width)}  {_plain_json(value)}\n")
        summary = failure_summary(job.job_data.statuses, job.job_data.status_messages)
        if summary:  # the server's messages may echo the key: redacted, as in exceptions
            out.write(f"{'failures'.ljust(width)}  {job.client.session.redact(summary)}\n")
    return _exit_for([job.job_data.statuses])


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sqcore.cli.demo import run_demo

    return run_demo(out, err)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "submit": _cmd_submit,
    "jobs": _cmd_jobs,
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
    """Runs the command line; returns the exit code (`EXIT_CODES`).

    Output closed early (`sqcore show ID --json | head -1`) ends it quietly with 141.
    """
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    try:
        code = _main(argv, stdout, stderr, stdin)
        stdout.flush()
    except BrokenPipeError:
        _discard_output(stdout, stderr)
        return EXIT_CLOSED_OUTPUT
    return code


def _discard_output(*streams: TextIO) -> None:
    """Points the process's closed output at /dev/null, so that what is still buffered there
    is not written at exit (Python would print "Exception ignored ... BrokenPipeError")."""
    for stream in streams:
        if stream is sys.stdout or stream is sys.stderr:
            try:
                descriptor = stream.fileno()
            except (AttributeError, OSError, ValueError):
                continue  # not a file: nothing to flush at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, descriptor)
            os.close(devnull)


def _main(argv: Sequence[str] | None, stdout: TextIO, stderr: TextIO, stdin: TextIO | None) -> int:
    parser = _build_parser()

    def fail(code: int, message: str) -> int:
        # One line, whatever the message holds (a server's text may hold line breaks).
        line = " ".join(part.strip() for part in message.splitlines() if part.strip())
        stderr.write(f"sqcore: error: {line}\n")
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
            args.stderr = stderr
            return _COMMANDS[args.command](args, stdout, stderr)
        except _UsageError as error:
            return fail(EXIT_USAGE, str(error))
        except _MaybeCreatedError as error:
            return fail(EXIT_MAYBE_CREATED, str(error))
        except RetriesExhaustedError as error:
            return fail(EXIT_SERVER, str(error))
        except TimeoutError as error:
            return fail(EXIT_TIMEOUT, str(error))
        except SuperstaqException as error:
            code = EXIT_MAYBE_CREATED if error.may_have_been_created else EXIT_SERVER
            return fail(code, _error_text(error))
        except KeyboardInterrupt as interrupt:
            # A submission interrupted after it was sent notes that its job may exist.
            notes = getattr(interrupt, "__notes__", [])
            return fail(EXIT_INTERRUPTED, f"interrupted: {notes[0]}" if notes else "interrupted")


def _error_text(error: SuperstaqException) -> str:
    """What `error` says, without the paragraph of contact details a server error ends with."""
    text = str(error)
    if isinstance(error, SuperstaqServerException):
        end = text.find(")", text.rfind("(Status code: ")) + 1
        return text[:end] or text
    return text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
