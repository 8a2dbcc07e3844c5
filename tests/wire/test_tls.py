"""Shell: `Urllib3Transport` over TLS to a loopback HTTPS server with a trustme certificate.

Certificates are always verified: against the system trust store by default (which does
not hold the test CA, so the handshake fails), or against the `ca_certs` bundle.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from returns.pipeline import is_successful
from returns.result import Result

from transports import Request, Response, TransportError, Urllib3Transport

from .certificates import OneShot, reply_then_close, server_context
from .hostile import HostileServer, Reply, Serve, Stall, Trickle, json_reply

SECRET = "sk-SECRET-123"
HEADERS = {"Authorization": SECRET}


@pytest.fixture
def https_server(ca: trustme.CA, serve: Serve) -> HostileServer:
    return serve(
        [json_reply({"ok": True})], ssl_context=server_context(ca, "127.0.0.1", "localhost")
    )


@pytest.fixture
def trusting(ca_pem: Path) -> Iterator[Urllib3Transport]:
    with Urllib3Transport(ca_certs=ca_pem) as transport:
        yield transport


def send(
    transport: Urllib3Transport, url: str, timeout: float = 2.0
) -> Result[Response, TransportError]:
    return transport.send(Request("GET", url, HEADERS, None, timeout))


def test_an_unknown_ca_fails_tls_by_default(
    transport: Urllib3Transport, https_server: HostileServer
) -> None:
    result = send(transport, https_server.url("/job"))

    assert not is_successful(result)
    error = result.failure()
    assert error.kind == "tls"
    assert error.message.startswith(
        f"TLS with 127.0.0.1:{https_server.port} failed: certificate verify failed: "
        "it is not signed by a CA this transport trusts (trusted: "
    )
    assert SECRET not in str(error)
    assert https_server.requests == ()  # nothing was sent over the unverified connection


BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


@pytest.mark.parametrize("given_by", ["ca_certs", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_tls_failure_names_the_ca_bundle_trusted_and_who_named_it(
    https_server: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given_by: str,
) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))  # a CA that did not sign the server's
    for variable in BUNDLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    if given_by != "ca_certs":
        monkeypatch.setenv(given_by, str(other))

    with Urllib3Transport(ca_certs=other if given_by == "ca_certs" else None) as transport:
        error = send(transport, https_server.url("/job")).failure()

    assert error.kind == "tls"
    assert error.message.endswith(
        f"it is not signed by a CA this transport trusts (trusted: {given_by} {str(other)!r})"
    )


@pytest.mark.parametrize(
    ("environ", "trusted"),
    [
        ({}, "the system store"),
        ({"SSL_CERT_FILE": "{pem}"}, "the system store (SSL_CERT_FILE '{pem}')"),
    ],
    ids=["OpenSSL's default", "SSL_CERT_FILE"],
)
def test_a_tls_failure_against_the_system_store_says_so(
    https_server: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    trusted: str,
) -> None:
    pem = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(pem))
    for variable in BUNDLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value.format(pem=pem))

    with Urllib3Transport() as transport:
        error = send(transport, https_server.url("/job")).failure()

    assert error.kind == "tls"
    assert error.message.endswith(f"(trusted: {trusted.format(pem=pem)})")


@pytest.mark.parametrize("as_str", [False, True], ids=["Path", "str"])
def test_the_ca_bundle_is_trusted(ca_pem: Path, https_server: HostileServer, as_str: bool) -> None:
    with Urllib3Transport(ca_certs=str(ca_pem) if as_str else ca_pem) as transport:
        result = send(transport, https_server.url("/job"))

    assert is_successful(result)
    assert result.unwrap().status == 200
    assert https_server.requests[0].header("Authorization") == SECRET


def test_keep_alive_reuses_one_tls_connection(
    trusting: Urllib3Transport, https_server: HostileServer
) -> None:
    for _ in range(5):
        assert is_successful(send(trusting, https_server.url()))

    assert https_server.connections == 1


def test_a_certificate_for_another_host_fails(
    trusting: Urllib3Transport, ca: trustme.CA, serve: Serve
) -> None:
    server = serve([Reply()], ssl_context=server_context(ca, "example.org"))

    result = send(trusting, server.url())

    assert not is_successful(result)
    assert result.failure().kind == "tls"
    assert result.failure().message.startswith(
        f"TLS with 127.0.0.1:{server.port} failed: certificate verify failed: "
        "it is not for '127.0.0.1' (trusted: ca_certs "
    )


@pytest.mark.parametrize(
    "action",
    [
        Stall(5.0),
        Trickle(
            Reply(200, (("X-Padding", "p" * 200),)), step_bytes=1, interval=0.02, head_too=True
        ),
    ],
    ids=["stall", "trickled headers"],
)
def test_the_deadline_holds_over_tls(
    trusting: Urllib3Transport, ca: trustme.CA, serve: Serve, action: Stall | Trickle
) -> None:
    server = serve([action], ssl_context=server_context(ca, "127.0.0.1"))

    start = time.monotonic()
    result = send(trusting, server.url(), timeout=0.4)

    assert time.monotonic() - start < 0.9
    assert not is_successful(result)
    assert result.failure().kind == "timeout"


class SlowRelay:
    """A TCP relay in front of `port` that passes the server's bytes on one at a time.

    Each byte comes `interval` seconds after the last, so every single read of the client's
    is quick, yet a TLS handshake through it takes tens of seconds: only a deadline on the
    handshake as a whole can end it.
    """

    def __init__(self, port: int, interval: float = 0.02) -> None:
        self._target = port
        self._interval = interval
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(("127.0.0.1", self._target))
            self._sockets += [client, upstream]
            for pump in (self._forward, self._trickle):
                thread = threading.Thread(target=pump, args=(client, upstream), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                upstream.sendall(data)

    def _trickle(self, client: socket.socket, upstream: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set() and (data := upstream.recv(65536)):
                for byte in data:
                    if self._stop.wait(self._interval):
                        return
                    client.sendall(bytes([byte]))

    def close(self) -> None:
        self._stop.set()
        self._threads[0].join(timeout=5)  # the accept loop, before its socket goes
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)


def test_a_handshake_trickled_byte_by_byte_ends_by_the_deadline(
    trusting: Urllib3Transport, https_server: HostileServer
) -> None:
    relay = SlowRelay(https_server.port)
    try:
        start = time.monotonic()
        result = send(trusting, f"https://127.0.0.1:{relay.port}/job", timeout=0.5)
        elapsed = time.monotonic() - start
    finally:
        relay.close()

    assert not is_successful(result)
    assert (result.failure().kind, result.failure().message) == (
        "connect",  # no connection was made in time: nothing of the request was sent
        f"no connection to 127.0.0.1:{relay.port} within 0.5 s",
    )
    assert elapsed < 1.0
    assert https_server.requests == ()


def test_a_hang_up_during_the_handshake_is_a_connect_failure(trusting: Urllib3Transport) -> None:
    with OneShot(lambda connection: connection.recv(4096)) as server:  # reads the hello, hangs up
        result = send(trusting, f"https://127.0.0.1:{server.port}/job")

    assert not is_successful(result)
    assert (result.failure().kind, result.failure().message) == (
        "connect",  # retried by the client, unlike a certificate the client refuses
        f"127.0.0.1:{server.port} closed the connection during the TLS handshake",
    )


def test_a_tls_connection_dropped_mid_upload_is_a_protocol_failure(
    trusting: Urllib3Transport, ca: trustme.CA
) -> None:
    context = server_context(ca, "127.0.0.1")

    def read_a_little_then_close(connection: socket.socket) -> None:
        with context.wrap_socket(connection, server_side=True) as tls:
            tls.recv(1000)

    with OneShot(read_a_little_then_close) as server:
        result = trusting.send(
            Request("POST", f"https://127.0.0.1:{server.port}/job", HEADERS, b"x" * 5_000_000, 5.0)
        )

    assert not is_successful(result)
    assert result.failure().kind == "protocol"
    assert f"127.0.0.1:{server.port}" in result.failure().message


def test_a_server_that_demands_a_client_certificate_is_a_tls_failure(
    trusting: Urllib3Transport, ca: trustme.CA
) -> None:
    context = server_context(ca, "127.0.0.1")
    context.verify_mode = ssl.CERT_REQUIRED  # the client has none to give
    ca.configure_trust(context)

    def demand_a_certificate(connection: socket.socket) -> None:
        tls = context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        with tls, contextlib.suppress(OSError):
            with contextlib.suppress(ssl.SSLError):
                tls.do_handshake()  # fails, sending the alert: no client certificate
            # Read what the client sent meanwhile (its request) before closing, so that the
            # close is a FIN after the alert, not a reset that could overtake it.
            tls.settimeout(0.2)
            while socket.socket.recv(tls, 65536):
                pass

    with OneShot(demand_a_certificate) as server:
        result = send(trusting, f"https://127.0.0.1:{server.port}/job")

    assert not is_successful(result)
    # Under TLS 1.3 the refusal comes after the client's handshake is done; it is still
    # a TLS failure (never retried), not a broken reply (retried for the whole budget).
    assert result.failure().kind == "tls"


def test_a_body_ended_by_a_bare_tcp_close_is_not_taken_as_whole(
    trusting: Urllib3Transport, ca: trustme.CA
) -> None:
    with OneShot(reply_then_close(server_context(ca, "127.0.0.1"), notify=False)) as server:
        result = send(trusting, f"https://127.0.0.1:{server.port}/job")

    assert not is_successful(result)
    assert (result.failure().kind, result.failure().message) == (
        "protocol",
        f"127.0.0.1:{server.port} closed the TLS connection without close_notify during the "
        "body: it may be cut short",
    )


def test_a_body_ended_by_close_notify_is_whole(trusting: Urllib3Transport, ca: trustme.CA) -> None:
    with OneShot(reply_then_close(server_context(ca, "127.0.0.1"), notify=True)) as server:
        result = send(trusting, f"https://127.0.0.1:{server.port}/job")

    assert is_successful(result)
    assert result.unwrap().body == b'{"job_id": ["a"'


def test_a_missing_ca_bundle_raises_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"

    with pytest.raises(ValueError, match=re.escape(str(missing))):
        Urllib3Transport(ca_certs=missing)


@pytest.mark.parametrize(
    "names", [[], ["abcdef01.r0"], ["ca.pem"]], ids=["empty", "a CRL", "unhashed"]
)
def test_a_directory_without_hashed_certificates_is_not_a_ca_bundle(
    tmp_path: Path, names: list[str]
) -> None:
    for name in names:
        (tmp_path / name).write_text("-----BEGIN X509 CRL-----\n")

    with pytest.raises(ValueError, match="holds no hashed CA certificates"):
        Urllib3Transport(ca_certs=tmp_path)


def test_a_file_without_certificates_raises(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")

    with pytest.raises(ValueError, match=re.escape("junk.pem")):
        Urllib3Transport(ca_certs=junk)


def test_repr_shows_the_ca_bundle(ca_pem: Path) -> None:
    transport = Urllib3Transport(ca_certs=ca_pem)

    assert repr(transport) == f"Urllib3Transport(ca_certs={str(ca_pem)!r}, max_body_bytes=67108864)"
