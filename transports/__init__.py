"""Transports for sqcore: the one-method `Transport` protocol and its implementations.

`Urllib3Transport` (the default, real HTTP) is imported on first use, so code that plugs in
its own transport never pays for importing urllib3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transports._function import FunctionTransport
from transports._types import Request, Response, Transport, TransportError

if TYPE_CHECKING:
    from transports._urllib3 import Urllib3Transport

__all__ = [
    "FunctionTransport",
    "Request",
    "Response",
    "Transport",
    "TransportError",
    "Urllib3Transport",
]


def __getattr__(name: str) -> object:
    if name == "Urllib3Transport":
        from transports._urllib3 import Urllib3Transport

        return Urllib3Transport
    raise AttributeError(f"module 'transports' has no attribute {name!r}")
