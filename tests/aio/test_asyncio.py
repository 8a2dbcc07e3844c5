"""sqcore.aio under asyncio: it runs inside a running loop and never starts or blocks one,
cancelling a wait ends it at once and leaves nothing behind, concurrent waits work, and its
decisions are the core's (it defines none of its own)."""

from __future__ import annotations

import ast
import asyncio
import functools
import pathlib
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from returns.result import Result, Success

from sqcore.aio import AsyncClient, AsyncJob, wait_all
from tests.aio.conftest import LIVE_KEY
from tests.wire.hostile import HostileServer, Stall
from transports import Request, Response, ThreadedTransport, TransportError, Urllib3Transport
from transports.emulator import Emulator, EmulatorServer

T = TypeVar("T")
R = TypeVar("R")
ROOT = pathlib.Path(__file__).resolve().parents[2]
AIO = sorted((ROOT / "sqcore" / "aio").glob("*.py"))


def other_tasks() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


async def test_it_works_inside_a_running_loop_with_the_default_transport(
    server: EmulatorServer, live: Emulator
) -> None:
    assert asyncio.get_running_loop().is_running()
    job_id = live.create_job(durations=0.2)

    async with AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as client:
        job = AsyncJob(client, job_id)
        await job.wait_until_complete(polling_seconds=0.1, timeout_seconds=5)
        assert (await job.status()).value == "completed"
        assert type(client.transport) is ThreadedTransport


async def test_a_long_poll_cancelled_returns_at_once_and_leaves_no_task_behind(
    server: EmulatorServer, live: Emulator
) -> None:
    async with AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as client:
        job = AsyncJob(client, live.create_job(durations=600))
        polled = asyncio.Event()
        wait = asyncio.create_task(
            job.wait_until_complete(
                polling_seconds=10, timeout_seconds=60, on_progress=lambda _: polled.set()
            )
        )
        await asyncio.wait_for(polled.wait(), 5)  # the first poll is done; it sleeps its 10 s

        start = time.monotonic()
        wait.cancel()
        with pytest.raises(asyncio.CancelledError):
            await wait

        assert time.monotonic() - start < 0.1
        assert other_tasks() == set()


async def test_asyncio_timeout_ends_a_wait(server: EmulatorServer, live: Emulator) -> None:
    async with AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as client:
        job = AsyncJob(client, live.create_job(durations=600))
        start = time.monotonic()

        with pytest.raises(asyncio.TimeoutError):  # TimeoutError itself from Python 3.11
            await asyncio.wait_for(job.wait_until_complete(polling_seconds=10), 0.3)

        assert time.monotonic() - start < 0.8
        assert other_tasks() == set()


async def test_a_request_in_flight_when_cancelled_still_ends_by_its_deadline() -> None:
    stalled = HostileServer([Stall(30.0)])
    with stalled:
        blocking = Urllib3Transport(trust_env=False)
        client = AsyncClient(
            api_key=LIVE_KEY,
            remote_host=stalled.url(),
            transport=ThreadedTransport(blocking),
            request_timeout_seconds=0.5,
            max_retry_seconds=0.0,
        )
        before = {thread.ident for thread in threading.enumerate()}
        status = asyncio.create_task(AsyncJob(client, emulator_id()).status())
        arrived = functools.partial(stalled.wait_until, lambda: len(stalled.requests) == 1)
        assert await asyncio.to_thread(arrived)  # the request is in flight
        sent_at = time.monotonic()

        status.cancel()
        with pytest.raises(asyncio.CancelledError):
            await status

        def busy() -> list[threading.Thread]:
            return [
                thread
                for thread in threading.enumerate()
                if thread.ident not in before and "asyncio" in thread.name and _sending(thread)
            ]

        # Real time is the subject: the worker's request ends by its own 0.5 s deadline
        # (the bound leaves room for a loaded machine).
        while busy() and time.monotonic() - sent_at < 5.0:
            await asyncio.sleep(0.02)
        assert busy() == []
        assert time.monotonic() - sent_at < 0.5 + 2.0
        assert other_tasks() == set()
        assert stalled.connections == 1
        blocking.close()


def emulator_id() -> str:
    return "00000000-0000-0000-0000-000000000065"


