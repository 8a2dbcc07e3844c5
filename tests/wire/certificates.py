"""TLS for the wire tests: server contexts with `trustme` certificates for the names given,
and a one-connection server for handshakes and closes a `HostileServer` does not script."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable

import trustme


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A server-side TLS context whose certificate, issued by `ca`, is for `names`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


class OneShot:
    """A loopback server that runs `handle` on the first connection it accepts."""

    def __init__(self, handle: Callable[[socket.socket], object]) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, args=(handle,), daemon=True)
        self._thread.start()

    def _serve(self, handle: Callable[[socket.socket], object]) -> None:
        self._listener.settimeout(5)
        with contextlib.suppress(OSError):
            connection, _ = self._listener.accept()
            with connection:
                handle(connection)

    def close(self) -> None:
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> OneShot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def reply_then_close(context: ssl.SSLContext, notify: bool) -> Callable[[socket.socket], None]:
    """A TLS server that answers with a body ended by closing, with or without close_notify."""

    def handle(connection: socket.socket) -> None:
        with context.wrap_socket(connection, server_side=True) as tls:
            tls.recv(65536)
            tls.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b'{"job_id": ["a"')
            if notify:
                # close_notify: the body ends here (the client may hang up before answering)
                with contextlib.suppress(OSError):
                    tls.unwrap()

    return handle
