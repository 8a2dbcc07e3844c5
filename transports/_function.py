"""Shell: `FunctionTransport`, a transport whose server is a plain function (as httpx's
`MockTransport`), for SDK authors' tests and sqcore's own."""

from __future__ import annotations

from collections.abc import Callable

from returns.result import Failure, Result, Success

from transports._types import Request, Response, TransportError

__all__ = ["FunctionTransport", "Handler"]

#: The server: a function from the request to a reply, or to a network fault.
Handler = Callable[[Request], Response | TransportError]


class FunctionTransport:
    """A `Transport` that answers each request by calling `handler`, in process.

    The handler returns a `Response`, or a `TransportError` to act out a network fault
    (`TransportError("timeout", "...")`). Every request is recorded in `requests`, in order.

    Example:
        >>> def server(request: Request) -> Response:
        ...     return Response(503, {"Retry-After": "1"}, b"")
        >>> transport = FunctionTransport(server)

    Args:
        handler: The function that answers.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []

    def __repr__(self) -> str:
        return f"FunctionTransport({getattr(self.handler, '__name__', 'handler')})"

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Records `request` and returns what the handler gives, as a `Result`."""
        self.requests.append(request)
        outcome = self.handler(request)
        if isinstance(outcome, TransportError):
            return Failure(outcome)
        return Success(outcome)
