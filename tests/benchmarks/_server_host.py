"""The loopback emulator server for the HTTP benchmarks, in its own process or a thread.

In its own process (the default) the server does not compete with the client for the GIL,
as a real server would not; each side then pays only its own client-side costs plus the
same server time, and this process's CPU time is the client's alone.

The host meters what the benchmarks report, at the server: the TCP connections it accepts
(so a benchmark can check that a client reuses one keep-alive connection) and the bytes it
writes (status lines, headers and bodies: what the client receives on the wire). It also
has a compression switch, as a front end's `gzip on|off`: on (the emulator's own
behaviour), replies of 256 bytes and more go out gzip-coded to requests that accept gzip;
off, the request's Accept-Encoding is dropped before the emulator's server reads it, so
every reply goes out as it is. Both are done by subclassing the server's request handler;
the server's own code is unchanged.

Run as `python -m tests.benchmarks._server_host`, it serves and answers commands, one JSON
line per command on stdin, one JSON line per reply on stdout.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import msgspec

from transports.emulator import Emulator, EmulatorServer
from transports.emulator._server import _Handler

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["KEY", "Counters", "Created", "Host", "InProcessHost", "SubprocessHost", "open_host"]

KEY = "bench-emulator-key-31337"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Created(msgspec.Struct, frozen=True):
    """Jobs just created: their ids and the monotonic time each becomes terminal."""

    ids: list[str]
    completion: list[float]


class Counters(msgspec.Struct, frozen=True):
    """What the server has done so far: requests handled, connections accepted, bytes
    written (the replies as sent: status lines, headers, bodies, coded or not)."""

    requests: int
    connections: int
    bytes_sent: int


class _Create(msgspec.Struct, frozen=True, tag="create"):
    durations: list[list[float]]
    num_qubits: int = 5
    shots: int = 1000
    target: str = "ibmq_brisbane_qpu"


class _Count(msgspec.Struct, frozen=True, tag="count"):
    pass


class _Gzip(msgspec.Struct, frozen=True, tag="gzip"):
    on: bool


class _Quit(msgspec.Struct, frozen=True, tag="quit"):
    pass


_Command = _Create | _Count | _Gzip | _Quit


class _Meter:
    """The server's counters, shared by its handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections = 0
        self.bytes_sent = 0
        self.gzip = True


class _MeteredWriter(io.BufferedIOBase):
    """A connection's output stream that counts the bytes written through it."""

    def __init__(self, inner: io.BufferedIOBase, meter: _Meter) -> None:
        super().__init__()
        self._inner = inner
        self._meter = meter

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data)
        with self._meter.lock:
            self._meter.bytes_sent += view.nbytes
        return self._inner.write(view)

    def flush(self) -> None:
        self._inner.flush()

    def close(self) -> None:
        if not self.closed:
            super().close()  # flushes, through to the inner stream
            self._inner.close()


def _metered_handler(meter: _Meter) -> type[_Handler]:
    """The emulator server's request handler, metered and with the compression switch."""

    class Metered(_Handler):
        def setup(self) -> None:
            super().setup()
            with meter.lock:
                meter.connections += 1
            self.wfile = _MeteredWriter(self.wfile, meter)

        def parse_request(self) -> bool:
            parsed = super().parse_request()
            if parsed and not meter.gzip:
                del self.headers["Accept-Encoding"]
            return parsed

    return Metered


