"""Scale: the client CPU of one poll tick of 10,000 open jobs, on the loopback server.

10,000 jobs of 3 circuits each, open for an hour, on the emulator's loopback server in its
own process (so this process's CPU time is the client's alone). One tick (`_ticks`):

- sqcore: one poll of a batched wait (`wait_all(jobs, timeout_seconds=0)`): every open job
  of the client fetched in URL-sized batches (89 ids a request on loopback: 113 requests),
  each `Job` updated. The `Job` objects live across ticks, as in a wait.
- upstream: `Job._status()` of each of the 10,000 jobs, one request each, as an upstream
  user must poll them. Its `Job` objects are made afresh before each tick (not timed): a
  tick refetches each job anyway, and this way upstream's 10,000 jobs, with their pydantic
  models, are not in the heap that the garbage collector walks during sqcore's ticks.

Every tick starts from a full collection, so no tick pays for the garbage of the one
before.

Each round takes, in turn: sqcore and upstream with the server's compression off (every
reply as it is), then sqcore and upstream with it on (replies of 256 bytes and more
gzip-coded, as both clients ask for gzip). Further rounds tick sqcore alone, off then on
or on then off in turn (its ticks take a second, upstream's about 15 s). The server
counts the requests (checked) and the bytes it writes per tick.

Figures: upstream CPU / sqcore CPU per tick, uncompressed, target >= 20; the same with
gzip, reported (both over the rounds that ticked both). A tick costs what its bytes cost:
sqcore's whole CPU per uncompressed tick / the CPU of msgspec alone decoding that tick's
replies (`msgspec.json.decode` of each of the bodies, fetched once with `http.client`),
target <= 1.5, over every round (each tick paired with a decode measured right after it,
from a full collection, the same jobs alive). Its note gives the transport's share of the
tick (a wrapper around sqcore's `Urllib3Transport` counts the CPU in `send`), the CPU of a
bare `http.client` fetching the same replies on one connection (the floor of the HTTP a
tick must do), and the same decode with the replies held until the last is decoded (as a
tick holds what it read: the collector then walks them). Reported beside it: sqcore's own
CPU (the tick's but its transport's) / the same decode, and sqcore's own reading of the
replies (`parse_poll_reply`: the statuses alone).

Each side's share of one core when polling every 5 s (CPU per tick / 5 s; above 100% it
cannot keep up) is in the notes, with the tick's wall time. For users choosing between the
two codings: sqcore's tick CPU with gzip / without (reported), the bytes each receives, and
the CPU of the inflating alone (`zlib.decompress` of one tick's gzip-coded batch replies,
fetched once with `http.client` and inflated again here).
"""

from __future__ import annotations

import gc
import http.client
import statistics
import time
import urllib.parse
import zlib
from collections.abc import Callable, Sequence

import msgspec
from returns.result import Result

from sqcore import Client, Job
from sqcore.core.endpoints import batch_ids
from sqcore.core.replies import parse_poll_reply
from tests.benchmarks import _harness, _upstream
from tests.benchmarks._harness import (
    Context,
    Figure,
    Settings,
    Target,
    format_bytes,
    format_seconds,
)
from tests.benchmarks._server_host import KEY, Host, open_host
from tests.benchmarks._ticks import sqcore_tick, upstream_tick
from transports import Request, Response, TransportError, Urllib3Transport

__all__ = ["CIRCUITS", "DECODE_TARGET", "POLLING_SECONDS", "TARGET", "run"]

CIRCUITS = 3
#: The polling interval the share of a core is given for.
POLLING_SECONDS = 5.0
TARGET = Target(">=", 20.0)
#: sqcore's whole CPU per tick (its transport's included) / msgspec's decode of the tick's
#: replies.
DECODE_TARGET = Target("<=", 1.5)

#: The sides of a round: (library, compression on).
_SIDES: tuple[tuple[str, bool], ...] = (
    ("sqcore", False),
    ("upstream", False),
    ("sqcore", True),
    ("upstream", True),
)

#: The sides of the rounds that tick sqcore alone, by round parity.
_SQCORE_ROUNDS = (_SIDES[0::2], _SIDES[2::-2])


