"""Shell: a real forward proxy for the wire tests: proxy.py (PyPI `proxy.py`), in a subprocess
on 127.0.0.1, with a `Tap` in front of it that keeps every byte it receives.

`real_proxy(routes, credentials=None)` starts `python -m tests.wire.real_proxy`, which runs
proxy.py with one acceptor on a port the OS picks, asking for Basic credentials if given. The
child writes its port on standard output once it listens (readiness is that line, read with a
deadline: no sleep); closing its standard input stops it. `MapHosts`, a proxy.py plugin, looks
the test's host names up in `routes` (name -> loopback address) instead of DNS, so the proxy
reaches a TLS server on this machine under a name that is not loopback to sqcore, on a machine
with no network at all.

`Tap(port)` listens on 127.0.0.1 and relays each connection to that port, keeping what the
client sent (`received`): put in front of the proxy, it is all the proxy received, so a test
can prove that the API key never reached it in clear text.

    with real_proxy({"api.superstaq.test": "127.0.0.1"}) as proxy, Tap(proxy.port) as tap:
        ...  # Urllib3Transport(proxy_url=tap.origin) to https://api.superstaq.test:PORT
        assert b"sk-SECRET" not in b"".join(tap.received)
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import proxy
from proxy.common.types import HostPort
from proxy.http.proxy import HttpProxyBasePlugin

from .hostile import POLL_SECONDS, LoopbackServer

__all__ = ["MapHosts", "RealProxy", "Tap", "real_proxy"]

#: The variable that carries the routes to the child: "name=address,name=address".
ROUTES_VARIABLE = "SQCORE_TEST_PROXY_ROUTES"
#: How long the child may take to start listening, or to stop, on a loaded machine.
START_SECONDS = 30.0
STOP_SECONDS = 10.0

_ROOT = Path(__file__).resolve().parents[2]


class MapHosts(HttpProxyBasePlugin):
    """proxy.py plugin: the address of each host name in the routes, instead of DNS (others
    are left to proxy.py's own lookup)."""

    def resolve_dns(self, host: str, port: int) -> tuple[str | None, HostPort | None]:
        routes = dict(
            item.split("=", 1) for item in os.environ.get(ROUTES_VARIABLE, "").split(",") if item
        )
        return routes.get(host.lower()), None


class RealProxy:
    """proxy.py in a subprocess on 127.0.0.1, started by `start()`, stopped by `close()` (or
    both by `with real_proxy(...)`).

    Args:
        routes: Host name -> the loopback address the proxy connects to for it.
        credentials: (user, password) the proxy demands as Basic authentication, or None.
    """

    def __init__(self, routes: dict[str, str], credentials: tuple[str, str] | None = None) -> None:
        self._routes = routes
        self._credentials = credentials
        self._process: subprocess.Popen[bytes] | None = None
        self._files = contextlib.ExitStack()
        self._log = Path(self._files.enter_context(tempfile.TemporaryDirectory())) / "proxy.log"
        self.port = 0

    def start(self) -> RealProxy:
        """Starts the child and waits, at most `START_SECONDS`, until it listens."""
        command = [sys.executable, "-m", "tests.wire.real_proxy", "--hostname", "127.0.0.1"]
        command += ["--port", "0", "--num-acceptors", "1", "--log-level", "WARNING"]
        command += ["--log-file", str(self._log)]
        command += ["--plugins", f"{__name__}.MapHosts"]
        if self._credentials is not None:
            command += ["--basic-auth", ":".join(self._credentials)]
        routes = ",".join(f"{name.lower()}={address}" for name, address in self._routes.items())
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=_ROOT,
            env={**os.environ, ROUTES_VARIABLE: routes},
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_SECONDS)
        line = self._process.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            problem = f"proxy.py did not start: {self.log()}"
            self.close()
            raise RuntimeError(problem)
        self.port = int(line)
        return self

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What proxy.py logged (its warnings), or "" before it logged anything."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def close(self) -> None:
        """Stops the child: closes its standard input, then kills it if it lingers."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        self._files.close()


@contextlib.contextmanager
def real_proxy(
    routes: dict[str, str], credentials: tuple[str, str] | None = None
) -> Iterator[RealProxy]:
    """A started `RealProxy`, stopped when the block ends."""
    running = RealProxy(routes, credentials).start()
    try:
        yield running
    finally:
        running.close()


class Tap(LoopbackServer):
    """Relays every connection to 127.0.0.1:`port`, keeping what the client sent on each."""

    def __init__(self, port: int) -> None:
        super().__init__("tap", ssl_context=None, join_seconds=5.0)
        self._target = port
        self._received: list[bytearray] = []

    @property
    def received(self) -> tuple[bytes, ...]:
        """The bytes clients sent, per connection, in the order the connections came."""
        with self._lock:
            return tuple(bytes(record) for record in self._received)

    def _handle(self, sock: socket.socket, index: int) -> None:
        record = bytearray()
        with self._lock:
            self._received.append(record)
        upstream = socket.create_connection(("127.0.0.1", self._target), timeout=POLL_SECONDS)
        with self._tracked(upstream):
            while not self._stop.is_set():
                readable, _, _ = select.select([sock, upstream], [], [], POLL_SECONDS)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is sock:
                        with self._lock:
                            record += data
                    (upstream if source is sock else sock).sendall(data)


def _main(argv: list[str]) -> None:
    """Runs proxy.py with `argv`; writes its port once it listens; stops at end of input."""
    with proxy.Proxy(argv) as running:
        sys.stdout.write(f"{running.flags.port}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()


if __name__ == "__main__":
    _main(sys.argv[1:])
