"""Pure: the JSON bodies the emulator writes, from this package's own definitions.

Every error reply is the plain object `{"detail": "<one sentence>"}`, as upstream's server
(FastAPI) writes for its own errors; the presented API key never appears in one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from transports.emulator._view import JobView

__all__ = ["REDACTED", "cancel_reply", "create_reply", "error_body", "fetch_reply"]

#: What stands in an error sentence where the presented API key was.
REDACTED = "<redacted>"


class _Detail(msgspec.Struct, frozen=True):
    detail: str


class _Warning(msgspec.Struct, frozen=True):
    message: str


class _CancelReply(msgspec.Struct, frozen=True):
    succeeded: Sequence[str]
    message: str


class _CreateReply(msgspec.Struct, frozen=True):
    job_id: str
    num_circuits: int


def error_body(sentence: str, secret: str | None) -> bytes:
    """`{"detail": sentence}`, with every occurrence of `secret` (the presented key) redacted.

    Invariant: for a `secret` of letters and digits longer than `REDACTED`, the body never
    contains it (the marker's brackets keep a new occurrence from forming across it).
    """
    if secret:
        sentence = sentence.replace(secret, REDACTED)
    return msgspec.json.encode(_Detail(sentence))


def fetch_reply(jobs: Mapping[str, JobView], warnings: Sequence[str]) -> bytes:
    """The fetch reply: job id -> job, plus `"warnings": [{"message": ...}]` if there are any."""
    reply: dict[str, JobView | list[_Warning]] = dict(jobs)
    if warnings:
        reply["warnings"] = [_Warning(message) for message in warnings]
    return msgspec.json.encode(reply)


def cancel_reply(succeeded: Sequence[str]) -> bytes:
    """The cancel reply: the ids of the jobs cancelled, and upstream's message."""
    return msgspec.json.encode(_CancelReply(succeeded, f"{len(succeeded)} job(s) cancelled."))


def create_reply(job_id: str, num_circuits: int) -> bytes:
    """The create reply, as upstream's `NewJobResponse`: `{"job_id": ..., "num_circuits": n}`."""
    return msgspec.json.encode(_CreateReply(job_id, num_circuits))
