"""The reply fixtures (tests/replies/*.json, exactly as upstream's models serialise them), and
fetch replies built from them. The repository carries them: the suite reads nothing outside it."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping

FIXTURES = pathlib.Path(__file__).resolve().parent / "replies"


def fixture(name: str) -> bytes:
    """The bytes of fixture `name` (e.g. "fetch_two_jobs.json")."""
    return (FIXTURES / name).read_bytes()


JOB_65 = "00000000-0000-0000-0000-000000000065"
JOB_66 = "00000000-0000-0000-0000-000000000066"
JOB_67 = "00000000-0000-0000-0000-000000000067"
JOB_68 = "00000000-0000-0000-0000-000000000068"


def job_65(**changes: object) -> dict[str, object]:
    """The job of fetch_completed_single.json (JOB_65) as JSON values, with `changes`."""
    entry = json.loads(fixture("fetch_completed_single.json"))[JOB_65]
    assert isinstance(entry, dict)
    entry.update(changes)
    return entry


def job_without_circuits(**changes: object) -> dict[str, object]:
    """JOB_65 with no circuits (every per-circuit list empty), as upstream accepts it."""
    empty: dict[str, object] = {
        name: [] for name, value in job_65().items() if isinstance(value, list) and name != "tags"
    }
    return job_65(**empty, num_circuits=0, **changes)


def reply_of(entries: Mapping[str, object]) -> bytes:
    """A fetch reply body: job id (or "warnings") to its JSON value."""
    return json.dumps(entries).encode()


#: How deep a hostile reply nests: past any recursion limit of msgspec's decoder.
DEEP = 100_000


def nested(depth: int = DEEP) -> bytes:
    """A JSON object `depth` objects deep: `{"a": {"a": ... null ...}}`."""
    return b'{"a": ' * depth + b"null" + b"}" * depth


def nested_reply(
    job_id: str = JOB_65, status: str = "running", depth: int = DEEP, *, key: str = "metadata"
) -> bytes:
    """A fetch reply of one job, well-formed but for its `key` field (by default `metadata`):
    objects nested `depth` deep, as a hostile server may send."""
    entry = job_65(statuses=[status], **{key: "NESTED"})
    return reply_of({job_id: entry}).replace(b'"NESTED"', nested(depth))
