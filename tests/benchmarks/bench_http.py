"""Refresh over HTTP: the client's CPU per status refresh of one open job, and the bytes a
poll of 100 open jobs receives, on the loopback emulator server (its own process).

CPU per refresh: sqcore (`Job.status()` over the default `Urllib3Transport`) and upstream
(`general_superstaq.job.Job._status()` over its `requests` session) each refresh the same
open job of 10 circuits, in rotating blocks, each side on one keep-alive connection (the
server counts the connections it accepts during each side's blocks: sqcore must use one).
A third side is the floor: the same GET with the standard library's `http.client` on one
keep-alive connection, asking for gzip as both clients do and inflating the body with
`zlib`, and doing nothing else with it. The figure is this process's CPU time per refresh
(the server runs in another process, so its time is not in it); wall times are context,
since most of a loopback refresh is the emulator's stdlib server. Target (upstream CPU /
sqcore CPU): > 1, sqcore's client CPU below upstream's.

Bytes per poll of 100 open jobs (3 circuits each): sqcore's one batched poll (`wait_all`,
`_ticks.sqcore_tick`: two requests) and upstream's (100 `_status()` calls), with the
server's compression on (the replies gzip-coded, as both clients ask) and off (every reply
as it is). Bytes are counted at the server: every byte it writes, status lines and headers
included. Reported: identity bytes / gzip bytes for sqcore (no target).
"""

from __future__ import annotations

import http.client
import statistics
import urllib.parse
import zlib
from collections.abc import Callable

from sqcore import Client, Job
from tests.benchmarks import _harness, _upstream
from tests.benchmarks._harness import Figure, Settings, Target, format_bytes, format_seconds
from tests.benchmarks._server_host import KEY, Host, open_host
from tests.benchmarks._ticks import sqcore_tick, upstream_tick

__all__ = ["CIRCUITS", "POLL_CIRCUITS", "POLL_JOBS", "run"]

#: Circuits of the open job refreshed (it stays open for an hour).
CIRCUITS = 10
#: The poll whose bytes are counted: jobs, circuits each.
POLL_JOBS = 100
POLL_CIRCUITS = 3
_SIDES = ("sqcore", "upstream", "http_client")