def _sending(thread: threading.Thread) -> bool:
    """Whether `thread` is inside a transport's send right now."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "send" and "transports" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


async def test_separate_waits_gathered_run_concurrently(
    server: EmulatorServer, live: Emulator
) -> None:
    async with AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as client:
        jobs = [AsyncJob(client, live.create_job(durations=0.4)) for _ in range(5)]
        start = time.monotonic()

        await asyncio.gather(
            *(job.wait_until_complete(polling_seconds=0.1, timeout_seconds=5) for job in jobs)
        )

        assert time.monotonic() - start < 2.0  # together, not 5 x 0.4 s one after another
        assert {(await job.status()).value for job in jobs} == {"completed"}


async def test_a_batched_wait_across_two_clients_of_one_loop(
    server: EmulatorServer, live: Emulator
) -> None:
    async with (
        AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as first,
        AsyncClient(api_key=LIVE_KEY, remote_host=server.url) as second,
    ):
        jobs = [AsyncJob(c, live.create_job(durations=0.2)) for c in (first, second) * 3]

        await wait_all(jobs, polling_seconds=0.1, timeout_seconds=5)

        assert {(await job.status()).value for job in jobs} == {"completed"}


# --- What sqcore.aio is made of -----------------------------------------------------------


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [*AIO, ROOT / "transports" / "_threaded.py"], ids=lambda p: p.name)
def test_it_never_starts_or_blocks_an_event_loop(path: pathlib.Path) -> None:
    called = {
        node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        for node in ast.walk(_tree(path))
        if isinstance(node, (ast.Attribute, ast.Name))
    }
    assert not called & {"run_until_complete", "get_event_loop", "run", "new_event_loop"}
    assert "time.sleep" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", AIO, ids=lambda p: p.name)
def test_it_asks_the_core_for_every_decision_and_makes_none_of_its_own(
    path: pathlib.Path,
) -> None:
    tree = _tree(path)
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    decisions = {
        name
        for name in defined
        if name.startswith(("decide_", "parse_", "build_", "classify_", "next_", "is_"))
    }
    assert decisions == set()
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"sqcore._client", "sqcore._job", "sqcore._driver"}  # the twins
    # No rule tables of its own either: no module-level set, tuple or frozenset constants.
    tables = [
        node
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and isinstance(node.value, (ast.Set, ast.Tuple, ast.Call))
        and not (
            isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "TypeVar"
        )
    ]
    assert tables == []


def test_the_async_shell_runs_the_same_engine_handle_base_and_steps_as_the_blocking_one() -> None:
    shared = {
        "sqcore.engine",
        "sqcore.shell.handle",
        "sqcore.shell.base",
        "sqcore.shell.watching",
        "sqcore.shell.steps",
    }
    blocking = {
        node.module
        for name in ("_client.py", "_job.py", "_driver.py")
        for node in ast.walk(_tree(ROOT / "sqcore" / name))
        if isinstance(node, ast.ImportFrom)
    }
    asynchronous = {
        node.module
        for path in AIO
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom)
    }
    assert shared <= blocking & asynchronous


def test_a_blocking_transport_is_refused_saying_how_to_wrap_it() -> None:
    with (
        Urllib3Transport(trust_env=False) as blocking,
        pytest.raises(
            TypeError,
            match=r"^transport: Urllib3Transport\.send is not a coroutine function .*"
            r"transports\.ThreadedTransport",
        ),
    ):
        AsyncClient(api_key=LIVE_KEY, transport=blocking)  # type: ignore[arg-type]


def _traced(send: Callable[[T, Request], Awaitable[R]]) -> Callable[[T, Request], Awaitable[R]]:
    """A plain decorator that keeps the coroutine function's identity (functools.wraps)."""

    @functools.wraps(send)
    def wrapper(self: T, request: Request) -> Awaitable[R]:
        return send(self, request)

    return wrapper


class _DecoratedSend:
    @_traced
    async def send(self, request: Request) -> Result[Response, TransportError]:
        return Success(Response(200, {}, b"{}"))


class _AsyncCallable:
    async def __call__(self, request: Request) -> Result[Response, TransportError]:
        return Success(Response(200, {}, b"{}"))


class _CallableSend:
    def __init__(self) -> None:
        self.send = _AsyncCallable()


@pytest.mark.parametrize(
    "transport", [_DecoratedSend(), _CallableSend()], ids=["wrapped send", "async __call__"]
)
def test_an_async_send_that_is_not_a_plain_async_def_is_accepted(transport: object) -> None:
    client = AsyncClient(api_key=LIVE_KEY, transport=transport)  # type: ignore[arg-type]

    assert client.transport is transport
