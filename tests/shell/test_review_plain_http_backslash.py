"""Review: the key reaches a non-loopback host over plain http:// when the remote host
holds a backslash.

`unsafe_url_reason` (sqcore/_endpoints.py) judges the host with `urllib.parse.urlsplit`,
for which the authority of `http://evil.example\\@127.0.0.1` runs to the last "@", so the
host is 127.0.0.1 (loopback: plain http allowed). The default transport parses the same
URL with `urllib3.util.parse_url`, whose authority ends at the backslash (as WHATWG
browsers read it), so it connects to `evil.example`, port 80, in the clear, with the
`Authorization` header. SPEC: "the key is never sent over plain http:// to a host that is
not loopback (a clear error, raised ... before the transport sees the request)".
"""

from __future__ import annotations

import pytest
from urllib3.util import parse_url

from sqcore import Client
from tests.fakes import always, json_reply
from tests.fixtures import JOB_65, fixture
from transports._urls import is_loopback_host

HOSTS = [
    "http://evil.example\\@127.0.0.1",
    "http://evil.example:8080\\@localhost:8080",
    "http://192.0.2.7\\@[::1]",
]


@pytest.mark.parametrize("host", HOSTS)
def test_plain_http_remote_host_is_refused_or_reaches_only_loopback(host: str) -> None:
    transport = always(json_reply(200, fixture("fetch_completed_single.json")))
    try:
        client = Client("sk-review-secret", host, transport=transport)
    except ValueError:
        return  # refused up front: what SPEC asks
    client.fetch_jobs([JOB_65])
    (request,) = transport.requests
    connected_to = parse_url(request.url).host  # the default transport's reading
    assert connected_to is not None
    assert is_loopback_host(connected_to), (
        f"the key went over plain http to {connected_to!r} ({request.url!r})"
    )
