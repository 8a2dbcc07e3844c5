"""Review: `Job.status()` enters each module at most once on the way down (issue 19).

Issue 19's "Done when" and docs/architecture.md ("each module entered once each way") say
the walk of `Job.status()` on an open job never re-enters a module below itself. Traced
(sys.setprofile, frames of sqcore/ and transports/ collapsed to their modules), one stack
does: `engine/jobs.py` (refresh) -> `engine/calls.py` (fetch_each, read, a lambda) ->
`engine/jobs.py` (`_kept_whole`, the parse function refresh hands down), then
`core/replies.py`. A wait on many jobs does the same through `watch._Books.read`. The
drawn walk also leaves out `sqcore/shell/steps.py`, which sits between the driver and the
engine on every effect."""

from __future__ import annotations

import pathlib
import sys
from types import FrameType

from sqcore import Client, Job
from sqcore.testing import SimulatedClock
from transports.emulator import Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]
WATCHED = (str(ROOT / "sqcore") + "/", str(ROOT / "transports") + "/")


def _module(frame: FrameType) -> str | None:
    name = frame.f_code.co_filename
    return name[len(str(ROOT)) + 1 :] if name.startswith(WATCHED) else None


def _stacks_of_a_status_call() -> list[list[str]]:
    """Each stack (modules, consecutive frames of one module as one) seen in the call."""
    clock = SimulatedClock()
    emulator = Emulator(clock=clock, wall_clock=clock.time)
    job_id = emulator.create_job(num_circuits=2, durations=100)
    client = Client(
        api_key="sqcore-review",
        remote_host="https://superstaq.test",
        transport=emulator.transport(),
        clock=clock,
    )
    job = Job(client, job_id)
    stack: list[str | None] = []
    stacks: list[list[str]] = []

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            stack.append(_module(frame))
            modules: list[str] = []
            for module in stack:
                if module is not None and (not modules or modules[-1] != module):
                    modules.append(module)
            stacks.append(modules)
        elif event == "return" and stack:
            stack.pop()

    sys.setprofile(profile)
    try:
        job.status()
    finally:
        sys.setprofile(None)
    return stacks


def test_a_status_call_never_enters_a_module_again_below_itself() -> None:
    stacks = _stacks_of_a_status_call()
    assert any("sqcore/engine/calls.py" in modules for modules in stacks)
    reentered = {" > ".join(modules) for modules in stacks if len(modules) != len(set(modules))}
    assert reentered == set()
