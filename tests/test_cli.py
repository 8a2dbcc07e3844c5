"""The command line end to end against the loopback emulator server: `main` in this process
(the same argv, environment, standard input and output as a run of its own), and, where the
process is the subject (exit codes as the shell sees them, pipes, signals, output closed
early), `python -m sqcore` as a subprocess."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import pathlib
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import msgspec
import pytest

from sqcore.cli import main as cli
from sqcore.cli.main import main
from tests.fixtures import JOB_65, nested, nested_reply
from tests.wire.hostile import Hangup, HostileServer, Reply, Stall, emulator_behind, servers
from transports.emulator import Emulator, EmulatorServer

KEY = "cli-test-key-0042"
ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(api_key=KEY)


@pytest.fixture(scope="module")
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as running:
        yield running


def run_process(
    *args: str,
    home: pathlib.Path,
    env: dict[str, str] | None = None,
    timeout: float = 30,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m sqcore args...` in a process of its own."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSTAQ_")}
    environment.update({"HOME": str(home), "XDG_DATA_HOME": str(home), "PYTHONPATH": str(ROOT)})
    environment["SUPERSTAQ_API_KEY"] = KEY  # not --api-key: it warns (the process list)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "sqcore", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
        input=stdin,
    )


def run(
    *args: str,
    home: pathlib.Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`sqcore args...` run by `main` in this process, in the environment `run_process` gives
    its subprocess (HOME, the key in SUPERSTAQ_API_KEY, no other SUPERSTAQ_ variable), with
    `stdin` (else nothing) as its standard input: its exit code and what it wrote."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in os.environ:
            if name.startswith("SUPERSTAQ_"):
                patch.delenv(name)
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_DATA_HOME", str(home))
        patch.setenv("SUPERSTAQ_API_KEY", KEY)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        # (what argparse or a stray print writes to sys.stdout or sys.stderr counts too)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args), out=out, err=err, stdin=io.StringIO(stdin or ""))
    return subprocess.CompletedProcess(["sqcore", *args], code, out.getvalue(), err.getvalue())


def pipeline(
    command: str, *, home: pathlib.Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs a shell pipeline of `python -m sqcore` commands (`sqcore` in `command`)."""
    return subprocess.run(
        command.replace("sqcore ", f"{sys.executable} -m sqcore "),
        shell=True,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "SUPERSTAQ_API_KEY": KEY},
        check=False,
    )


def connect(server: EmulatorServer) -> list[str]:
    return ["--host", server.url]


