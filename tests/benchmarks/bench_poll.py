"""Poll: one status refresh of one open job from a canned reply, sqcore vs upstream.

Both sides do the same work, with no network: build the request, get the canned bytes back
through their transport layer (a `transports.FunctionTransport` for sqcore, a `requests`
adapter mounted on upstream's session), decode, and compute the overall status. Each call
uses a fresh job (`Job(client, id).status()`, public API; upstream's `Job(client,
id)._status()`), so every call refreshes. The job has 1, 100 or 1000 circuits, a tenth of
them (at least one) still running, so it is open, with realistic data (`_data`): the reply
grows with the circuits, to 5.8 MB at 1000. Target (upstream time / sqcore time): >= 5 in
every case.
"""

from __future__ import annotations

from collections.abc import Callable

from sqcore import Client, Job
from tests.benchmarks import _data, _harness, _upstream
from tests.benchmarks._canned import HOST, KEY, canned_transport
from tests.benchmarks._harness import Figure, Settings, Target, format_bytes
from transports import Request

__all__ = ["CASES", "TARGET", "run"]

JOB_ID = _data.job_ids(1, seed=11)[0]

#: Circuits of the job.
CASES = (1, 100, 1000)
TARGET = Target(">=", 5.0)


def sides(body: bytes) -> tuple[Callable[[], str], Callable[[], str]]:
    """The sqcore and upstream "fresh job, one status refresh" calls over canned `body`."""

    def canned(_: Request) -> bytes:
        return body

    client = Client(api_key=KEY, remote_host=HOST, transport=canned_transport(canned))
    upstream = _upstream.make_client(HOST, KEY)
    _upstream.mount_canned(upstream, _upstream.CannedAdapter(lambda _url: body))
    upstream_job = _upstream.gss().job.Job

    def ours() -> str:
        return Job(client, JOB_ID).status().value

    def theirs() -> str:
        return str(upstream_job(upstream, JOB_ID)._status().value)

    return ours, theirs


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Measures each case; returns one figure per case."""
    figures = []
    for circuits in CASES:
        still_open = max(1, circuits // 10)
        body = _data.reply_body(
            {JOB_ID: _data.job_json(circuits, seed=circuits, open_circuits=still_open)}
        )
        ours, theirs = sides(body)
        if ours() != theirs() or ours() != "running":
            raise AssertionError(f"status at {circuits} circuits: {ours()} vs {theirs()}")
        log(f"poll 1x{circuits} ({len(body):,} bytes)")
        t_ours, t_theirs = _harness.interleave(
            (ours, theirs), settings.pairs, settings.block_seconds
        )
        figures.append(
            _harness.timed_figure(
                bench="poll",
                case=f"1 job x {circuits}",
                times={"sqcore": t_ours, "upstream": t_theirs},
                over=("upstream", "sqcore"),
                target=TARGET,
                detail=f"reply {format_bytes(len(body))}",
                context={"body_bytes": len(body)},
            )
        )
    return figures
