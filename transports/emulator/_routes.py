"""Pure: the endpoints the emulator serves, and which one a method and a URL name."""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote, urlsplit

import msgspec

from transports.emulator._state import CIRCUIT_TYPES

__all__ = ["API_VERSION", "NOT_FOUND", "UNAUTHORIZED", "Route", "match_route", "split_target"]

#: The API version prefix the emulator serves.
API_VERSION = "v0.3.0"

#: The sentence of a 404.
NOT_FOUND = (
    f"Not Found: this emulator serves GET /{API_VERSION}/client/job/{{cirq,qiskit,qasm}}, "
    f"PUT /{API_VERSION}/client/cancel_jobs and POST /{API_VERSION}/client/job."
)

#: The sentence of a 401 (upstream's words; sqcore's SPEC expects "Not authorized").
UNAUTHORIZED = "Not authorized. Check your API key."


class Route(msgspec.Struct, frozen=True):
    """One endpoint.

    Attributes:
        kind: What it does: fetch jobs, cancel jobs or create a job.
        method: The one method it takes.
    """

    kind: Literal["fetch", "cancel", "create"]
    method: Literal["GET", "PUT", "POST"]

    @property
    def wrong_method(self) -> str:
        """The sentence of a 405 on this endpoint."""
        return f"Method Not Allowed: this endpoint takes {self.method} only."


_FETCH = Route("fetch", "GET")
_CANCEL = Route("cancel", "PUT")
_CREATE = Route("create", "POST")


def split_target(url: str) -> tuple[str, str]:
    """The path (at least "/") and the query of an absolute URL or an origin-form target."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in what looks like a host
        return "/", ""
    return parts.path or "/", parts.query


def match_route(path: str) -> Route | None:
    """The endpoint `path` names (segments percent-decoded), or None (404)."""
    segments = [unquote(segment) for segment in path.split("/")]
    if len(segments) < 2 or segments[0] != "" or segments[1] != API_VERSION:
        return None
    rest = segments[2:]
    if len(rest) == 3 and rest[:2] == ["client", "job"] and rest[2] in CIRCUIT_TYPES:
        return _FETCH
    if rest == ["client", "job"]:
        return _CREATE
    if rest == ["client", "cancel_jobs"]:
        return _CANCEL
    return None
