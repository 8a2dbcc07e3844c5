"""Shell: what `Client` and `sqcore.aio.AsyncClient` share: their arguments and checks, the
session, transport, clock and random source they hold, closing what they made."""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from sqcore.core.models import CircuitType
from sqcore.engine.session import Session
from sqcore.shell import config

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ClientBase"]

_Transport = TypeVar("_Transport")
_Clock = TypeVar("_Clock")


class ClientBase(Generic[_Transport, _Clock]):
    """A client's settings (a checked `Session`), its transport, clock and random source.

    The arguments are documented on `Client`. A transport the client makes by default is
    its own, closed by `close()`; one passed in belongs to the caller, who closes it.
    """

    def __init__(
        self,
        api_key: str | None = None,
        remote_host: str | None = None,
        *,
        transport: _Transport | None = None,
        api_version: str = "v0.3.0",
        circuit_type: CircuitType | str = CircuitType.CIRQ,
        client_name: str = "sqcore",
        max_retry_seconds: float = 60.0,
        request_timeout_seconds: float = 30.0,
        clock: _Clock | None = None,
        rng: Callable[[], float] | None = None,
        **credentials: str,
    ) -> None:
        self._session = Session(
            config.find_api_key() if api_key is None else api_key,
            config.resolve_remote_host(remote_host),
            api_version=api_version,
            circuit_type=circuit_type,
            client_name=client_name,
            max_retry_seconds=max_retry_seconds,
            request_timeout_seconds=request_timeout_seconds,
            credentials=credentials,
        )
        self._owned: object = None
        default_transport, default_clock = self._defaults()
        if transport is None:
            transport = self._owned = default_transport()
        else:
            _check_send(transport, awaited=self._AWAITS_TRANSPORT)
        #: What sends the requests (a `Transport`, or an `AsyncTransport` for `AsyncClient`).
        self.transport: _Transport = transport
        #: The monotonic clock, wall clock and sleep the client waits on.
        self.clock: _Clock = default_clock() if clock is None else clock
        #: The source of random numbers in [0, 1) for the retry jitter.
        self.rng: Callable[[], float] = random.Random().random if rng is None else rng

    #: Whether the transport's `send` is a coroutine function (AsyncTransport) or blocks.
    _AWAITS_TRANSPORT: ClassVar[bool] = False

    def _defaults(self) -> tuple[Callable[[], _Transport], Callable[[], _Clock]]:
        """What makes the client's own transport and clock when none is given."""
        raise NotImplementedError

    @property
    def session(self) -> Session:
        """What the client knows and says, without I/O: its settings, the requests it
        builds, the words of its errors (`sqcore.engine.session.Session`). The operations
        of sqcore's engine read it, for this client and its jobs; it is the engine's view,
        not a stable API (its type lives in a private module). Its repr, messages and logs
        never show the key, and `redact` removes it from a text; the request headers it
        builds carry it, as every request must."""
        return self._session

    @property
    def remote_host(self) -> str:
        """The server, as given or found (argument, `SUPERSTAQ_REMOTE_HOST`, production)."""
        return self._session.remote_host

    @property
    def url(self) -> str:
        """The URL every endpoint hangs from: `scheme://host/api_version`."""
        return self._session.url

    @property
    def api_version(self) -> str:
        """The wire format spoken ("v0.3.0")."""
        return self._session.api_version

    @property
    def client_name(self) -> str:
        """What `X-Client-Name` says."""
        return self._session.client_name

    @property
    def request_timeout_seconds(self) -> float:
        """The longest one HTTP attempt may take."""
        return self._session.request_timeout_seconds

    @property
    def max_retry_seconds(self) -> float:
        """The retry budget of each call, and the default timeout of waits."""
        return self._session.max_retry_seconds

    @property
    def circuit_type(self) -> CircuitType:
        """The circuit language: the fetch endpoint, and `create_job`'s default."""
        return self._session.circuit_type

    def __repr__(self) -> str:
        return type(self).__name__ + self._session.describe(self.transport)

    __str__ = __repr__

    def close(self) -> None:
        """Closes the connections of the default transport, which this client made; a
        transport passed in is left as it is (it belongs to the caller, who closes it)."""
        close = getattr(self._owned, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _check_send(transport: object, *, awaited: bool) -> None:
    """Refuses a transport without `send`, or whose `send` is plainly of the other shell's
    kind: a blocking one would stall the event loop, an async one would hand back a
    coroutine. A `send` that is a plain function returning an awaitable (a decorator without
    `functools.wraps`) cannot be told from a blocking one here; `Client` refuses it when it
    returns one, before anything is sent.

    Raises:
        TypeError: Saying which kind of transport is wanted and how to get one.
    """
    send = getattr(transport, "send", None)
    name = type(transport).__name__
    if not callable(send):
        raise TypeError(f"transport: {name} has no send(request) method")
    if is_async(send) == awaited:
        return
    if awaited:
        raise TypeError(
            f"transport: {name}.send is not a coroutine function (async def), and AsyncClient "
            "needs an AsyncTransport: wrap a blocking transport in "
            "transports.ThreadedTransport(...)"
        )
    raise TypeError(
        f"transport: {name}.send is a coroutine function (an AsyncTransport): use it with "
        "sqcore.aio.AsyncClient, or give Client a blocking Transport"
    )


def is_async(send: Callable[..., object]) -> bool:
    """Whether calling `send` returns a coroutine, as far as can be told without calling
    it: an `async def` function or method, one wrapped with `functools.wraps`, or an object
    whose `__call__` is `async def`."""
    target = inspect.unwrap(send)
    if inspect.iscoroutinefunction(target):
        return True
    if inspect.isroutine(target):
        return False
    return inspect.iscoroutinefunction(type(target).__call__)
