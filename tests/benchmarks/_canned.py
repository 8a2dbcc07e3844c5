"""The sqcore side of the no-network benchmarks: a Transport returning canned bytes."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping, Sequence

from returns.result import Result, Success

from transports import Request, Response, TransportError

__all__ = ["CannedTransport", "batch_reply", "requested_ids"]


class CannedTransport:
    """A `Transport` answering every request 200 with the bytes `reply(request)` returns.

    It builds a fresh `Response` per request, as a real transport does, and counts requests.
    """

    def __init__(self, reply: Callable[[Request], bytes]) -> None:
        self._reply = reply
        self.sent = 0

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Returns `Success(Response(200, headers, body))`."""
        body = self._reply(request)
        self.sent += 1
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        return Success(Response(200, headers, body))


def requested_ids(url: str) -> list[str]:
    """The `job_id` query values of a fetch URL, in order."""
    query = urllib.parse.urlsplit(url).query
    return [value for name, value in urllib.parse.parse_qsl(query) if name == "job_id"]


def batch_reply(ids: Sequence[str], job_body: Mapping[str, bytes] | bytes) -> bytes:
    """A fetch reply for `ids`: each id's JSON from `job_body`, or one shared JSON for all."""
    parts = []
    for job_id in ids:
        body = job_body if isinstance(job_body, bytes) else job_body[job_id]
        parts.append(b'"' + job_id.encode() + b'":' + body)
    return b"{" + b",".join(parts) + b"}"