class _Tick:
    """What one side's ticks measured: CPU and wall seconds, bytes and requests, per tick."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.bytes: list[int] = []
        self.requests: list[int] = []
        self.transport: list[float] = []  # the transport's share of the CPU (sqcore's ticks)

    @classmethod
    def of_cpu(cls, cpu: Sequence[float]) -> _Tick:
        """Ticks known by their CPU alone."""
        made = cls()
        made.cpu = list(cpu)
        return made

    def first(self, count: int) -> _Tick:
        """The first `count` ticks alone."""
        kept = _Tick()
        kept.cpu, kept.wall = self.cpu[:count], self.wall[:count]
        kept.bytes, kept.requests = self.bytes[:count], self.requests[:count]
        return kept

    def shown(self) -> str:
        """The medians, for people: CPU, share of a core, wall time, requests, bytes."""
        cpu = statistics.median(self.cpu)
        return (
            f"CPU {format_seconds(cpu)} ({cpu / POLLING_SECONDS:.1%} of a core at "
            f"{POLLING_SECONDS:g} s polling), wall {format_seconds(statistics.median(self.wall))}"
            f", {statistics.median(self.requests):,.0f} requests, "
            f"{format_bytes(statistics.median(self.bytes))} received"
        )

    def context(self, prefix: str) -> Context:
        """The medians, as values."""
        cpu = statistics.median(self.cpu)
        return {
            f"{prefix}_cpu_seconds": cpu,
            f"{prefix}_core_share_at_{POLLING_SECONDS:g}s": cpu / POLLING_SECONDS,
            f"{prefix}_wall_seconds": statistics.median(self.wall),
            f"{prefix}_requests": statistics.median(self.requests),
            f"{prefix}_bytes": statistics.median(self.bytes),
        }


class _Timed:
    """A transport whose CPU in `send` is counted: a tick's share that is the transport's."""

    def __init__(self, inner: Urllib3Transport) -> None:
        self.inner = inner
        self.cpu = 0.0

    def send(self, request: Request) -> Result[Response, TransportError]:
        """The inner transport's `send`, timed."""
        start = time.process_time()
        try:
            return self.inner.send(request)
        finally:
            self.cpu += time.process_time() - start


def _measure(
    host: Host,
    make_tick: Callable[[], Callable[[], None]],
    gzip: bool,
    into: _Tick,
    timed: _Timed | None = None,
) -> None:
    """Times one tick, from a full collection (the garbage of the last tick is no part of it)."""
    host.set_gzip(gzip)
    tick = make_tick()
    gc.collect()
    before = host.counters()
    transport_before = 0.0 if timed is None else timed.cpu
    cpu, wall = _harness.cpu_and_wall(tick)
    after = host.counters()
    if timed is not None:
        into.transport.append(timed.cpu - transport_before)
    into.cpu.append(cpu)
    into.wall.append(wall)
    into.bytes.append(after.bytes_sent - before.bytes_sent)
    into.requests.append(after.requests - before.requests)


