"""Decode: a fetch reply read in full into `JobData`, against the floor of a bare decode.

sqcore's side is the function its client runs on every fetch reply
(`sqcore._wire.parse_fetch_reply`: the id map, then each job as a `JobData`). The floor is
`msgspec.json.decode` of the same bytes into plain Python objects. Before timing, each case
checks that sqcore's `JobData` equals upstream's `JobData(**data).model_dump()` field for
field. Target (sqcore time / floor time): <= 1.3.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Mapping

import msgspec
from returns.pipeline import is_successful

from sqcore import JobData
from sqcore._handle import _plain  # as Job.to_dict: enums to their values
from sqcore._wire import parse_fetch_reply
from tests.benchmarks import _data, _upstream
from tests.benchmarks._harness import Figure, Settings, Target, figure_from_pairs, interleave

__all__ = ["CASES", "differing_fields", "run"]

#: (jobs, circuits per job)
CASES: tuple[tuple[int, int], ...] = ((1, 1), (1, 100), (100, 10))
TARGET = Target("<=", 1.3)


def differing_fields(ours: JobData, theirs: Mapping[str, object]) -> list[str]:
    """The names of the fields whose values differ (or exist on one side only)."""
    mine = {name: _plain(getattr(ours, name)) for name in ours.__struct_fields__}
    names = sorted(set(mine) | set(theirs))
    return [name for name in names if name not in mine or mine.get(name) != theirs.get(name)]


def upstream_fields(body: bytes, job_id: str) -> dict[str, object]:
    """Upstream's reading of one job of `body`: `JobData(**data).model_dump()`."""
    data = json.loads(body)[job_id]
    dumped: dict[str, object] = dict(_upstream.models().JobData(**data).model_dump())
    return dumped


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Measures each case; returns one figure per case."""
    figures = []
    for jobs, circuits in CASES:
        ids = _data.job_ids(jobs, seed=jobs * 1000 + circuits)
        body = _data.reply_body(
            {job_id: _data.job_json(circuits, seed=index) for index, job_id in enumerate(ids)}
        )
        parsed = parse_fetch_reply(body, ids)
        if not is_successful(parsed):
            raise AssertionError(f"sqcore could not read the reply: {parsed.failure()}")
        decoded = parsed.unwrap().jobs
        mismatches = {
            job_id: fields
            for job_id in ids
            if (fields := differing_fields(decoded[job_id], upstream_fields(body, job_id)))
        }

        def ours(body: bytes = body, ids: list[str] = ids) -> object:
            return parse_fetch_reply(body, ids)

        def floor(body: bytes = body) -> object:
            return msgspec.json.decode(body)

        log(f"decode {jobs}x{circuits} ({len(body):,} bytes)")
        t_ours, t_floor = interleave(ours, floor, settings.pairs, settings.block_seconds)
        figures.append(
            figure_from_pairs(
                bench="decode",
                case=f"{jobs} job{'s' if jobs > 1 else ''} x {circuits}",
                measure="time sqcore/floor",
                numerators=t_ours,
                denominators=t_floor,
                target=TARGET,
                context={
                    "sqcore_seconds": statistics.median(t_ours),
                    "floor_seconds": statistics.median(t_floor),
                    "body_bytes": len(body),
                    "equal_to_upstream": not mismatches,
                    "differing_fields": ", ".join(
                        sorted({name for names in mismatches.values() for name in names})
                    ),
                },
            )
        )
    return figures
