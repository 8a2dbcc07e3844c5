"""The three transports behind one face, so one table of cases drives them all:
sqcore's `Urllib3Transport` and the two adapters in examples/ (the httpx one run on an event
loop of its own, so each is a blocking `send`)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from returns.pipeline import is_successful
from returns.result import Result

from examples.httpx_transport import HttpxTransport
from examples.requests_transport import RequestsTransport
from transports import Request, Response, TransportError, Urllib3Transport

#: The transports every case runs on.
KINDS = ("urllib3", "requests", "httpx")

#: What a request carries and no failure may show.
SECRET = "sk-SECRET-examples-77"
HEADERS = {"Authorization": SECRET, "Content-Type": "application/json"}

#: How far past its timeout a request may end (thread wake-ups on a loaded 2-core machine).
MARGIN = 0.75

Send = Callable[[Request], Result[Response, TransportError]]


@contextlib.contextmanager
def sender(
    kind: str,
    *,
    max_body_bytes: int = 64 * 2**20,
    ca_pem: Path | None = None,
    proxy: str | None = None,
) -> Iterator[Send]:
    """A blocking `send` through a new transport of `kind`, closed on exit.

    Args:
        kind: One of `KINDS`.
        max_body_bytes: The transport's body bound.
        ca_pem: A CA bundle to trust instead of the default one.
        proxy: A proxy URL for every request.
    """
    if kind == "urllib3":
        ca_certs = None if ca_pem is None else str(ca_pem)
        with Urllib3Transport(
            max_body_bytes=max_body_bytes, ca_certs=ca_certs, proxy_url=proxy
        ) as transport:
            yield transport.send
    elif kind == "requests":
        with RequestsTransport(max_body_bytes=max_body_bytes) as transport:
            if ca_pem is not None:
                transport.session.verify = str(ca_pem)
            if proxy is not None:
                transport.session.proxies = {"http": proxy, "https": proxy}
            yield transport.send
    else:
        verify = True if ca_pem is None else ssl.create_default_context(cafile=str(ca_pem))
        loop = asyncio.new_event_loop()
        client = httpx.AsyncClient(verify=verify, proxy=proxy)
        adapter = HttpxTransport(client, max_body_bytes=max_body_bytes)
        try:
            yield lambda request: loop.run_until_complete(adapter.send(request))
        finally:
            loop.run_until_complete(client.aclose())
            loop.close()


def timed(
    send: Send, url: str, *, timeout: float
) -> tuple[Result[Response, TransportError], float]:
    """Sends a GET of `url` carrying the key; returns the result and the seconds it took."""
    request = Request("GET", url, HEADERS, None, timeout)
    start = time.monotonic()
    result = send(request)
    return result, time.monotonic() - start


def failure_of(result: Result[Response, TransportError]) -> TransportError:
    """The error in a `Failure`, checked to hold no trace of the API key."""
    assert not is_successful(result), f"expected a failure, got {result}"
    error = result.failure()
    assert SECRET not in repr(error)
    return error


def success_of(result: Result[Response, TransportError]) -> Response:
    """The reply in a `Success`."""
    assert is_successful(result), f"expected a success, got {result}"
    return result.unwrap()
