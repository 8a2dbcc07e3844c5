"""Review: the command line prints any reply it could read, however deep its `metadata`.

`sqcore status/wait/jobs --json` read a reply (msgspec's decoder stops at the recursion
limit, counted from where it is called), then write it out again as JSON. Where the reply
nests almost as deeply as the decoder can read, the writing runs out of recursion where the
reading did not: a `RecursionError` traceback and exit 1 ("a job failed"), where issue 18
asks for one error line with a documented exit code, or the output. (Seen on Python 3.10
and 3.11 for `status --json`; on 3.11 for `wait --json` and `jobs --json` too.)

One subprocess runs `python -m sqcore` (by `runpy`, as `-m` does) against a loopback server
that answers with `metadata` of a given depth: it finds the shallowest depth the command
cannot read (bisecting), then runs the command at each depth just below it, and reports
each run's exit code and the start of its output."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

from tests.fixtures import JOB_65, nested_reply
from tests.wire.hostile import HostileServer, Reply

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: How many depths below the decoder's limit are tried one by one.
BELOW = 60

#: Runs `python -m sqcore ARGS... --host HOST`, the server's depth set through the file
#: `depth`: bisects for the shallowest depth that is not read (exit 4), then prints one JSON
#: line per depth from BELOW under it to it: depth, exit code, start of stdout, stderr.
DRIVER = """
import contextlib, io, json, pathlib, runpy, sys
host, depth_file, below, *args = sys.argv[1:]

def run(depth):
    pathlib.Path(depth_file).write_text(str(depth))
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["sqcore", *args, "--host", host]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_module("sqcore", run_name="__main__", alter_sys=True)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        except BaseException as error:
            code, err = "raised", io.StringIO(type(error).__name__)
    return code, out.getvalue()[:200], err.getvalue()

low, high = 1, 1 << 20  # read at low (exit 0), not at high
while high - low > 1:
    middle = (low + high) // 2
    if run(middle)[0] == 0:
        low = middle
    else:
        high = middle
for depth in range(max(1, high - int(below)), high + 1):
    print(json.dumps([depth, *run(depth)]), file=sys.__stdout__)
"""


def test_status_json_of_a_deep_reply_is_the_json_or_one_error_line(tmp_path: pathlib.Path) -> None:
    depth_file = tmp_path / "depth"
    depth_file.write_text("1")

    def reply(_index: int) -> Reply:
        body = nested_reply(JOB_65, "completed", int(depth_file.read_text()))
        return Reply(200, (("Content-Type", "application/json"),), body)

    driver = [sys.executable, "-c", DRIVER]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "SUPERSTAQ_API_KEY": "sk-review-deep"}
    with HostileServer(reply) as server:
        ran = subprocess.run(
            [*driver, server.origin, str(depth_file), str(BELOW), "status", JOB_65, "--json"],
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr[-500:]

    for line in ran.stdout.splitlines():
        depth, code, out, err = json.loads(line)
        if code == 0:
            assert out.startswith("{") and JOB_65 in out, (depth, out)
        else:
            assert code == 4, (depth, code, err[-300:])
            assert len(err.splitlines()) == 1, (depth, err[-300:])