class _Served:
    """An emulator and its running server, metered."""

    def __init__(self) -> None:
        self.emulator = Emulator(api_key=KEY)
        self.server = EmulatorServer(self.emulator)
        self._meter = _Meter()
        self.server._httpd.RequestHandlerClass = _metered_handler(self._meter)
        self.server.start()

    def create(self, command: _Create) -> Created:
        ids = [
            self.emulator.create_job(
                num_circuits=len(durations),
                durations=durations,
                num_qubits=command.num_qubits,
                shots=command.shots,
                target=command.target,
            )
            for durations in command.durations
        ]
        completion = [
            max(self.emulator.completion_time(job_id, i) for i in range(len(durations)))
            for job_id, durations in zip(ids, command.durations, strict=True)
        ]
        return Created(ids, completion)

    def counters(self) -> Counters:
        with self._meter.lock:
            connections, sent = self._meter.connections, self._meter.bytes_sent
        return Counters(self.emulator.request_count, connections, sent)

    def set_gzip(self, on: bool) -> None:
        with self._meter.lock:
            self._meter.gzip = on

    def close(self) -> None:
        self.server.close()


class Host:
    """A running loopback server: its URL, job creation, counters, the compression switch."""

    url: str

    def create(self, durations: Sequence[Sequence[float]]) -> Created:
        """Creates one job per entry, with those per-circuit durations (seconds from now)."""
        raise NotImplementedError

    def counters(self) -> Counters:
        """The server's counts so far."""
        raise NotImplementedError

    def set_gzip(self, on: bool) -> None:
        """Turns compression on (the default) or off for the requests that follow."""
        raise NotImplementedError

    def close(self) -> None:
        """Stops the server."""
        raise NotImplementedError

    def __enter__(self) -> Host:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class InProcessHost(Host):
    """The server on a thread of this process."""

    def __init__(self) -> None:
        self._served = _Served()
        self.url = self._served.server.url

    def create(self, durations: Sequence[Sequence[float]]) -> Created:
        return self._served.create(_Create([list(d) for d in durations]))

    def counters(self) -> Counters:
        return self._served.counters()

    def set_gzip(self, on: bool) -> None:
        self._served.set_gzip(on)

    def close(self) -> None:
        self._served.close()


_encoder = msgspec.json.Encoder()
_commands = msgspec.json.Decoder(_Command)


class SubprocessHost(Host):
    """The server in a child process (`python -m tests.benchmarks._server_host`)."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": ROOT}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks._server_host"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.url = msgspec.json.decode(self._read_line(), type=str)

    def _read_line(self) -> bytes:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the emulator server process exited")
        return line

    def _ask(self, command: _Command) -> bytes:
        assert self._process.stdin is not None
        self._process.stdin.write(_encoder.encode(command) + b"\n")
        self._process.stdin.flush()
        return self._read_line()

    def create(self, durations: Sequence[Sequence[float]]) -> Created:
        reply = self._ask(_Create([list(d) for d in durations]))
        return msgspec.json.decode(reply, type=Created)

    def counters(self) -> Counters:
        return msgspec.json.decode(self._ask(_Count()), type=Counters)

    def set_gzip(self, on: bool) -> None:
        self._ask(_Gzip(on))

    def close(self) -> None:
        if self._process.poll() is None:
            self._ask(_Quit())
            self._process.wait(timeout=10)


def open_host(where: Literal["process", "thread"]) -> Host:
    """Starts a server in its own process or on a thread of this one."""
    return SubprocessHost() if where == "process" else InProcessHost()


def _answer(served: _Served, command: _Create | _Count | _Gzip) -> bytes:
    if isinstance(command, _Create):
        return _encoder.encode(served.create(command))
    if isinstance(command, _Gzip):
        served.set_gzip(command.on)
        return b"null"
    return _encoder.encode(served.counters())


def main() -> None:
    """Serves, answering commands from stdin until "quit" or end of input."""
    served = _Served()
    out = sys.stdout.buffer
    out.write(_encoder.encode(served.server.url) + b"\n")
    out.flush()
    try:
        for line in sys.stdin.buffer:
            command = _commands.decode(line)
            if isinstance(command, _Quit):
                out.write(b"null\n")
                out.flush()
                break
            out.write(_answer(served, command) + b"\n")
            out.flush()
    finally:
        served.close()


if __name__ == "__main__":
    main()
