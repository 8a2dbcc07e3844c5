"""Shell: `ThreadedTransport`, a blocking `Transport` run in a worker thread, as an
`AsyncTransport` (the default of `sqcore.aio`, so asyncio needs no extra dependency)."""

from __future__ import annotations

import asyncio

from returns.result import Result

from transports._types import Request, Response, Transport, TransportError

__all__ = ["ThreadedTransport"]


class ThreadedTransport:
    """Runs each request of a blocking transport in the event loop's default executor.

    The event loop is never blocked. If the awaiting task is cancelled, the await ends at
    once; the request in its thread still ends by its own deadline (`Request.timeout`),
    and its connection goes back to the blocking transport's pool.

    Args:
        transport: The blocking transport; default a new `Urllib3Transport()`, which this
            adapter owns and closes in `close()`.
    """

    def __init__(self, transport: Transport | None = None) -> None:
        self._owned = transport is None
        if transport is None:
            from transports.urllib3 import Urllib3Transport

            transport = Urllib3Transport()
        self.transport = transport

    def __repr__(self) -> str:
        return f"ThreadedTransport({self.transport!r})"

    async def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` on a worker thread and awaits the reply or fault."""
        return await asyncio.to_thread(self.transport.send, request)

    def close(self) -> None:
        """Closes the blocking transport, if this adapter made it."""
        close = getattr(self.transport, "close", None)
        if self._owned and close is not None:
            close()
