"""The emulator over real loopback HTTP: the threaded server, its gzip replies and
`python -m transports.emulator`."""

from __future__ import annotations

import gzip
import http.client
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec
import pytest

from transports.emulator import API_VERSION, Emulator, EmulatorServer
from transports.emulator.__main__ import main
from transports.emulator._encoding import GZIP_MIN_BYTES

KEY = "test-key"
AUTH = {"Authorization": KEY}
FETCH = f"/{API_VERSION}/client/job/cirq"
CREATE = f"/{API_VERSION}/client/job"
REPO = Path(__file__).resolve().parents[2]
PYTHON_M_EMULATOR = (sys.executable, "-m", "transports.emulator")


@pytest.fixture
def emu() -> Emulator:
    return Emulator(api_key=KEY)


@pytest.fixture
def server(emu: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emu, host="127.0.0.1", port=0) as running:
        yield running


def decode(body: bytes) -> object:
    return msgspec.json.decode(body, type=object)


def test_two_requests_share_one_keep_alive_connection(
    emu: Emulator, server: EmulatorServer
) -> None:
    job_id = emu.create_job(durations=0.0)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", f"{FETCH}?job_id={job_id}", headers=AUTH)
        first = connection.getresponse()
        first_body = first.read()
        sock = connection.sock
        assert sock is not None
        connection.request("GET", f"{FETCH}?job_id={job_id}", headers=AUTH)
        second = connection.getresponse()
        second_body = second.read()
        assert connection.sock is sock  # no reconnect: the server kept the connection open
    finally:
        connection.close()
    for response, body in ((first, first_body), (second, second_body)):
        assert response.status == 200
        assert response.version == 11
        assert response.getheader("Content-Type") == "application/json"
        assert response.getheader("Content-Length") == str(len(body))
        assert response.getheader("Connection") != "close"
        reply = decode(body)
        assert isinstance(reply, dict)
        assert list(reply) == [job_id]
    assert emu.request_count == 2


