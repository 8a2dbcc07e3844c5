"""The sqcore side of the no-network benchmarks: `transports.FunctionTransport` serving
canned bytes, as an SDK author's test would."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping, Sequence

from transports import FunctionTransport, Request, Response

__all__ = ["HOST", "KEY", "batch_reply", "canned_transport", "requested_ids"]

#: The key and host of every client on canned replies (nothing is sent anywhere).
KEY = "bench-key-0123456789"
HOST = "https://superstaq.example.invalid"


def canned_transport(reply: Callable[[Request], bytes]) -> FunctionTransport:
    """A `FunctionTransport` answering every request 200 with the bytes `reply(request)` gives.

    It builds a fresh `Response` per request, as a real transport does. `FunctionTransport`
    records every request it sends, which a real transport does not: the handler empties
    that record, so a benchmark sending millions of requests neither grows a list nor
    collects it.
    """

    def handler(request: Request) -> Response:
        transport.requests.clear()
        body = reply(request)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        return Response(200, headers, body)

    transport = FunctionTransport(handler)
    return transport


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
