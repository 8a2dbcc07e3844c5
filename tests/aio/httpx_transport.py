"""An `AsyncTransport` over `httpx.AsyncClient`: the README's example, tested for real.

httpx is a dev dependency of sqcore, not a runtime one: an SDK built on httpx plugs its own
client in this way. The adapter keeps the transport's rules: the request's timeout bounds
the whole request (httpx's timeouts are per operation, so `asyncio.wait_for` wraps it),
redirects are returned, not followed, the body is refused past a bound while it streams,
and network faults come back as `TransportError` values, never raised.
"""

from __future__ import annotations

import asyncio

import httpx
from returns.result import Failure, Result, Success

from transports import Request, Response, TransportError


class HttpxTransport:
    """Sends sqcore's requests with an `httpx.AsyncClient` (redirects never followed)."""

    def __init__(self, client: httpx.AsyncClient, max_body_bytes: int = 64 * 2**20) -> None:
        self.client = client
        self.max_body_bytes = max_body_bytes

    async def send(self, request: Request) -> Result[Response, TransportError]:
        try:
            return Success(await asyncio.wait_for(self._exchange(request), request.timeout))
        except (asyncio.TimeoutError, httpx.TimeoutException):  # TimeoutError from 3.11
            return Failure(TransportError("timeout", f"no reply within {request.timeout:g} s"))
        except httpx.ConnectError as error:
            return Failure(TransportError("connect", type(error).__name__))
        except OverflowError:
            return Failure(TransportError("too_large", f"over {self.max_body_bytes} bytes"))
        except httpx.TransportError as error:
            return Failure(TransportError("protocol", type(error).__name__))

    async def _exchange(self, request: Request) -> Response:
        outgoing = self.client.build_request(
            request.method, request.url, headers=dict(request.headers), content=request.body
        )
        reply = await self.client.send(outgoing, stream=True, follow_redirects=False)
        try:
            body = bytearray()
            async for chunk in reply.aiter_bytes():  # decoded (gzip) as it streams
                body += chunk
                if len(body) > self.max_body_bytes:
                    raise OverflowError
        finally:
            await reply.aclose()
        return Response(reply.status_code, dict(reply.headers), bytes(body))
