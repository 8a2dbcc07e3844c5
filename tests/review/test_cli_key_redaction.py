"""Review: the command line never prints the API key in a message it words.

A failed circuit's status message is the server's text, which may echo the key back: sqcore
redacts it in `SuperstaqUnsuccessfulJobException` ("Failure: [Circuit 0 - bad key
<redacted>]"), but `sqcore show` words the same summary on its `failures` line from the raw
messages, key and all."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from tests.fixtures import JOB_65, job_65, reply_of
from tests.wire.hostile import HostileServer, Reply

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "sk-review-Echoed-Key-99"


def test_the_failures_line_of_show_redacts_a_key_the_server_echoed(
    tmp_path: pathlib.Path,
) -> None:
    body = reply_of({JOB_65: job_65(statuses=["failed"], status_messages=[f"bad key {KEY}"])})
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSTAQ_")}
    environment.update({"SUPERSTAQ_API_KEY": KEY, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})

    with HostileServer([Reply(200, (("Content-Type", "application/json"),), body)]) as server:
        result = subprocess.run(
            [sys.executable, "-m", "sqcore", "show", JOB_65, "--host", server.origin],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1  # a failed job
    (failures,) = [line for line in result.stdout.splitlines() if line.startswith("failures")]
    assert "Circuit 0 - bad key " in failures
    assert KEY.lower() not in failures.lower()