def _replies(host: Host, batches: Sequence[Sequence[str]], gzip: bool) -> list[bytes]:
    """The bodies of one tick's batch replies as the server sends them (gzip-coded or not),
    fetched once with `http.client`."""
    host.set_gzip(gzip)
    parts = urllib.parse.urlsplit(host.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    headers = {"Authorization": KEY, **({"Accept-Encoding": "gzip"} if gzip else {})}
    bodies = []
    try:
        for batch in batches:
            query = urllib.parse.urlencode([("job_id", job_id) for job_id in batch])
            connection.request("GET", f"/v0.3.0/client/job/cirq?{query}", headers=headers)
            reply = connection.getresponse()
            bodies.append(reply.read())
            if (reply.getheader("Content-Encoding") == "gzip") != gzip:
                raise AssertionError(f"the server's coding of a batch reply is not gzip={gzip}")
    finally:
        connection.close()
    return bodies


def _inflate_cpu(host: Host, batches: Sequence[Sequence[str]]) -> float:
    """This process's CPU to inflate one tick's gzip-coded batch replies (`zlib` alone)."""
    coded = _replies(host, batches, gzip=True)
    cpu, _ = _harness.cpu_and_wall(lambda: [zlib.decompress(body, wbits=31) for body in coded])
    return cpu


class _Decodes:
    """What msgspec alone takes to decode one tick's replies (see the module docstring):
    held as a tick holds them, each dropped at once; and sqcore's reading of them."""

    def __init__(
        self,
        batches: Sequence[Sequence[str]],
        bodies: Sequence[bytes],
        fetch: Callable[[], object] | None = None,
    ) -> None:
        self.bodies = bodies
        self.batches = batches
        self.fetch = fetch  # the tick's replies fetched with bare http.client, or None
        self.held: list[float] = []
        self.dropped: list[float] = []
        self.read: list[float] = []
        self.fetched: list[float] = []

    def measure(self) -> None:
        """Times each decode once, from a full collection."""
        decoder = msgspec.json.Decoder()
        pairs = list(zip(self.batches, self.bodies, strict=True))

        def dropped() -> None:
            for body in self.bodies:
                decoder.decode(body)

        def read() -> None:
            for batch, body in pairs:
                parse_poll_reply(body, batch)

        timed: list[tuple[list[float], Callable[[], object]]] = [
            (self.held, lambda: [decoder.decode(body) for body in self.bodies]),
            (self.dropped, dropped),
            (self.read, read),
        ]
        if self.fetch is not None:
            timed.append((self.fetched, self.fetch))
        for times, op in timed:
            gc.collect()
            times.append(_harness.cpu_and_wall(op)[0])


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Runs `scale_pairs` rounds of the four sides on `scale_jobs` open jobs."""
    jobs = settings.scale_jobs
    with open_host(settings.server) as host:
        ids = host.create([[3600.0] * CIRCUITS] * jobs).ids
        timed = _Timed(Urllib3Transport())
        client = Client(api_key=KEY, remote_host=host.url, transport=timed)
        our_jobs = [Job(client, job_id) for job_id in ids]
        upstream = _upstream.make_client(host.url, KEY)

        def upstream_jobs() -> Callable[[], None]:
            # Fresh Job objects for each tick (a tick refetches every job either way), so
            # that upstream's 10,000 jobs and their pydantic models are not in the heap the
            # collector walks during sqcore's ticks.
            their_jobs = _upstream.jobs(upstream, ids)
            return lambda: upstream_tick(their_jobs)

        ticks: dict[str, Callable[[], Callable[[], None]]] = {
            "sqcore": lambda: lambda: sqcore_tick(our_jobs),
            "upstream": upstream_jobs,
        }
        sqcore_tick(our_jobs[:1])  # first-use imports, the connections
        upstream_tick(_upstream.jobs(upstream, ids[:1]))
        batches = batch_ids(client.url, client.circuit_type, ids)
        decodes = _Decodes(
            batches,
            _replies(host, batches, gzip=False),
            lambda: _replies(host, batches, gzip=False),
        )
        measured = {side: _Tick() for side in _SIDES}
        rounds = settings.scale_pairs + settings.scale_extra_pairs
        for round_ in range(rounds):
            # The later rounds tick sqcore alone (its ticks are cheap, and its gzip figure
            # wants more pairs than upstream's 15 s ticks can be given), the first coding
            # alternating, so that a drift of the machine's speed favours neither.
            for side in _SIDES if round_ < settings.scale_pairs else _SQCORE_ROUNDS[round_ % 2]:
                name, gzip = side
                _measure(
                    host, ticks[name], gzip, measured[side], timed if name == "sqcore" else None
                )
                if side == ("sqcore", False):
                    decodes.measure()
                log(
                    f"scale: round {round_ + 1}/{rounds}, {jobs} jobs, {name} "
                    f"{'gzip' if gzip else 'identity'}: CPU "
                    f"{format_seconds(measured[side].cpu[-1])}, wall "
                    f"{format_seconds(measured[side].wall[-1])}, "
                    f"{measured[side].requests[-1]} requests"
                )
        if measured[("sqcore", False)].requests[0] != len(batches):
            raise AssertionError(f"sqcore's ticks made {measured[('sqcore', False)].requests}")
        inflate = _inflate_cpu(host, batches)
        timed.inner.close()
    for (name, _), tick in measured.items():
        if name == "upstream" and set(tick.requests) != {jobs}:
            raise AssertionError(f"upstream ticks made {tick.requests} requests, not {jobs}")
        if name == "sqcore" and len(set(tick.requests)) != 1:
            raise AssertionError(f"sqcore ticks made {tick.requests} requests")
    return _figures(settings, measured, inflate, decodes)


def _figures(
    settings: Settings, measured: dict[tuple[str, bool], _Tick], inflate: float, decodes: _Decodes
) -> list[Figure]:
    """Upstream / sqcore per tick, uncompressed (the target) and with gzip, over the rounds
    that ticked both; sqcore with gzip / without, over every round."""
    jobs = settings.scale_jobs
    plain, coded = measured[("sqcore", False)], measured[("sqcore", True)]
    inflated = statistics.median(plain.bytes)
    coding_note = (
        f"{format_seconds(statistics.median(coded.cpu))} vs "
        f"{format_seconds(statistics.median(plain.cpu))}, receiving "
        f"{format_bytes(statistics.median(coded.bytes))} vs "
        f"{format_bytes(inflated)}; inflating alone "
        f"{format_seconds(inflate)} a tick "
        f"({format_seconds(inflate / inflated * 1e6)} per MB inflated)"
    )
    # (case, measure, numerator, denominator, target, note, context)
    rows: list[tuple[str, str, _Tick, _Tick, Target | None, str, Context]] = [
        (
            f"tick of {jobs:,} open jobs x {CIRCUITS}, {coding}: client CPU",
            "CPU upstream/sqcore",
            measured[("upstream", gzip)],
            measured[("sqcore", gzip)].first(settings.scale_pairs),
            None if gzip else TARGET,
            f"sqcore {measured[('sqcore', gzip)].shown()}; "
            f"upstream {measured[('upstream', gzip)].shown()}",
            {
                **measured[("sqcore", gzip)].context("sqcore"),
                **measured[("upstream", gzip)].context("upstream"),
            },
        )
        for coding, gzip in (("identity", False), ("gzip", True))
    ]
    rows.append(
        (
            f"sqcore tick of {jobs:,}, gzip vs identity: client CPU",
            "CPU gzip/identity",
            coded,
            plain,
            None,
            coding_note,
            {
                **coded.context("sqcore_gzip"),
                **plain.context("sqcore_identity"),
                "inflate_cpu_seconds": inflate,
            },
        )
    )
    held, dropped = statistics.median(decodes.held), statistics.median(decodes.dropped)
    own = [cpu - transport for cpu, transport in zip(plain.cpu, plain.transport, strict=True)]
    transport = statistics.median(plain.transport)
    fetched = format_seconds(statistics.median(decodes.fetched)) if decodes.fetched else "-"
    decode_note = (
        f"msgspec.json.decode of its {len(decodes.bodies)} replies ({format_bytes(inflated)}) "
        f"{format_seconds(dropped)}; the replies held until the last is decoded "
        f"{format_seconds(held)}"
    )
    rows.append(
        (
            f"tick of {jobs:,} open jobs x {CIRCUITS}, identity: the whole tick's client CPU vs "
            "msgspec decoding the replies",
            "CPU tick/decode",
            plain,
            _Tick.of_cpu(decodes.dropped),
            DECODE_TARGET,
            f"the tick {format_seconds(statistics.median(plain.cpu))}, of which "
            f"Urllib3Transport.send {format_seconds(transport)} (bare http.client fetching "
            f"the same replies on one connection: {fetched}) vs {decode_note} (the tick "
            f"÷ that: {statistics.median(plain.cpu) / held:.2f})",
            {
                "sqcore_tick_cpu_seconds": statistics.median(plain.cpu),
                "transport_cpu_seconds": transport,
                "http_client_fetch_cpu_seconds": (
                    statistics.median(decodes.fetched) if decodes.fetched else "-"
                ),
                "decode_cpu_seconds": dropped,
                "decode_held_cpu_seconds": held,
            },
        )
    )
    rows.append(
        (
            f"tick of {jobs:,} open jobs x {CIRCUITS}, identity: sqcore's own CPU (the tick's "
            "but its transport's) vs msgspec decoding the replies",
            "CPU own/decode",
            _Tick.of_cpu(own),
            _Tick.of_cpu(decodes.dropped),
            None,
            f"own {format_seconds(statistics.median(own))} vs {decode_note}; sqcore's reading "
            f"of them (parse_poll_reply) {format_seconds(statistics.median(decodes.read))}",
            {
                "sqcore_own_cpu_seconds": statistics.median(own),
                "parse_poll_reply_cpu_seconds": statistics.median(decodes.read),
            },
        )
    )
    return [
        _harness.figure_from_pairs(
            bench="scale",
            case=case,
            measure=measure,
            numerators=numerator.cpu,
            denominators=denominator.cpu,
            target=target,
            note=note,
            context=context,
        )
        for case, measure, numerator, denominator, target, note, context in rows
    ]
