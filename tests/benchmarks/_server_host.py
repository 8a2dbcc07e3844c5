"""The loopback emulator server for the HTTP benchmarks, in its own process or a thread.

In its own process (the default) the server does not compete with the client for the GIL,
as a real server would not; each side then pays only its own client-side costs plus the
same server time. The host also counts the TCP connections the server accepts, so a
benchmark can check that a client reuses one keep-alive connection.

Run as `python -m tests.benchmarks._server_host`, it serves and answers commands, one JSON
line per command on stdin, one JSON line per reply on stdout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Literal

import msgspec

from transports.emulator import Emulator, EmulatorServer

__all__ = ["KEY", "Created", "Host", "InProcessHost", "SubprocessHost", "open_host"]

KEY = "bench-emulator-key-31337"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Created(msgspec.Struct, frozen=True):
    """Jobs just created: their ids and the monotonic time each becomes terminal."""

    ids: list[str]
    completion: list[float]


class Counters(msgspec.Struct, frozen=True):
    """Requests the emulator has handled and connections the server has accepted."""

    requests: int
    connections: int


class _Create(msgspec.Struct, frozen=True, tag="create"):
    durations: list[list[float]]
    num_qubits: int = 5
    shots: int = 1000
    target: str = "ibmq_brisbane_qpu"


class _Count(msgspec.Struct, frozen=True, tag="count"):
    pass


class _Quit(msgspec.Struct, frozen=True, tag="quit"):
    pass


_Command = _Create | _Count | _Quit


class _Served:
    """An emulator and its running server, with a connection counter."""

    def __init__(self) -> None:
        self.emulator = Emulator(api_key=KEY)
        self.server = EmulatorServer(self.emulator)
        self._lock = threading.Lock()
        self._connections = 0
        # Count accepted connections: the server registers each one through `track`
        # (an instance attribute shadows the method; the server's code is unchanged).
        httpd = self.server._httpd
        track = httpd.track

        def counting_track(connection: socket.socket) -> None:
            with self._lock:
                self._connections += 1
            track(connection)

        vars(httpd)["track"] = counting_track
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
        with self._lock:
            connections = self._connections
        return Counters(self.emulator.request_count, connections)

    def close(self) -> None:
        self.server.close()


class Host:
    """A running loopback server: its URL, job creation and counters."""

    url: str

    def create(self, durations: Sequence[Sequence[float]]) -> Created:
        """Creates one job per entry, with those per-circuit durations (seconds from now)."""
        raise NotImplementedError

    def counters(self) -> Counters:
        """The server's request and connection counts so far."""
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

    def close(self) -> None:
        if self._process.poll() is None:
            self._ask(_Quit())
            self._process.wait(timeout=10)


def open_host(where: Literal["process", "thread"]) -> Host:
    """Starts a server in its own process or on a thread of this one."""
    return SubprocessHost() if where == "process" else InProcessHost()


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
            reply = served.create(command) if isinstance(command, _Create) else served.counters()
            out.write(_encoder.encode(reply) + b"\n")
            out.flush()
    finally:
        served.close()


if __name__ == "__main__":
    main()
