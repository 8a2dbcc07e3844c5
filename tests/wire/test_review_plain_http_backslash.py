"""Review: over real sockets, a `Client` whose remote host holds a backslash sends the API
key in the clear to a host that is not loopback (here: through a loopback forward proxy,
which sees the `Authorization` header and forwards it to `api.superstaq.test`).

The client judges `http://api.superstaq.test\\@127.0.0.1` loopback (urllib's parser: the
host follows the last "@"); urllib3 connects to `api.superstaq.test` (its authority ends
at the backslash). See tests/shell/test_review_plain_http_backslash.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from sqcore import Client, SuperstaqException
from tests.fixtures import JOB_65, fixture
from transports import Urllib3Transport

from .hostile import Reply, Serve
from .proxy import Proxy, ProxyServer, proxies

SECRET = "sk-SECRET-backslash-3c1"
NAME = "api.superstaq.test"


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    with proxies() as start:
        yield start


def test_a_backslash_in_remote_host_sends_the_key_in_the_clear_off_loopback(
    proxy: Proxy, serve: Serve
) -> None:
    api = serve(
        [
            Reply(
                200, (("Content-Type", "application/json"),), fixture("fetch_completed_single.json")
            )
        ]
    )
    front = proxy(ProxyServer({NAME: ("127.0.0.1", api.port)}))
    with Urllib3Transport(proxy_url=front.url(), trust_env=False) as transport:
        try:
            client = Client(SECRET, f"http://{NAME}\\@127.0.0.1", transport=transport)
        except ValueError:
            return  # refused before any request: what SPEC asks
        with contextlib.suppress(SuperstaqException):
            client.fetch_jobs([JOB_65])
    seen_by_proxy = [r.request.header("Authorization") for r in front.requests]
    assert SECRET not in seen_by_proxy, (
        f"the proxy saw the key in the clear on {[r.request_line for r in front.requests]}"
    )
    assert all(r.header("Authorization") != SECRET for r in api.requests), (
        f"{NAME} (not loopback) got the key over plain http"
    )
