"""Poll: one status refresh of a fresh job from a canned reply, sqcore vs upstream.

Both sides do the same work, with no network: build the request, get the canned bytes back
through their transport layer (a `Transport` for sqcore, a `requests` adapter mounted on
upstream's session), decode, and compute the overall status. Each call uses a fresh Job, so
every call refreshes. Target (upstream time / sqcore time): >= 20 at 1 circuit, >= 10 at 100
and 1000 circuits.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from sqcore import Client, Job
from tests.benchmarks import _data, _upstream
from tests.benchmarks._canned import CannedTransport
from tests.benchmarks._harness import Figure, Settings, Target, figure_from_pairs, interleave
from transports import Request

__all__ = ["CASES", "run"]

KEY = "bench-key-0123456789"
HOST = "https://superstaq.example.invalid"
JOB_ID = _data.job_ids(1, seed=11)[0]

#: (circuits, target ratio upstream/sqcore)
CASES: tuple[tuple[int, float], ...] = ((1, 20.0), (100, 10.0), (1000, 10.0))


def sides(body: bytes) -> tuple[Callable[[], str], Callable[[], str]]:
    """The sqcore and upstream "fresh job, one status refresh" calls over canned `body`."""

    def canned(_: Request) -> bytes:
        return body

    client = Client(api_key=KEY, remote_host=HOST, transport=CannedTransport(canned))
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
    for circuits, target in CASES:
        body = _data.reply_body({JOB_ID: _data.job_json(circuits, seed=circuits)})
        ours, theirs = sides(body)
        if ours() != theirs():
            raise AssertionError(f"status differs at {circuits} circuits: {ours()} vs {theirs()}")
        log(f"poll 1x{circuits} ({len(body):,} bytes)")
        t_ours, t_theirs = interleave(ours, theirs, settings.pairs, settings.block_seconds)
        figures.append(
            figure_from_pairs(
                bench="poll",
                case=f"1 job x {circuits}",
                measure="time upstream/sqcore",
                numerators=t_theirs,
                denominators=t_ours,
                target=Target(">=", target),
                context={
                    "sqcore_seconds": statistics.median(t_ours),
                    "upstream_seconds": statistics.median(t_theirs),
                    "body_bytes": len(body),
                },
            )
        )
    return figures
