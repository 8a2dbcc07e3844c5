"""Pure: the Transport protocol and the immutable values that cross it.

A transport maps one `Request` to one `Response`, or to a `TransportError` value for a
network fault. It holds no policy: retries, authentication and status-code handling live
in the client above it (the shape of httpx's `BaseTransport.handle_request`).

Rules this module keeps:
- `Request` and `Response` are frozen; their headers are read-only mappings.
- A `Request` never shows a credential header's value in any repr, because it carries the
  API key (`Authorization`) and provider tokens.
- `TransportError` holds a kind and a message, never the request, its headers or a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal, Protocol, runtime_checkable

import msgspec
from returns.result import Result

__all__ = [
    "CREDENTIAL_HEADERS",
    "PROVIDER_CREDENTIALS",
    "AsyncTransport",
    "Request",
    "Response",
    "Transport",
    "TransportError",
    "TransportErrorKind",
    "freeze_headers",
    "header_value",
]

#: Provider credentials a Superstaq client may send, each as a header of its own name.
PROVIDER_CREDENTIALS: tuple[str, ...] = ("ibmq_token", "ibmq_instance", "ibmq_channel", "cq_token")

#: Header names (lower case) whose values are secrets: never shown, never sent on a redirect.
#: The one list: the client sends only these credentials, and a `Request` hides exactly them.
CREDENTIAL_HEADERS: frozenset[str] = frozenset({"authorization", *PROVIDER_CREDENTIALS})

_REDACTED = "<redacted>"


def freeze_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> Mapping[str, str]:
    """Returns a read-only copy of `headers` (a mapping or an iterable of pairs)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return MappingProxyType(dict(items))


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in `headers`, matched case-insensitively, or None.

    Invariant: the value of the first key whose lower case equals `name.lower()`.
    """
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: (_REDACTED if name.lower() in CREDENTIAL_HEADERS else value)
        for name, value in headers.items()
    }


class Request(msgspec.Struct, frozen=True):
    """One HTTP request, as the client hands it to a transport.

    Attributes:
        method: The HTTP method, upper case (`"GET"`, `"PUT"`, `"POST"`).
        url: The absolute URL, query string included.
        headers: Read-only header mapping; credential values are never shown in a repr.
        body: The request body, or None.
        timeout: Seconds this request may take in all (connect, send, read). A transport must
            give up once they are spent and return a `TransportError` of kind "timeout", or
            "connect" if no connection was made by then (nothing was sent).
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    timeout: float

    def __post_init__(self) -> None:
        if not isinstance(self.headers, MappingProxyType):
            msgspec.structs.force_setattr(self, "headers", freeze_headers(self.headers))

    def __repr__(self) -> str:
        size = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"Request(method={self.method!r}, url={self.url!r}, "
            f"headers={_safe_headers(self.headers)!r}, body={size}, timeout={self.timeout!r})"
        )

    __str__ = __repr__

    def __rich_repr__(self) -> list[tuple[str, object]]:
        """Rich's repr protocol (msgspec would otherwise generate one showing every header)."""
        return [
            ("method", self.method),
            ("url", self.url),
            ("headers", _safe_headers(self.headers)),
            ("body", None if self.body is None else f"<{len(self.body)} bytes>"),
            ("timeout", self.timeout),
        ]


class Response(msgspec.Struct, frozen=True):
    """One HTTP response as a transport returns it.

    Attributes:
        status: The HTTP status code.
        headers: Read-only header mapping, names as the server sent them. Use `header()` for a
            case-insensitive lookup.
        body: The whole reply body.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.headers, MappingProxyType):
            msgspec.structs.force_setattr(self, "headers", freeze_headers(self.headers))

    def header(self, name: str) -> str | None:
        """Returns the value of header `name` (case-insensitive), or None if it is absent."""
        return header_value(self.headers, name)


#: What went wrong on the network. "timeout": the request's deadline passed after it was
#: (perhaps partly) sent; "connect": no connection could be made, so nothing was sent
#: (refused, unreachable, not within the deadline, a proxy that cannot reach the host);
#: "resolve": the host name (of the target, or of the proxy) has no address, so nothing was
#: sent, and asking again will not give it one (a mistyped host fails at once, as with
#: requests); "tls": the TLS handshake or certificate check failed; "protocol": the peer
#: broke HTTP (reset, truncated, malformed or undecodable reply); "too_large": the reply
#: body passed the transport's size bound; "proxy": the proxy refused the tunnel (407,
#: 403); "refused": the transport would not send the request at all (e.g. an unsafe URL).
TransportErrorKind = Literal[
    "timeout", "connect", "resolve", "tls", "protocol", "too_large", "proxy", "refused"
]


class TransportError(msgspec.Struct, frozen=True):
    """A network fault, as a value.

    Attributes:
        kind: The class of fault (see `TransportErrorKind`).
        message: What happened, for a person; never contains credentials.
    """

    kind: TransportErrorKind
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@runtime_checkable
class Transport(Protocol):
    """Anything that can send a `Request` and return a `Response`.

    A transport must not raise for network faults: it returns `Failure(TransportError(...))`.
    It follows no redirects (a 3xx is returned as a `Response`), and it must honour
    `Request.timeout`.
    """

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` and returns the reply, or the network fault as a value."""
        ...


@runtime_checkable
class AsyncTransport(Protocol):
    """The asyncio twin of `Transport`: the same rules, with `async def send`.

    It never raises for network faults (it returns `Failure(TransportError(...))`), follows
    no redirects, and `Request.timeout` is the whole request's budget. It must not block
    the event loop: `transports.ThreadedTransport` runs a blocking transport in a worker
    thread; an adapter over `httpx.AsyncClient` or `aiohttp` awaits natively.
    """

    async def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` and returns the reply, or the network fault as a value."""
        ...
