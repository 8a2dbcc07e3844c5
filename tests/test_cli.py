"""The command line end to end: a subprocess against the loopback emulator server."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import msgspec
import pytest

from tests.fixtures import JOB_65, nested, nested_reply
from tests.wire.hostile import HostileServer, Reply
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


def run(
    *args: str,
    home: pathlib.Path,
    env: dict[str, str] | None = None,
    timeout: float = 30,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSTAQ_")}
    environment.update({"HOME": str(home), "XDG_DATA_HOME": str(home), "PYTHONPATH": str(ROOT)})
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


def connect(server: EmulatorServer) -> list[str]:
    return ["--host", server.url, "--api-key", KEY]


def test_status_table(server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path) -> None:
    done = emulator.create_job(num_circuits=2, durations=0)
    running = emulator.create_job(num_circuits=3, durations=60, target="ibmq_brisbane_qpu")
    result = run("status", done, running.upper(), *connect(server), home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["JOB", "TARGET", "STATUS", "CIRCUITS", "DONE"]
    assert lines[1].split() == [done, "ss_unconstrained_simulator", "completed", "2/2"]
    assert lines[2].split()[0] == running and lines[2].split()[3] == "0/3"


def test_status_with_failed_job_exits_1(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    failed = emulator.create_job(num_circuits=2, durations=0, fail={0: "bad"})
    result = run("status", failed, *connect(server), home=tmp_path)
    assert result.returncode == 1
    assert "failed" in result.stdout


def test_wait_shows_progress_and_exits_0(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
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
    result = run("wait", slow, "--poll", "0.1", "--timeout", "0.3", *connect(server), home=tmp_path)
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
    result = run(
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
    result = run("status", "00000000-0000-0000-0000-000000000001", home=tmp_path)
    assert result.returncode == 2
    assert "SUPERSTAQ_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_key_and_host_from_environment(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    job = emulator.create_job(durations=0)
    env = {"SUPERSTAQ_API_KEY": KEY, "SUPERSTAQ_REMOTE_HOST": server.url}
    result = run("status", job, home=tmp_path, env=env)
    assert result.returncode == 0, result.stderr


def test_network_error_exits_4(tmp_path: pathlib.Path) -> None:
    # Nothing listens on loopback port 9 (discard) here: refused, retried, then given up.
    result = run(
        "status",
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


def test_demo_runs_end_to_end(tmp_path: pathlib.Path) -> None:
    result = run("demo", home=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:4]]
    # Each job's line comes as it finishes: the cancel at 1.5 s, the failure, the completion.
    assert [row[2] for row in rows] == ["cancelled", "failed", "completed"]
    assert "Circuit 1 - Circuit has 200 qubits" in result.stdout
    assert "3 of them submissions" in result.stdout
    assert "3/3 jobs done" in result.stderr


# --- Submitting, and ids from standard input -----------------------------------------------

CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}, {"cirq_type": "Circuit", "moments": []}]'


def test_submit_prints_the_new_job_id(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    circuits = tmp_path / "circuits.json"
    circuits.write_text(CIRCUITS)

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
    assert emulator.statuses(job_id) == ["received", "received"]
    assert emulator.submitted(job_id).tags == ("a", "b")


def test_submit_then_wait_dash_reads_the_ids_from_a_pipe(
    server: EmulatorServer, emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    before = emulator.jobs_posted
    submitted = subprocess.run(
        f"{sys.executable} -m sqcore submit --target ss_unconstrained_simulator - "
        f"--host {server.url} --api-key {KEY} "
        f"| {sys.executable} -m sqcore wait - --poll 0.1..0.5 --timeout 30 "
        f"--host {server.url} --api-key {KEY}",
        shell=True,
        input=json.dumps([{"cirq_type": "Circuit", "moments": []}]),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        check=False,
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
    job = emulator.create_job(durations=2.4)  # three stages of 0.8 s, then completed

    result = run("wait", job, "--poll", "0.1", *connect(server), home=tmp_path)

    assert result.returncode == 0, result.stderr
    first, *changed = result.stderr.splitlines()
    # It polled some 24 times; it wrote the first poll, then a line per change only (the
    # first poll may already be past "received": the subprocess takes a while to start).
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
    server: EmulatorServer, tmp_path: pathlib.Path, args: list[str], needle: str
) -> None:
    circuits = tmp_path / "circuits.json"
    circuits.write_text(CIRCUITS)
    paths = {"file": str(circuits), "missing": str(tmp_path / "none.json")}

    result = run(*(arg.format(**paths) for arg in args), *connect(server), home=tmp_path, stdin="")

    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


# --- A hostile server's replies --------------------------------------------------------------


def replying(body: bytes) -> HostileServer:
    """A loopback server that answers every request with `body` (a 200, JSON)."""
    return HostileServer([Reply(200, (("Content-Type", "application/json"),), body)])


@pytest.mark.parametrize("command", [["status"], ["wait"], ["show"], ["show", "--json"]])
def test_a_reply_nested_too_deeply_is_one_error_line_with_exit_4(
    tmp_path: pathlib.Path, command: list[str]
) -> None:
    with replying(nested_reply(JOB_65, "completed")) as server:
        result = run(*command, JOB_65, "--host", server.origin, "--api-key", KEY, home=tmp_path)

    assert result.returncode == 4, result.stderr
    (line,) = result.stderr.splitlines()
    assert JOB_65 in line and "nests arrays or objects too deeply to be read (at $)" in line


@pytest.mark.parametrize("command", [["show"], ["show", "--json"]])
def test_a_job_whose_metadata_nests_as_deep_as_can_be_read_is_shown(
    tmp_path: pathlib.Path, command: list[str]
) -> None:
    with replying(nested_reply(JOB_65, "completed", depth=800)) as server:
        result = run(*command, JOB_65, "--host", server.origin, "--api-key", KEY, home=tmp_path)

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
