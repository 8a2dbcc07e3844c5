"""Review: every error of the command line is one line with a documented exit code.

Issue 18: "the CLI exits quietly on a closed pipe and every error is one line with a
documented exit code". Two errors still escape as tracebacks with exit 1 (which means "some
job failed"):

- `sqcore jobs` with tags too long for one URL: `find_jobs` refuses the query with a
  `ValueError` (documented), which the command does not catch.
- `sqcore wait --timeout inf` (documented: "inf waits for ever") with a polling interval
  longer than the system clock can sleep: `time.sleep` raises `OverflowError`.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

from transports.emulator import Emulator, EmulatorServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "sk-review-cli-exit"


def command(*args: str, home: pathlib.Path) -> tuple[list[str], dict[str, str]]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSTAQ_")}
    environment.update({"HOME": str(home), "PYTHONPATH": str(ROOT), "SUPERSTAQ_API_KEY": KEY})
    return [sys.executable, "-m", "sqcore", *args], environment


def test_tags_too_long_for_a_url_are_one_error_line_with_exit_2(tmp_path: pathlib.Path) -> None:
    with EmulatorServer(Emulator(api_key=KEY)) as server:
        argv, environment = command(
            "jobs", "--tag", "x" * 5000, "--host", server.url, home=tmp_path
        )
        result = subprocess.run(
            argv, capture_output=True, text=True, env=environment, timeout=60, check=False
        )

    assert result.returncode == 2, result.stderr[-300:]
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("sqcore: error: ")


def test_a_wait_for_ever_with_an_interval_too_long_to_sleep_is_no_traceback(
    tmp_path: pathlib.Path,
) -> None:
    emulator = Emulator(api_key=KEY)
    with EmulatorServer(emulator) as server:
        wait_for_ever(emulator, server, tmp_path)


def wait_for_ever(emulator: Emulator, server: EmulatorServer, tmp_path: pathlib.Path) -> None:
    """Runs `sqcore wait --timeout inf --poll 1e12` on an open job, as the test describes."""
    job = emulator.create_job(durations=3600)
    argv, environment = command(
        "wait", job, "--timeout", "inf", "--poll", "1e12", "--host", server.url, home=tmp_path
    )
    polled = len(emulator.requests)

    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    try:
        # The first poll, then a second to fail in (the failure follows the poll within
        # milliseconds): a correct wait is asleep by then (still running), a refused interval
        # has exited with a usage error.
        give_up = time.monotonic() + 30.0
        while len(emulator.requests) == polled and process.poll() is None:
            assert time.monotonic() < give_up, "the wait never polled"
            time.sleep(0.05)
        try:
            _, stderr = process.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:
            return  # asleep: a wait for ever
    finally:
        process.kill()
        process.communicate()

    assert process.returncode == 2, stderr[-300:]
    assert len(stderr.splitlines()) == 1