def test_create_then_fetch_over_urllib(emu: Emulator, server: EmulatorServer) -> None:
    body = msgspec.json.encode(
        {
            "job_type": "simulate",
            "target": "t_simulator",
            "circuits": "[1, 2]",
            "circuit_type": "cirq",
        }
    )
    request = urllib.request.Request(f"{server.url}{CREATE}", body, AUTH, method="POST")
    with urllib.request.urlopen(request, timeout=5) as reply:
        created = decode(reply.read())
    assert isinstance(created, dict)
    assert created["num_circuits"] == 2
    assert emu.statuses(str(created["job_id"])) == ["received", "received"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", FETCH, {}, 401),
        ("GET", FETCH, {"Authorization": "wrong"}, 401),
        ("GET", "/nowhere", AUTH, 404),
        ("DELETE", FETCH, AUTH, 405),
        ("GET", f"{FETCH}?job_id=bad", AUTH, 422),
    ],
)
def test_error_replies_are_json(
    server: EmulatorServer, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    request = urllib.request.Request(f"{server.url}{path}", headers=headers, method=method)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    error = caught.value
    body = error.read()
    error.close()
    assert error.code == status
    assert error.headers["Content-Type"] == "application/json"
    assert isinstance(decode(body), dict)
    assert b"wrong" not in body


def exchange(
    server: EmulatorServer, path: str, headers: dict[str, str]
) -> tuple[http.client.HTTPResponse, bytes]:
    """One GET over a fresh `http.client` connection (which never decodes); the raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_a_long_reply_is_gzipped_when_the_request_accepts_gzip(
    emu: Emulator, server: EmulatorServer
) -> None:
    job_ids = [emu.create_job(num_circuits=3, durations=0.0) for _ in range(2)]
    path = f"{FETCH}?job_id={job_ids[0]}&job_id={job_ids[1]}"
    plain_reply, plain = exchange(server, path, AUTH)
    coded_reply, coded = exchange(server, path, {**AUTH, "Accept-Encoding": "gzip"})
    assert len(plain) >= GZIP_MIN_BYTES
    assert plain_reply.getheader("Content-Encoding") is None
    assert plain_reply.getheader("Content-Length") == str(len(plain))
    assert coded_reply.getheader("Content-Encoding") == "gzip"
    assert coded_reply.getheader("Vary") == "Accept-Encoding"
    assert coded_reply.getheader("Content-Length") == str(len(coded))
    assert len(coded) < len(plain)
    assert gzip.decompress(coded) == plain
    assert sorted(as_object(decode(plain))) == sorted(job_ids)


@pytest.mark.parametrize(
    "accept_encoding", ["gzip;q=0", "GZIP;Q=0, *", "*;q=0", "identity", "deflate, br"]
)
def test_a_reply_stays_plain_when_gzip_is_refused_or_not_offered(
    emu: Emulator, server: EmulatorServer, accept_encoding: str
) -> None:
    job_ids = [emu.create_job(num_circuits=3, durations=0.0) for _ in range(2)]
    path = f"{FETCH}?job_id={job_ids[0]}&job_id={job_ids[1]}"
    reply, body = exchange(server, path, {**AUTH, "Accept-Encoding": accept_encoding})
    assert reply.getheader("Content-Encoding") is None
    assert reply.getheader("Vary") == "Accept-Encoding"
    assert sorted(as_object(decode(body))) == sorted(job_ids)


def test_a_short_reply_is_never_gzipped(emu: Emulator, server: EmulatorServer) -> None:
    reply, body = exchange(server, FETCH, {**AUTH, "Accept-Encoding": "gzip"})
    assert len(body) < GZIP_MIN_BYTES
    assert reply.getheader("Content-Encoding") is None
    assert decode(body) == {}


def as_object(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def raw_exchange(port: int, data: bytes) -> tuple[int, bytes]:
    """Sends raw bytes; returns the status code and the whole reply (the server closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks: list[bytes] = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    reply = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    assert match is not None, reply[:200]
    return int(match.group(1)), reply


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"PUT /v0.3.0/client/cancel_jobs HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413),
        (b"PUT /v0.3.0/client/cancel_jobs HTTP/1.1\r\nContent-Length: nine\r\n\r\n", 400),
        (b"PUT /v0.3.0/client/cancel_jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"BREW /v0.3.0/client/job HTTP/1.1\r\n\r\n", 501),
        (b"garbage\r\n\r\n", 400),
    ],
)
def test_protocol_errors_get_json_and_close(
    server: EmulatorServer, request_bytes: bytes, status: int
) -> None:
    code, reply = raw_exchange(server.port, request_bytes)
    assert code == status
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head
    assert b"Connection: close" in head
    assert isinstance(decode(body), dict)


def test_closing_with_an_idle_keep_alive_connection_is_prompt(emu: Emulator) -> None:
    server = EmulatorServer(emu)
    server.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", FETCH, headers=AUTH)
    connection.getresponse().read()
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 2.0
    server.close()  # idempotent
    connection.close()


def test_a_server_never_started_closes_at_once(emu: Emulator) -> None:
    started = time.monotonic()
    EmulatorServer(emu).close()
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "192.0.2.1", "example.com", "::", "localhost.example", "localhost6", "localhost."],
)
def test_only_loopback_hosts_are_served(emu: Emulator, host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(emu, host=host)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.2"])
def test_loopback_names_and_addresses_bind_ipv4_loopback(emu: Emulator, host: str) -> None:
    with EmulatorServer(emu, host=host) as server:
        expected = "127.0.0.2" if host == "127.0.0.2" else "127.0.0.1"
        assert server.url == f"http://{expected}:{server.port}"


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_ipv6_loopback(emu: Emulator, host: str) -> None:
    try:
        server = EmulatorServer(emu, host=host)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with server:
        assert server.url == f"http://[::1]:{server.port}"
        with urllib.request.urlopen(
            urllib.request.Request(f"{server.url}{FETCH}", headers=AUTH), timeout=5
        ) as reply:
            assert decode(reply.read()) == {}


def test_main_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "loopback" in capsys.readouterr().err


def read_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def test_module_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [*PYTHON_M_EMULATOR, "--port", "0", "--api-key", KEY, "--demo-jobs", "2"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
        first = lines.get(timeout=10)
        match = re.search(r"(http://127\.0\.0\.1:(\d+))\s*$", first)
        assert match is not None, first
        url = match.group(1)
        job_ids = [lines.get(timeout=5).split()[-1] for _ in range(2)]
        query = "&".join(f"job_id={job_id}" for job_id in job_ids)
        request = urllib.request.Request(f"{url}{FETCH}?{query}", headers=AUTH)
        with urllib.request.urlopen(request, timeout=5) as reply:
            jobs = decode(reply.read())
        assert isinstance(jobs, dict)
        assert sorted(jobs) == sorted(job_ids)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 0
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_a_body_nested_too_deeply_gets_a_400_and_the_server_keeps_serving(
    emu: Emulator, server: EmulatorServer
) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    body = b'{"job_type": "submit", "metadata": {"a": ' + nested + b"}}"
    request = urllib.request.Request(
        f"{server.url}{CREATE}", data=body, headers=AUTH, method="POST"
    )

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    error = caught.value
    answer = decode(error.read())
    error.close()

    assert error.code == 400
    assert answer == {"detail": "body: nests arrays or objects too deeply to be read"}
    job = emu.create_job(durations=0)
    fetched = urllib.request.Request(f"{server.url}{FETCH}?job_id={job}", headers=AUTH)
    with urllib.request.urlopen(fetched, timeout=5) as reply:
        assert reply.status == 200