def test_status_table(server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path) -> None:
    done = emulator.create_job(num_circuits=2, durations=0)
    running = emulator.create_job(num_circuits=3, durations=60, target="ibmq_brisbane_qpu")
    result = run_process("status", done, running.upper(), *connect(server), home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["JOB", "TARGET", "STATUS", "CIRCUITS", "DONE"]
    assert lines[1].split() == [done, "ss_unconstrained_simulator", "completed", "2/2"]
    assert lines[2].split()[0] == running and lines[2].split()[3] == "0/3"


def test_status_with_failed_job_exits_1(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    failed = emulator.create_job(num_circuits=2, durations=0, fail={0: "bad"})
    result = run_process("status", failed, *connect(server), home=tmp_path)
    assert result.returncode == 1
    assert "failed" in result.stdout


def test_wait_shows_progress_and_exits_0(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    # Open for 1 s at least: the first poll (which sees 0/3 done) must come before any job
    # ends; in this process it comes a few milliseconds after, tenths under load.
    ids = [emulator.create_job(durations=1.0 + 0.2 * i) for i in range(3)]
    result = run("wait", *ids, "--poll", "0.1", "--timeout", "20", *connect(server), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3/3 jobs done" in result.stderr
    assert "0/3 jobs done" in result.stderr
    assert result.stderr.count("\n") >= 2  # plain lines off a terminal, no carriage returns
    assert "\r" not in result.stderr
    assert result.stdout.count("completed") == 3


def test_wait_timeout_exits_3(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    slow = emulator.create_job(durations=60)
    result = run_process(
        "wait", slow, "--poll", "0.1", "--timeout", "0.3", *connect(server), home=tmp_path
    )
    assert result.returncode == 3
    assert "Timed out" in result.stderr and "Traceback" not in result.stderr


def test_cancel_then_wait_exits_1(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(num_circuits=2, durations=60)
    result = run("cancel", job, *connect(server), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [job, "cancelled"]
    again = run("cancel", job, *connect(server), home=tmp_path)
    assert again.returncode == 1 and "not cancelled" in again.stdout
    waited = run("wait", job, *connect(server), home=tmp_path)
    assert waited.returncode == 1
    assert "cancelled" in waited.stdout


def test_show_json(server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path) -> None:
    job = emulator.create_job(num_circuits=2, durations=0, tags=("x",), metadata={"k": 2})
    result = run("show", job, "--json", *connect(server), home=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["statuses"] == ["completed", "completed"]
    assert data["tags"] == ["x"] and data["metadata"] == {"k": 2}
    assert sum(data["counts"][0].values()) == data["shots"][0]
    text = run("show", job, *connect(server), home=tmp_path)
    assert text.returncode == 0 and "target" in text.stdout


def test_show_of_a_failed_job_lists_its_failures_and_the_servers_warning(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(num_circuits=2, durations=0, fail={1: "bad"}, warn="retiring")
    result = run("show", job, *connect(server), home=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].split(None, 1) == [
        "failures",
        "Failure: [Circuit 1 - bad]",
    ]
    assert result.stderr == "sqcore: warning: retiring\n"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["status", "not-a-uuid"], 2, "'not-a-uuid' is not a valid job id"),
        (["frobnicate"], 2, "invalid choice"),
        (["status"], 2, "required"),
        (["wait", "00000000-0000-0000-0000-000000000001", "--poll", "-1"], 2, ">= 0"),
        (["wait", "00000000-0000-0000-0000-000000000001", "--timeout", "nan"], 2, ">= 0"),
        (["wait", "00000000-0000-0000-0000-000000000001", "--timeout", "-1"], 2, ">= 0"),
        (
            ["status", "00000000-0000-0000-0000-0000000000ee"],
            4,
            "00000000-0000-0000-0000-0000000000ee",
        ),
    ],
)
def test_input_errors(
    server: EmulatorServer, tmp_path: pathlib.Path, args: list[str], code: int, needle: str
) -> None:
    result = run(*args, *connect(server), home=tmp_path)
    assert result.returncode == code, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_wrong_key_is_a_server_error(server: EmulatorServer, tmp_path: pathlib.Path) -> None:
    result = run_process(
        "status",
        "00000000-0000-0000-0000-000000000001",
        "--host",
        server.url,
        "--api-key",
        "wrong-key-777",
        home=tmp_path,
    )
    assert result.returncode == 4
    assert "Not authorized" in result.stderr and "wrong-key-777" not in result.stderr


def test_missing_key_says_how_to_set_it(tmp_path: pathlib.Path) -> None:
    result = run_process(
        "status",
        "00000000-0000-0000-0000-000000000001",
        home=tmp_path,
        env={"SUPERSTAQ_API_KEY": ""},
    )
    assert result.returncode == 2
    assert "SUPERSTAQ_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_key_and_host_from_environment(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=0)
    env = {"SUPERSTAQ_API_KEY": KEY, "SUPERSTAQ_REMOTE_HOST": server.url}
    result = run("status", job, home=tmp_path, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["status", "wait"])
def test_network_error_exits_4(tmp_path: pathlib.Path, command: str) -> None:
    # Nothing listens on loopback port 9 (discard) here: refused, retried, then given up.
    result = run(
        command,
        "00000000-0000-0000-0000-000000000001",
        "--host",
        "http://127.0.0.1:9",
        "--retry-seconds",
        "0.5",
        home=tmp_path,
        env={"SUPERSTAQ_API_KEY": KEY},
    )
    assert result.returncode == 4, result.stderr
    assert "Reached maximum number of retries" in result.stderr
    assert "connect" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # a wait that never heard back has no table to print


def test_demo_runs_end_to_end(tmp_path: pathlib.Path) -> None:
    result = run_process("demo", home=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:4]]
    # Each job's line comes as it finishes: the cancel at 1.5 s, the failure, the completion.
    assert [row[2] for row in rows] == ["cancelled", "failed", "completed"]
    assert "Circuit 1 - Circuit has 200 qubits" in result.stdout
    assert "3 of them submissions" in result.stdout
    assert "3/3 jobs done" in result.stderr


# --- Submitting, and ids from standard input -----------------------------------------------

CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}, {"cirq_type": "Circuit", "moments": []}]'


@pytest.fixture
def circuits(tmp_path: pathlib.Path) -> pathlib.Path:
    """A file of two serialized circuits."""
    path = tmp_path / "circuits.json"
    path.write_text(CIRCUITS)
    return path


def test_submit_prints_the_new_job_id(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:

    result = run(
        "submit",
        "--target",
        "ss_unconstrained_simulator",
        "--shots",
        "20",
        "--tag",
        "a",
        "--tag",
        "b",
        str(circuits),
        *connect(server),
        home=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    # (not its statuses: on the emulator's real clock they move on within a second)
    submitted = emulator.submitted(job_id)
    assert len(submitted.circuits) == 2
    assert {circuit.shots for circuit in submitted.circuits} == {20}
    assert submitted.tags == ("a", "b")


def test_submit_then_wait_dash_reads_the_ids_from_a_pipe(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    before = emulator.jobs_posted
    submitted = pipeline(
        f"sqcore submit --target ss_unconstrained_simulator - --host {server.url} "
        f"| sqcore wait - --poll 0.1..0.5 --timeout 30 --host {server.url}",
        home=tmp_path,
        stdin=json.dumps([{"cirq_type": "Circuit", "moments": []}]),
    )

    assert submitted.returncode == 0, submitted.stderr
    assert emulator.jobs_posted == before + 1
    (row,) = submitted.stdout.splitlines()[1:]
    assert row.split()[2] == "completed"
    assert "1/1 jobs done" in submitted.stderr


def test_dash_reads_ids_for_status_and_cancel(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    ids = [emulator.create_job(durations=60) for _ in range(2)]

    status = run("status", "-", *connect(server), home=tmp_path, stdin="\n".join(ids) + "\n\n")
    cancel = run("cancel", "-", *connect(server), home=tmp_path, stdin="\n".join(ids))

    assert status.returncode == 0, status.stderr
    assert [line.split()[0] for line in status.stdout.splitlines()[1:]] == ids
    assert cancel.stdout.split() == [ids[0], "cancelled", ids[1], "cancelled"]


def test_off_a_terminal_wait_writes_a_line_only_when_something_changed(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=1.5)  # three stages of 0.5 s, then completed

    result = run("wait", job, "--poll", "0.1", *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    first, *changed = result.stderr.splitlines()
    # It polled some 15 times; it wrote the first poll, then a line per change only (the
    # first poll may already be past "received" on a loaded machine).
    assert first.startswith("[") and " -> " not in first
    assert 1 <= len(changed) <= 3
    assert all(f": {job[:8]} " in line and " -> " in line for line in changed)
    assert changed[-1].endswith(f"{job[:8]} simulating -> completed")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["submit", "--target", "", "{file}"], "target must not be empty"),
        (["submit", "--target", "t", "--shots", "-3", "{file}"], "shots must be >= 0"),
        (["submit", "--target", "t", "{missing}"], "cannot read the circuits"),
        (["submit", "{file}"], "--target"),
        (["wait", "-", "x"], "'-' reads the ids from standard input"),
        (["wait", "00000000-0000-0000-0000-000000000001", "--poll", "5..1"], "must be >= initial"),
        (["wait", "00000000-0000-0000-0000-000000000001", "--poll", "a..b"], "MIN..MAX"),
        (["status", "-"], "no job ids on standard input"),
    ],
)
def test_bad_submit_and_stdin_arguments_exit_2_saying_what(
    server: EmulatorServer,
    tmp_path: pathlib.Path,
    args: list[str],
    needle: str,
    circuits: pathlib.Path,
) -> None:
    paths = {"file": str(circuits), "missing": str(tmp_path / "none.json")}

    result = run(*(arg.format(**paths) for arg in args), *connect(server), home=tmp_path, stdin="")

    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


JOB_A, JOB_B = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"


def test_show_given_several_ids_on_standard_input_exits_2_saying_it_takes_one(
    server: EmulatorServer,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    ids = io.StringIO(
        "00000000-0000-0000-0000-000000000001\n00000000-0000-0000-0000-000000000002\n"
    )

    code = main(["show", "-", *connect(server)], out=out, err=err, stdin=ids)

    assert code == 2
    assert "show takes one job id; standard input gave 2" in err.getvalue()
    assert out.getvalue() == ""


# --- A hostile server's replies --------------------------------------------------------------


def replying(body: bytes) -> HostileServer:
    """A loopback server that answers every request with `body` (a 200, JSON)."""
    return HostileServer([Reply(200, (("Content-Type", "application/json"),), body)])


@pytest.mark.parametrize("command", [["status"], ["wait"], ["show"], ["show", "--json"]])
def test_a_reply_nested_too_deeply_is_one_error_line_with_exit_4(
    tmp_path: pathlib.Path, command: list[str]
) -> None:
    with replying(nested_reply(JOB_65, "completed")) as server:
        result = run(*command, JOB_65, "--host", server.origin, home=tmp_path)

    assert result.returncode == 4, result.stderr
    (line,) = result.stderr.splitlines()
    assert JOB_65 in line and "nests arrays or objects too deeply to be read (at $)" in line


@pytest.mark.parametrize("command", [["show"], ["show", "--json"]])
def test_a_job_whose_metadata_nests_as_deep_as_can_be_read_is_shown(
    tmp_path: pathlib.Path, command: list[str]
) -> None:
    with replying(nested_reply(JOB_65, "completed", depth=800)) as server:
        result = run(*command, JOB_65, "--host", server.origin, home=tmp_path)

    assert result.returncode == 0, result.stderr[-300:]
    assert result.stderr == ""
    if "--json" in command:
        shown = msgspec.json.decode(result.stdout)
        assert shown["metadata"] == msgspec.json.decode(nested(800))


# --- The polling floor ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("poll", "shown"), [("0", "polling_seconds=0.0"), ("0.01..1", "Backoff(initial=0.01)")]
)
def test_a_poll_below_a_tenth_of_a_second_polls_at_that_floor_with_one_warning_line(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path, poll: str, shown: str
) -> None:
    job = emulator.create_job(durations=1.0)

    result = run("wait", job, "--poll", poll, *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning == [
        f"sqcore: warning: {shown} would flood the server with requests: polling every 0.1 s "
        "instead, the shortest interval sqcore polls at"
    ]
    asked = sum(job in request.job_ids for request in emulator.requests)
    assert asked <= 15  # about 10 in the job's second; thousands without the floor


# --- Output closed early ---------------------------------------------------------------------


def piped(
    *args: str, home: pathlib.Path, read_first_line: bool, runs: int = 10
) -> list[tuple[int, str]]:
    """`sqcore args... | head -1`, `runs` times at once: each with its standard output a real
    pipe, closed after its first line (or, when not `read_first_line`, before it writes at
    all). Each run's exit code and standard error."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSTAQ_")}
    environment.update({"HOME": str(home), "PYTHONPATH": str(ROOT), "SUPERSTAQ_API_KEY": KEY})
    environment["PYTHONUNBUFFERED"] = "1"  # every write reaches the pipe at once
    processes = []
    for _ in range(runs):
        process = subprocess.Popen(
            [sys.executable, "-m", "sqcore", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        assert process.stdout is not None
        if not read_first_line:
            process.stdout.close()  # before it can have written anything
        processes.append(process)
    results = []
    for process in processes:
        assert process.stdout is not None and process.stderr is not None
        if read_first_line:
            process.stdout.readline()
            process.stdout.close()
        error = process.stderr.read().decode()
        process.stderr.close()
        results.append((process.wait(timeout=30), error))
    return results


@pytest.mark.parametrize("read_first_line", [True, False], ids=["head -1", "closed at once"])
@pytest.mark.parametrize("command", ["show --json", "status"])
def test_output_closed_early_ends_quietly_with_141_in_ten_of_ten_runs(
    server: EmulatorServer,
    emulator: Emulator,
    tmp_path: pathlib.Path,
    command: str,
    read_first_line: bool,
) -> None:
    ids = [emulator.create_job(num_circuits=3, durations=0) for _ in range(3)]
    args = ["show", ids[0], "--json"] if command == "show --json" else ["status", *ids]

    results = piped(*args, *connect(server), home=tmp_path, read_first_line=read_first_line)

    assert [error for _, error in results] == [""] * 10  # no traceback, no message
    codes = {code for code, _ in results}
    # After its first line is read, a run may have written everything before the pipe was
    # closed (0); a run whose pipe was closed before it wrote is always cut short (141).
    assert codes <= {0, 141} if read_first_line else codes == {141}


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_main_returns_141_and_says_nothing_when_its_output_is_closed(
    server: EmulatorServer, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPERSTAQ_API_KEY", KEY)
    err = io.StringIO()

    code = main(["status", emulator.create_job(), *connect(server)], out=_ClosedPipe(), err=err)

    assert (code, err.getvalue()) == (141, "")


# --- JSON, and what a timed-out wait knows ----------------------------------------------------


def test_status_json_gives_each_jobs_overall_status_and_data(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    done = emulator.create_job(num_circuits=2, durations=0, tags=("x",))
    failed = emulator.create_job(num_circuits=2, durations=0, fail={1: "bad"})

    result = run("status", done, failed, "--json", *connect(server), home=tmp_path)

    assert result.returncode == 1, result.stderr
    shown = json.loads(result.stdout)
    assert list(shown) == [done, failed]
    assert shown[done]["status"] == "completed" and shown[done]["tags"] == ["x"]
    assert shown[done]["statuses"] == ["completed", "completed"]
    assert shown[done]["job_type"] == "simulate"
    assert shown[failed]["status"] == "failed"
    assert shown[failed]["status_messages"][1] == "bad"
    show = json.loads(run("show", done, "--json", *connect(server), home=tmp_path).stdout)
    assert {**show, "status": "completed"} == shown[done]


def test_wait_json_gives_the_finished_jobs_data(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=0.3, target="ibmq_brisbane_qpu")

    result = run("wait", job, "--poll", "0.1", "--json", *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown[job]["status"] == "completed" and shown[job]["target"] == "ibmq_brisbane_qpu"


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_a_wait_that_times_out_prints_what_it_knows_then_one_error_line(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path, as_json: bool
) -> None:
    done = emulator.create_job(durations=0, target="ibmq_brisbane_qpu")
    slow = emulator.create_job(num_circuits=2, durations=60)
    json_flag = ["--json"] if as_json else []

    result = run(
        "wait",
        done,
        slow,
        "--poll",
        "0.1",
        "--timeout",
        "0.3",
        *json_flag,
        *connect(server),
        home=tmp_path,
    )

    assert result.returncode == 3
    assert result.stderr.splitlines()[-1].startswith(
        "sqcore: error: Timed out while waiting for results: 1 of 2 jobs still open"
    )
    if as_json:
        shown = json.loads(result.stdout)
        assert shown[done]["status"] == "completed"
        assert shown[done]["target"] == "ibmq_brisbane_qpu"
        assert shown[slow] == {"status": "received", "statuses": ["received", "received"]}
    else:
        rows = [line.split() for line in result.stdout.splitlines()]
        assert rows[1] == [done, "ibmq_brisbane_qpu", "completed", "1/1"]
        assert rows[2] == [slow, "-", "received", "0/2"]


# --- The key: not on the command line -----------------------------------------------------------


def test_api_key_on_the_command_line_still_works_with_a_warning_saying_why_and_what_instead(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=0)

    result = run(
        "status",
        job,
        "--api-key",
        KEY,
        *connect(server),
        home=tmp_path,
        env={"SUPERSTAQ_API_KEY": "not-this-one"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "sqcore: warning: --api-key shows the key to every user of this machine (in the "
        "process list); use --api-key-file PATH, --api-key-file - (standard input), "
        "SUPERSTAQ_API_KEY or the key file\n"
    )


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_the_key_is_read_from_a_file_or_standard_input(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path, source: str
) -> None:
    job = emulator.create_job(durations=0)
    key_file = tmp_path / "key"
    key_file.write_text(f"  {KEY}  \nsecond line ignored\n")
    path = str(key_file) if source == "file" else "-"

    result = run(
        "status",
        job,
        "--api-key-file",
        path,
        *connect(server),
        home=tmp_path,
        env={"SUPERSTAQ_API_KEY": "not-this-one"},
        stdin=f"{KEY}\n",
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and job in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["--api-key-file", "{missing}"], "", "cannot read the API key from"),
        (["--api-key-file", "{empty}"], "", "no API key on the first line of"),
        (["--api-key-file", "-"], "\n", "no API key on the first line of standard input"),
        (["--api-key-file", "-", "-"], "x\n", "the API key or the job ids, not both"),
        (["--api-key-file", "{empty}", "--api-key", "k"], "", "not allowed with argument"),
    ],
)
def test_a_key_that_cannot_be_read_is_a_usage_error_saying_why(
    server: EmulatorServer,
    tmp_path: pathlib.Path,
    args: list[str],
    stdin: str,
    needle: str,
) -> None:
    (tmp_path / "empty").write_text("\n")
    paths = {"missing": str(tmp_path / "missing"), "empty": str(tmp_path / "empty")}
    given = [arg.format(**paths) for arg in args]
    ids = [] if "-" in given[2:] else ["00000000-0000-0000-0000-000000000001"]

    result = run("status", *ids, *given, *connect(server), home=tmp_path, stdin=stdin)

    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert needle in line


# --- Every error one line, every exit code documented --------------------------------------------


def test_a_server_message_of_several_lines_is_one_error_line(tmp_path: pathlib.Path) -> None:
    body = json.dumps({"detail": "first line\nsecond line\n\n  third"}).encode()
    with HostileServer([Reply(418, (("Content-Type", "application/json"),), body)]) as server:
        result = run("status", JOB_65, "--host", server.origin, home=tmp_path)

    assert result.returncode == 4
    assert result.stderr == "sqcore: error: first line second line third (Status code: 418)\n"


def test_help_lists_every_exit_code() -> None:
    out = io.StringIO()

    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["--help"])

    table = out.getvalue().partition("exit codes:\n")[2].split()
    listed = [int(word) for word in table if word.isdigit()]
    codes = sorted(
        value
        for name, value in vars(cli).items()
        if name.startswith("EXIT_") and name != "EXIT_CODES"
    )
    assert listed == codes == [0, 1, 2, 3, 4, 5, 130, 141]


def test_ctrl_c_ends_a_wait_with_one_line_and_exit_130(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    slow = emulator.create_job(durations=60)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "SUPERSTAQ_API_KEY": KEY}
    process = subprocess.Popen(
        [sys.executable, "-m", "sqcore", "wait", slow, "--poll", "0.1", *connect(server)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first poll's progress line: it is waiting

    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)

    assert first.startswith("[") and process.returncode == 130
    assert rest == "sqcore: error: interrupted\n"


# --- Finding jobs again, and submissions that may have been created ------------------------


def test_jobs_lists_the_jobs_found_as_a_table(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    done = emulator.create_job(num_circuits=2, durations=0, tags=("cli-jobs",))
    running = emulator.create_job(durations=60, target="ibmq_brisbane_qpu", tags=("cli-jobs",))
    emulator.create_job(tags=("someone-else",))

    result = run("jobs", "--tag", "cli-jobs", *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["JOB", "TARGET", "STATUS", "CIRCUITS", "DONE", "SUBMITTED"]
    assert [row.split()[:4] for row in rows] == [
        [done, "ss_unconstrained_simulator", "completed", "2/2"],
        [running, "ibmq_brisbane_qpu", "received", "0/1"],
    ]
    submitted = datetime.datetime.fromisoformat(rows[0].split()[4])
    assert abs(submitted.timestamp() - time.time()) < 60


def test_jobs_filters_by_status_target_and_since(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    done = emulator.create_job(durations=0, tags=("cli-filters",))
    # received for the whole test (six runs, each a second or more if a machine is loaded)
    open_job = emulator.create_job(
        durations=3600, target="ibmq_brisbane_qpu", tags=("cli-filters",)
    )
    tag = ["--tag", "cli-filters", "--ids"]

    def found(*args: str) -> list[str]:
        result = run("jobs", *tag, *args, *connect(server), home=tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert found("--status", "completed") == [done]
    assert found("--status", "completed", "--status", "received") == [done, open_job]
    assert found("--target", "ibmq_brisbane_qpu") == [open_job]
    assert found("--since", "2000-01-01T00:00Z") == [done, open_job]
    assert found("--since", "2999-01-01T00:00:00+00:00") == []
    assert found("--since", "2999-01-01") == []  # no zone: local time


def test_jobs_ids_pipe_into_wait(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    ids = [emulator.create_job(durations=0.3, tags=("cli-pipe",)) for _ in range(2)]
    connection = f"--host {server.url}"

    piped = pipeline(
        f"sqcore jobs --tag cli-pipe --ids {connection} "
        f"| sqcore wait - --poll 0.05 --timeout 30 {connection}",
        home=tmp_path,
    )

    assert piped.returncode == 0, piped.stderr
    rows = [line.split() for line in piped.stdout.splitlines()[1:]]
    assert [(row[0], row[2]) for row in rows] == [(job_id, "completed") for job_id in ids]


def test_jobs_json_prints_the_data_of_each_job_by_id(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=0, tags=("cli-json",), metadata={"k": 1})

    result = run("jobs", "--tag", "cli-json", "--json", *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [job]
    assert data[job]["statuses"] == ["completed"]
    assert data[job]["tags"] == ["cli-json"] and data[job]["metadata"] == {"k": 1}
    assert datetime.datetime.fromisoformat(data[job]["submission_timestamp"]).tzinfo


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["jobs", "--since", "yesterday"], "'yesterday' is not an ISO 8601 time"),
        (["jobs", "--status", "done"], "invalid choice: 'done'"),
        (["jobs", "--ids", "--json"], "not allowed with argument"),
    ],
)
def test_bad_jobs_arguments_exit_2_saying_what(
    server: EmulatorServer, tmp_path: pathlib.Path, args: list[str], needle: str
) -> None:
    result = run(*args, *connect(server), home=tmp_path)

    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_submit_find_again_sends_a_submission_tag(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:
    result = run(
        "submit", "--target", "t", "--tag", "a", "--find-again", str(circuits),
        *connect(server), home=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    tags = emulator.submitted(result.stdout.strip()).tags
    assert tags[0] == "a" and tags[1].startswith("sqcore-submission:") and len(tags) == 2


@pytest.fixture
def lossy() -> Iterator[tuple[Emulator, str]]:
    """An emulator behind a loopback server that creates each job it is sent and then drops
    the connection without a reply; and the server's URL."""
    behind = Emulator(api_key=KEY)
    with servers() as serve:
        yield behind, emulator_behind(serve, behind, lambda _reply: Hangup()).origin


@pytest.mark.parametrize("find_again", [False, True], ids=["plain", "--find-again"])
def test_a_submission_whose_reply_is_lost_exits_5_or_is_found_again(
    lossy: tuple[Emulator, str], tmp_path: pathlib.Path, find_again: bool, circuits: pathlib.Path
) -> None:
    behind, url = lossy
    flag = ["--find-again"] if find_again else []
    connection = ["--host", url]

    result = run(
        "submit", "--target", "t", "--tag", "lost one", *flag, str(circuits), *connection,
        home=tmp_path,
    )  # fmt: skip

    (created,) = [r.job_ids[0] for r in behind.requests if r.method == "POST"]
    if find_again:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == created
        return
    assert result.returncode == 5, result.stderr
    (line,) = result.stderr.splitlines()
    assert "The job may have been created: look for it with find_jobs(" in line
    assert "Traceback" not in line
    # The command the message gives finds the job.
    command = shlex.split(line.split("From the shell: ", 1)[1])
    assert command[:4] == ["sqcore", "jobs", "--tag=lost one", "--since"]
    found = run(*command[1:], "--ids", *connection, home=tmp_path)
    assert found.stdout.split() == [created]


def test_a_500_after_the_submission_was_sent_exits_5(
    tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:
    behind = Emulator(api_key=KEY)
    with servers() as serve:
        kaput = Reply(500, (), b'{"detail": "kaput"}')
        url = emulator_behind(serve, behind, lambda _reply: kaput).origin
        result = run(
            "submit", "--target", "t", str(circuits), "--host", url,
            home=tmp_path,
        )  # fmt: skip

    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("sqcore: error: kaput. The job may have been created")
    assert behind.jobs_posted == 1


def test_a_lost_submission_not_found_again_exits_5_naming_its_tag(
    tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:
    with servers() as serve:
        server = serve([Hangup()])  # every request, the lookup too, goes unanswered
        result = run_process(
            "submit", "--target", "t", "--find-again", str(circuits),
            "--host", server.origin, "--retry-seconds", "0", home=tmp_path,
        )  # fmt: skip

    assert result.returncode == 5, result.stderr
    (line,) = result.stderr.splitlines()
    tag = line.split("From the shell: sqcore jobs --tag ", 1)[1]
    assert tag.startswith("sqcore-submission:")
    assert f"look for it with find_jobs(tags=['{tag}'])" in line


def test_a_submission_certainly_not_created_exits_4(
    server: EmulatorServer, tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:
    result = run(
        "submit", "--target", "t", "--find-again", str(circuits),
        "--host", server.url, "--api-key", "wrong-key-778", home=tmp_path,
    )  # fmt: skip

    assert result.returncode == 4, result.stderr
    assert "Not authorized" in result.stderr and "may have been created" not in result.stderr


def test_ctrl_c_after_a_submission_was_sent_says_the_job_may_have_been_created(
    tmp_path: pathlib.Path, circuits: pathlib.Path
) -> None:
    posted = threading.Event()

    def sit_on_it(_reply: Reply) -> Stall:
        posted.set()
        return Stall(60)

    behind = Emulator(api_key=KEY)
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "SUPERSTAQ_API_KEY": KEY,
    }
    with servers() as serve:
        url = emulator_behind(serve, behind, sit_on_it).origin
        process = subprocess.Popen(
            [sys.executable, "-m", "sqcore", "submit", "--target", "t", "--find-again",
             str(circuits), "--host", url],
            stderr=subprocess.PIPE, text=True, env=environment,
        )  # fmt: skip
        try:
            assert posted.wait(30), "the submission never arrived"
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
        finally:
            process.kill()

    assert process.returncode == 130
    (line,) = stderr.splitlines()
    (tag,) = behind.submitted(behind.requests[0].job_ids[0]).tags
    assert line.startswith("sqcore: error: interrupted: submitting a job to t (submission tag ")
    assert f"find_jobs(tags=['{tag}'])" in line
