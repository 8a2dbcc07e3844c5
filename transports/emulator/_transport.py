"""Shell: `EmulatorTransport` and `AsyncEmulatorTransport`: a `Transport` and an
`AsyncTransport` that hand each request to an `Emulator` in process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from returns.result import Result, Success

from transports._types import Request, Response, TransportError

if TYPE_CHECKING:
    from transports.emulator._app import Emulator

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]


class EmulatorTransport:
    """A `Transport` that hands every request to an `Emulator`, in process.

    Only the request's method, URL path and query, headers and body are used (scheme, host
    and timeout are ignored). Bodies are handed over as they are: never compressed, whatever
    the request's Accept-Encoding (only `EmulatorServer` compresses). It never returns a
    `Failure`: malformed requests get 4xx replies, as from a real server.

    Args:
        emulator: The emulator to send requests to.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def __repr__(self) -> str:
        return f"EmulatorTransport({self._emulator!r})"

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Returns the emulator's reply to `request`, always as a `Success`."""
        status, headers, body = self._emulator.handle(
            request.method, request.url, request.headers, request.body
        )
        return Success(Response(status, headers, body))


class AsyncEmulatorTransport:
    """An `AsyncTransport` that hands every request to an `Emulator`, in process.

    As `EmulatorTransport`, with `async def send`: the emulator answers at once, so the
    event loop is not blocked and no thread is used.

    Args:
        emulator: The emulator to send requests to.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._inner = EmulatorTransport(emulator)

    def __repr__(self) -> str:
        return f"Async{self._inner!r}"

    async def send(self, request: Request) -> Result[Response, TransportError]:
        """Returns the emulator's reply to `request`, always as a `Success`."""
        return self._inner.send(request)
