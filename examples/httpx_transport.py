"""An asyncio sqcore `AsyncTransport` over `httpx.AsyncClient`.

sqcore does not depend on httpx. An SDK built on httpx sends sqcore's requests through its
own client with this adapter (copy the file):

    async with httpx.AsyncClient() as http:
        client = AsyncClient(transport=HttpxTransport(http))

It keeps the transport contract (`transports.AsyncTransport`):

- `Request.timeout` bounds the whole request. httpx's timeouts bound each operation (a
  server that trickles one byte a second never trips them), so `asyncio.wait_for` bounds
  the exchange, body included; httpx closes the connection of a cancelled request. The
  per-operation timeouts are set to the whole budget as well.
- The decoded body is bounded while it streams (`max_body_bytes`). httpx inflates each
  network read whole before handing it over, so memory can pass the bound by one read's
  inflation (a read is at most 64 KiB, which gzip can inflate a thousandfold).
- Redirects are returned, not followed. The client's own `auth` is not used, so nothing
  replaces the `Authorization` header (the API key). Cookies are the client's: an SDK
  that wants none gives a client that keeps none.
- Network faults are `TransportError` values, never exceptions, and their kind says what
  sqcore may do next: "connect" (no request was sent: refused, unreachable, or the deadline
  passed first), "timeout" (the deadline passed after the request may have been sent),
  "tls", "protocol" (a reset, cut or malformed reply), "too_large", "proxy" (the proxy
  refused the tunnel) and "refused" (httpx would not send it). Whether the request was sent
  comes from httpcore's `trace` extension, not from the exception's class: httpx raises the
  same `ReadTimeout` whether or not anything was sent on a reused connection.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpcore
import httpx
from returns.result import Failure, Result, Success

from transports import Request, Response, TransportError

__all__ = ["HttpxTransport"]

#: httpx's refusals before anything is sent.
_NOT_SENT = (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError)


class HttpxTransport:
    """Sends sqcore's requests with an `httpx.AsyncClient`, one deadline per request.

    Args:
        client: The httpx client; the caller opens and closes it.
        max_body_bytes: The largest reply body accepted, counted after decompression.
    """

    def __init__(self, client: httpx.AsyncClient, *, max_body_bytes: int = 64 * 2**20) -> None:
        self.client = client
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:
        return f"HttpxTransport(max_body_bytes={self.max_body_bytes})"

    async def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request`; returns the reply, or the network fault as a value."""
        progress = _Progress()
        peer = _peer(request.url)
        try:
            return await asyncio.wait_for(self._exchange(request, progress), request.timeout)
        except asyncio.TimeoutError:  # the builtin TimeoutError from Python 3.11 on
            if progress.sent:
                return Failure(
                    TransportError(
                        "timeout", f"no complete reply from {peer} within {request.timeout:g} s"
                    )
                )
            return Failure(
                TransportError("connect", f"no connection to {peer} within {request.timeout:g} s")
            )
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            return Failure(_fault(error, request, sent=progress.sent))

    async def _exchange(
        self, request: Request, progress: _Progress
    ) -> Result[Response, TransportError]:
        outgoing = self.client.build_request(
            request.method,
            request.url,
            headers=dict(request.headers),
            content=request.body,
            timeout=httpx.Timeout(request.timeout),
            extensions={"trace": progress.trace},
        )
        reply = await self.client.send(outgoing, stream=True, auth=None, follow_redirects=False)
        try:
            body = bytearray()
            async for chunk in reply.aiter_bytes():  # decoded (gzip) as it streams
                body += chunk
                if len(body) > self.max_body_bytes:
                    return Failure(
                        TransportError(
                            "too_large",
                            f"reply body from {_peer(request.url)} exceeds the "
                            f"{self.max_body_bytes}-byte limit",
                        )
                    )
        finally:
            await reply.aclose()
        return Success(Response(reply.status_code, dict(reply.headers), bytes(body)))


class _Progress:
    """How far one request got, from httpcore's trace events: `sent` once it began sending
    its headers to the server (a proxy's CONNECT does not count)."""

    def __init__(self) -> None:
        self.sent = False

    async def trace(self, event: str, info: Mapping[str, object]) -> None:
        """httpcore's `trace` callback: an event name and what it is about."""
        if event.endswith(".send_request_headers.started"):
            sent = info.get("request")
            if not (isinstance(sent, httpcore.Request) and sent.method == b"CONNECT"):
                self.sent = True


def _fault(error: Exception, request: Request, *, sent: bool) -> TransportError:
    """The `TransportError` for `error`, raised while sending `request`."""
    peer = _peer(request.url)
    why = type(error).__name__
    if isinstance(error, _NOT_SENT):
        return TransportError("refused", f"httpx would not send a request to {peer} ({why})")
    if isinstance(error, httpx.ProxyError):
        return TransportError("proxy", f"the proxy refused the tunnel to {peer} ({why})")
    if not sent:
        if _caused_by_tls(error):
            return TransportError("tls", f"TLS with {peer} failed ({why})")
        return TransportError("connect", f"no connection to {peer} ({why})")
    if isinstance(error, httpx.TimeoutException):
        return TransportError(
            "timeout", f"no complete reply from {peer} within {request.timeout:g} s"
        )
    return TransportError("protocol", f"broken reply from {peer} ({why})")


def _caused_by_tls(error: BaseException) -> bool:
    """Whether an `ssl.SSLError` (other than the peer hanging up) is among `error`'s causes."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError) and not isinstance(cause, ssl.SSLEOFError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _peer(url: str) -> str:
    """Scheme, host and port of `url`, for messages (never its query: it may be long)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
