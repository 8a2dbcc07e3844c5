"""Transports for sqcore: the one-method `Transport` protocol and its implementations.

`Urllib3Transport` (the default, real HTTP) and `ThreadedTransport` (a blocking transport
as an `AsyncTransport`) are imported on first use, so code that plugs in its own transport
never pays for importing urllib3 or asyncio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transports._function import FunctionTransport
from transports._types import AsyncTransport, Request, Response, Transport, TransportError

if TYPE_CHECKING:
    from transports._threaded import ThreadedTransport
    from transports.urllib3 import Urllib3Transport

__all__ = [
    "AsyncTransport",
    "FunctionTransport",
    "Request",
    "Response",
    "ThreadedTransport",
    "Transport",
    "TransportError",
    "Urllib3Transport",
]


def __getattr__(name: str) -> object:
    if name == "Urllib3Transport":
        from transports.urllib3 import Urllib3Transport

        return Urllib3Transport
    if name == "ThreadedTransport":
        from transports._threaded import ThreadedTransport

        return ThreadedTransport
    raise AttributeError(f"module 'transports' has no attribute {name!r}")
