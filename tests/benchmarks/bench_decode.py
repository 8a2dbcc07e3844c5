"""Decode: a fetch reply read in full into `JobData`, against a bare decode into the same types.

sqcore's side is the decode its client runs on every fetch reply it reads in full
(`sqcore.core.replies.parse_fetch_reply`, which `Client.fetch_jobs` calls: one pass into
`JobData`s and warnings, read again job by job only when something is wrong, so that the
error names the job and the path).
The floor is one `msgspec.json.Decoder(dict[str, JobData]).decode` of the same bytes: the
same types, with nothing else. A third side times the public call, `Client.fetch_jobs` over
a `FunctionTransport` serving the same bytes (request, transport, decode), for context.

Before timing, each case checks that every job, read through the public API
(`Job(client, id).to_dict()`), equals upstream's `JobData(**data).model_dump()` field for
field; a difference fails the figure. Target (sqcore time / floor time): <= 1.5.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import msgspec
from returns.pipeline import is_successful

from sqcore import Client, Job, JobData
from sqcore.core.replies import parse_fetch_reply
from tests.benchmarks import _data, _harness, _upstream
from tests.benchmarks._canned import HOST, KEY, batch_reply, canned_transport, requested_ids
from tests.benchmarks._harness import Figure, Settings, Target, format_bytes
from transports import Request

__all__ = ["CASES", "TARGET", "differing_fields", "run"]


#: (jobs, circuits per job)
CASES: tuple[tuple[int, int], ...] = ((1, 1), (1, 100), (100, 10))
TARGET = Target("<=", 1.5)

_floor_decoder = msgspec.json.Decoder(dict[str, JobData])


def differing_fields(ours: Mapping[str, object], theirs: Mapping[str, object]) -> list[str]:
    """The names of the fields whose values differ (or exist on one side only)."""
    return sorted(name for name in set(ours) | set(theirs) if ours.get(name) != theirs.get(name))


def upstream_fields(job_body: bytes) -> dict[str, object]:
    """Upstream's reading of one job's JSON: `JobData(**data).model_dump()`."""
    dumped: dict[str, object] = dict(
        _upstream.models().JobData(**json.loads(job_body)).model_dump()
    )
    return dumped


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Measures each case; returns one figure per case."""
    figures = []
    for jobs, circuits in CASES:
        ids = _data.job_ids(jobs, seed=jobs * 1000 + circuits)
        job_bodies = {
            job_id: _data.job_bytes(circuits, seed=index) for index, job_id in enumerate(ids)
        }
        body = batch_reply(ids, job_bodies)

        def canned(request: Request, job_bodies: dict[str, bytes] = job_bodies) -> bytes:
            return batch_reply(requested_ids(request.url), job_bodies)

        client = Client(api_key=KEY, remote_host=HOST, transport=canned_transport(canned))
        differing = sorted(
            {
                name
                for job_id in ids
                for name in differing_fields(
                    Job(client, job_id).to_dict(), upstream_fields(job_bodies[job_id])
                )
            }
        )
        parsed = parse_fetch_reply(body, ids)
        if not is_successful(parsed) or len(parsed.unwrap().jobs) != jobs:
            raise AssertionError(f"sqcore could not read the reply: {parsed}")

        def ours(body: bytes = body, ids: list[str] = ids) -> object:
            return parse_fetch_reply(body, ids)

        def floor(body: bytes = body) -> object:
            return _floor_decoder.decode(body)

        def public(client: Client = client, ids: list[str] = ids) -> object:
            return client.fetch_jobs(ids)

        log(f"decode {jobs}x{circuits} ({len(body):,} bytes)")
        t_ours, t_floor, t_public = _harness.interleave(
            (ours, floor, public), settings.pairs, settings.block_seconds
        )
        figure = _harness.timed_figure(
            bench="decode",
            case=f"{jobs} job{'s' if jobs > 1 else ''} x {circuits}",
            times={"sqcore": t_ours, "floor": t_floor, "public fetch_jobs": t_public},
            over=("sqcore", "floor"),
            target=TARGET,
            detail=f"reply {format_bytes(len(body))}"
            + (f"; DIFFERS from upstream in {', '.join(differing)}" if differing else ""),
            context={
                "body_bytes": len(body),
                "equal_to_upstream": not differing,
                "differing_fields": ", ".join(differing),
            },
        )
        if differing:
            figure.met = False
        figures.append(figure)
    return figures