def _bare_get(url: str, job_id: str) -> tuple[Callable[[], bytes], Callable[[], None]]:
    """The floor: a GET on one keep-alive `http.client` connection, inflated; and its close."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    path = f"/v0.3.0/client/job/cirq?job_id={job_id}"
    headers = {
        "Authorization": KEY,
        "Content-Type": "application/json",
        "Accept-Encoding": "gzip",
    }

    def get() -> bytes:
        connection.request("GET", path, headers=headers)
        reply = connection.getresponse()
        body = reply.read()
        if reply.getheader("Content-Encoding") == "gzip":
            body = zlib.decompress(body, wbits=31)
        return body

    return get, connection.close


def refresh_cpu(host: Host, settings: Settings) -> Figure:
    """Client CPU per refresh of one open job, three sides in rotation."""
    job_id = host.create([[3600.0] * CIRCUITS]).ids[0]
    client = Client(api_key=KEY, remote_host=host.url)
    our_job = Job(client, job_id)
    upstream_job = _upstream.jobs(_upstream.make_client(host.url, KEY), [job_id])[0]
    bare, close_bare = _bare_get(host.url, job_id)

    def ours() -> str:
        return our_job.status().value

    def theirs() -> str:
        return upstream_job._status().value

    ops: dict[str, Callable[[], object]] = {"sqcore": ours, "upstream": theirs, "http_client": bare}
    connections = dict.fromkeys(_SIDES, 0)
    wall: dict[str, list[float]] = {side: [] for side in _SIDES}
    cpu: dict[str, list[float]] = {side: [] for side in _SIDES}
    before = host.counters()
    for side, op in ops.items():  # first requests: each side opens its connection
        op()
        connections[side] += host.counters().connections - before.connections
        before = host.counters()
    if ours() != theirs():
        raise AssertionError(f"statuses differ: {ours()} vs {theirs()}")
    start = host.counters()
    for _ in range(settings.http_pairs):
        for side, op in ops.items():
            before = host.counters()
            wall_time, cpu_time = _harness.time_block_cpu(op, settings.http_block)
            wall[side].append(wall_time)
            cpu[side].append(cpu_time)
            connections[side] += host.counters().connections - before.connections
    close_bare()
    requests = host.counters().requests - start.requests
    expected = len(_SIDES) * settings.http_pairs * settings.http_block
    if requests != expected:
        raise AssertionError(f"expected {expected} requests, the server saw {requests}")
    cpus = {side: statistics.median(times) for side, times in cpu.items()}
    walls = {side: statistics.median(times) for side, times in wall.items()}
    figure = _harness.figure_from_pairs(
        bench="http",
        case=f"refresh 1 open job x {CIRCUITS}: client CPU",
        measure="CPU upstream/sqcore",
        numerators=cpu["upstream"],
        denominators=cpu["sqcore"],
        target=Target(">", 1.0),
        note=(
            "client CPU {} / {} / {}, wall {} / {} / {} (sqcore / upstream / http.client); "
            "connections {} / {} / {}".format(
                *(format_seconds(cpus[side]) for side in _SIDES),
                *(format_seconds(walls[side]) for side in _SIDES),
                *(connections[side] for side in _SIDES),
            )
        ),
        context={
            **{f"{side}_cpu_seconds": cpus[side] for side in _SIDES},
            **{f"{side}_wall_seconds": walls[side] for side in _SIDES},
            **{f"{side}_connections": connections[side] for side in _SIDES},
            "refreshes_per_side": settings.http_pairs * settings.http_block + 2,
            "server": settings.server,
        },
    )
    if connections["sqcore"] != 1:
        figure.met = False
    return figure


def _received(host: Host, tick: Callable[[], None], gzip: bool) -> tuple[int, int]:
    """The bytes the server sends and the requests it handles during `tick`."""
    host.set_gzip(gzip)
    before = host.counters()
    tick()
    after = host.counters()
    host.set_gzip(True)
    return after.bytes_sent - before.bytes_sent, after.requests - before.requests


def poll_bytes(host: Host) -> Figure:
    """Bytes received by one poll of `POLL_JOBS` open jobs, with compression and without."""
    ids = host.create([[3600.0] * POLL_CIRCUITS] * POLL_JOBS).ids
    client = Client(api_key=KEY, remote_host=host.url)
    our_jobs = [Job(client, job_id) for job_id in ids]
    upstream_jobs = _upstream.jobs(_upstream.make_client(host.url, KEY), ids)
    sizes: dict[str, int] = {}
    requests: dict[str, int] = {}
    for name, tick in (
        ("sqcore", lambda: sqcore_tick(our_jobs)),
        ("upstream", lambda: upstream_tick(upstream_jobs)),
    ):
        for coding, gzip in (("gzip", True), ("identity", False)):
            sizes[f"{name}_{coding}"], requests[name] = _received(host, tick, gzip)
    shown = {key: format_bytes(value) for key, value in sizes.items()}
    return _harness.figure_from_pairs(
        bench="http",
        case=f"poll of {POLL_JOBS} open jobs x {POLL_CIRCUITS}: bytes received",
        measure="bytes identity/gzip",
        numerators=[sizes["sqcore_identity"]],
        denominators=[sizes["sqcore_gzip"]],
        target=None,
        note=(
            f"sqcore {shown['sqcore_gzip']} gzip, {shown['sqcore_identity']} identity "
            f"({requests['sqcore']} requests); upstream {shown['upstream_gzip']} gzip, "
            f"{shown['upstream_identity']} identity ({requests['upstream']} requests)"
        ),
        context={
            **{f"{key}_bytes": value for key, value in sizes.items()},
            **{f"{name}_requests": count for name, count in requests.items()},
        },
    )


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Measures against the emulator's loopback server (in its own process by default)."""
    log(
        f"http: refresh 1 open job x {CIRCUITS}: {settings.http_pairs} rounds of "
        f"{settings.http_block} refreshes per side"
    )
    with open_host(settings.server) as host:
        figures = [refresh_cpu(host, settings)]
        log(f"http: bytes per poll of {POLL_JOBS} open jobs x {POLL_CIRCUITS}")
        figures.append(poll_bytes(host))
    return figures
