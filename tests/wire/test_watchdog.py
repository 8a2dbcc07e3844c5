"""Shell: the watchdog that ends a request at its deadline (`transports.urllib3._watchdog`),
and what it does then (`transports.urllib3._deadline.Call.expire`).

One thread per watchdog, whatever the number of watches; `expire` runs on it once a
deadline has passed, never for a watch released in time; the thread ends after `stop()`
once nothing is held. Deadlines in the past make it act at once, and events say when it
did: no test sleeps. At the deadline, the socket under the request is shut down, unless its
reply already handed the connection back to the pool.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import urllib3
from urllib3.connection import HTTPConnection

from transports.urllib3._deadline import Call
from transports.urllib3._watchdog import Watchdog

NAME = "test watchdog"


def threads_named(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == name]


def recorder(
    seen: list[str], label: str, done: threading.Event | None = None
) -> Callable[[], None]:
    """An `expire` that records `label` and the thread it ran on, then sets `done`."""

    def expire() -> None:
        seen.append(f"{label} on {threading.current_thread().name}")
        if done is not None:
            done.set()

    return expire


def test_a_passed_deadline_expires_on_the_watchdogs_thread() -> None:
    watchdog, done = Watchdog(NAME), threading.Event()
    seen: list[str] = []

    watch = watchdog.watch(time.monotonic() - 1.0, recorder(seen, "late", done))

    assert done.wait(5.0)
    assert seen == [f"late on {NAME}"]
    assert watchdog.release(watch) is True  # it says the watch expired
    watchdog.stop()


def test_a_watch_released_in_time_never_expires() -> None:
    watchdog, done = Watchdog(NAME), threading.Event()
    seen: list[str] = []
    kept = watchdog.watch(time.monotonic() + 60.0, recorder(seen, "kept"))

    released_in_time = watchdog.release(kept)
    # A later watch that expires at once: the watchdog has looked at the heap since.
    watchdog.watch(time.monotonic() - 1.0, recorder(seen, "late", done))

    assert done.wait(5.0)
    assert released_in_time is False
    assert seen == [f"late on {NAME}"]
    watchdog.stop()


def test_the_earliest_deadline_wakes_the_watchdog_first() -> None:
    watchdog, done = Watchdog(NAME), threading.Event()
    seen: list[str] = []
    far = watchdog.watch(time.monotonic() + 3600.0, recorder(seen, "far"))

    watchdog.watch(time.monotonic() - 1.0, recorder(seen, "late", done))  # while it sleeps

    assert done.wait(5.0)
    assert seen == [f"late on {NAME}"]
    assert watchdog.release(far) is False
    watchdog.stop()


def test_one_thread_serves_every_watch() -> None:
    name = "test watchdog, one thread"
    watchdog = Watchdog(name)
    counts: list[int] = []

    def work() -> None:
        for _ in range(50):
            watch = watchdog.watch(time.monotonic() + 60.0, lambda: None)
            counts.append(len(threads_named(name)))
            watchdog.release(watch)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10.0)

    assert len(counts) == 200
    assert set(counts) == {1}
    watchdog.stop()


def test_the_thread_ends_once_stopped_and_nothing_is_held() -> None:
    name = "test watchdog, stopping"
    watchdog = Watchdog(name)
    held = watchdog.watch(time.monotonic() + 3600.0, lambda: None)
    (thread,) = threads_named(name)

    watchdog.stop()
    still_watching = thread.is_alive()  # a watch is held: it keeps watching
    watchdog.release(held)
    thread.join(5.0)

    assert still_watching
    assert not thread.is_alive()


def test_a_watch_after_stop_is_still_served() -> None:
    watchdog, done = Watchdog(NAME), threading.Event()
    seen: list[str] = []
    watchdog.stop()

    watchdog.watch(time.monotonic() - 1.0, recorder(seen, "late", done))

    assert done.wait(5.0)
    assert seen == [f"late on {NAME}"]


def test_many_watches_released_out_of_order_leave_the_others_served() -> None:
    watchdog, done = Watchdog(NAME), threading.Event()
    seen: list[str] = []
    now = time.monotonic()
    watches = [watchdog.watch(now + 60.0 + i, recorder(seen, f"w{i}")) for i in range(500)]

    released = [watchdog.release(watch) for watch in reversed(watches[1:])]  # not the first
    watchdog.watch(now - 1.0, recorder(seen, "late", done))

    assert done.wait(5.0)
    assert not any(released)
    assert seen == [f"late on {NAME}"]
    assert watchdog.release(watches[0]) is False
    watchdog.stop()


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Two connected sockets: the request's, and its peer's."""
    ours, peer = socket.socketpair()
    peer.settimeout(5.0)
    with ours, peer:
        yield ours, peer


def a_call(**fields: object) -> Call:
    call = Call(time.monotonic() + 60.0, "api.example:443", "api.example", None)
    for name, value in fields.items():
        setattr(call, name, value)
    return call


def test_at_the_deadline_the_requests_socket_is_shut_down(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, peer = pair
    call = a_call(sock=ours, phase="head")

    call.expire()

    assert (call.expired, call.expired_in) == (True, "head")
    assert peer.recv(1) == b""  # the peer sees the end at once


def test_while_connecting_the_connections_socket_is_shut_down(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, peer = pair
    connection = HTTPConnection("api.example", 443)
    connection.sock = ours  # as urllib3 sets it before the tunnel and the handshake

    a_call(connecting=connection).expire()

    assert peer.recv(1) == b""


def test_a_socket_whose_reply_went_back_to_the_pool_is_left_alone(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, peer = pair
    returned = urllib3.HTTPResponse(body=b"", preload_content=False)  # no connection held
    call = a_call(sock=ours, reply=returned, phase="body")

    call.expire()
    ours.sendall(b"x")  # another request's now, still whole

    assert call.expired
    assert peer.recv(1) == b"x"
