"""Refresh over HTTP: repeated status refreshes of one open job on the loopback emulator.

sqcore (`Job.status()` with the default `Urllib3Transport`) and upstream
(`general_superstaq.job.Job._status()` over its `requests` session) each refresh the same
open job, in alternating blocks. The server counts the TCP connections it accepts during
each side's blocks: sqcore must reuse one for all of them. Target (upstream wall time /
sqcore wall time): >= 3. For context, a third side times the same GET with the stdlib's
`http.client` on one keep-alive connection, reading the body and doing nothing else with it:
server time plus what the stdlib's own HTTP costs a client.
"""

from __future__ import annotations

import http.client
import statistics
import urllib.parse
from collections.abc import Callable

from sqcore import Client, Job
from tests.benchmarks import _upstream
from tests.benchmarks._harness import Figure, Settings, Target, figure_from_pairs, time_block_cpu
from tests.benchmarks._server_host import KEY, Host, open_host

__all__ = ["CIRCUITS", "run"]

#: Circuits of the open job (it stays open for an hour).
CIRCUITS = 10


def _connections(host: Host) -> int:
    return host.counters().connections


def measure(host: Host, settings: Settings, case: str, block: int) -> Figure:
    """Times both sides against `host`; returns the figure."""
    created = host.create([[3600.0] * CIRCUITS])
    job_id = created.ids[0]
    client = Client(api_key=KEY, remote_host=host.url)
    upstream = _upstream.make_client(host.url, KEY)
    upstream_job = _upstream.gss().job.Job(upstream, job_id)
    our_job = Job(client, job_id)

    def ours() -> str:
        return our_job.status().value

    def theirs() -> str:
        return str(upstream_job._status().value)

    # The same GET with the stdlib's http.client on one keep-alive connection, reading the
    # body and nothing more: server time plus the stdlib's HTTP alone.
    parts = urllib.parse.urlsplit(host.url)
    raw = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    path = f"/v0.3.0/client/job/cirq?job_id={job_id}"
    raw_headers = {"Authorization": KEY, "Content-Type": "application/json"}

    def bare() -> bytes:
        raw.request("GET", path, headers=raw_headers)
        return raw.getresponse().read()

    start = _connections(host)
    first_ours = ours()
    middle = _connections(host)
    first_theirs = theirs()
    connections = {"sqcore": middle - start, "upstream": _connections(host) - middle}
    if first_ours != first_theirs:
        raise AssertionError(f"statuses differ: {first_ours} vs {first_theirs}")
    requests_before = host.counters().requests
    bare()
    requests_before += 1
    sides: dict[str, Callable[[], object]] = {
        "sqcore": ours,
        "upstream": theirs,
        "http_client": bare,
    }
    # Seconds per refresh, per side: wall time, and this process's CPU time (the client's
    # own cost, without the server's: the server runs in another process).
    wall: dict[str, list[float]] = {side: [] for side in sides}
    cpu: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(settings.http_pairs):
        for side, op in sides.items():
            start = _connections(host)
            wall_time, cpu_time = time_block_cpu(op, block)
            wall[side].append(wall_time)
            cpu[side].append(cpu_time)
            if side in connections:
                connections[side] += _connections(host) - start
    raw.close()
    requests = host.counters().requests - requests_before
    expected = 3 * settings.http_pairs * block
    if requests != expected:
        raise AssertionError(f"expected {expected} requests, the server saw {requests}")
    return figure_from_pairs(
        bench="http",
        case=case,
        measure="time upstream/sqcore",
        numerators=wall["upstream"],
        denominators=wall["sqcore"],
        target=Target(">=", 3.0),
        context={
            **{f"{side}_seconds": statistics.median(times) for side, times in wall.items()},
            **{f"{side}_cpu_seconds": statistics.median(times) for side, times in cpu.items()},
            # What a client doing no more than a bare http.client GET would get.
            "http_client_ratio": statistics.median(
                upstream / stdlib
                for upstream, stdlib in zip(wall["upstream"], wall["http_client"], strict=True)
            ),
            "refreshes_per_side": settings.http_pairs * block + 1,
            "sqcore_connections": connections["sqcore"],
            "upstream_connections": connections["upstream"],
            "one_connection": connections["sqcore"] == 1,
            "server": settings.server,
        },
    )


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Measures against the emulator's loopback server (in its own process by default)."""
    case = f"1 open job x {CIRCUITS}"
    log(f"http: {case}: {settings.http_pairs} pairs of {settings.http_block} refreshes")
    with open_host(settings.server) as host:
        figure = measure(host, settings, case, settings.http_block)
    if figure.met and not figure.context["one_connection"]:
        figure.met = False
    return [figure]
