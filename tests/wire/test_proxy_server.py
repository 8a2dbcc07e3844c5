"""Shell: the loopback proxy of `proxy.py` itself, driven by plain sockets and `http.client`
(not by sqcore's transport): tunnels, forwarding, authentication, refusals, silence, TLS to
the proxy, what it records, and that `close()` leaves nothing running."""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import trustme

from .certificates import server_context
from .hostile import POLL_SECONDS, Action, Hangup, HostileServer, Raw, Reply, Serve, json_reply
from .proxy import Proxy, ProxyServer, proxies

API = "api.superstaq.test"
SECRET = "sk-SECRET-123"
CREDENTIALS = ("proxy-user", "proxy-pass")
#: Seconds a test may wait for an answer that should come at once.
PATIENCE = 5.0


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    with proxies() as proxy:
        yield proxy


def tls_client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@contextlib.contextmanager
def dialled(proxy: ProxyServer, tls: ssl.SSLContext | None = None) -> Iterator[socket.socket]:
    """A client socket connected to `proxy` (over TLS with `tls`), closed on exit."""
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=PATIENCE)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname="127.0.0.1")
    with sock:
        yield sock


def exchange(sock: socket.socket, head: str, method: str) -> http.client.HTTPResponse:
    """Sends `head` (lines joined by CRLF, ending in an empty line) and reads the reply head."""
    sock.sendall(head.replace("\n", "\r\n").encode("latin-1"))
    response = http.client.HTTPResponse(sock, method=method)
    response.begin()
    return response


def connect_head(target: str, *headers: str) -> str:
    return "\n".join([f"CONNECT {target} HTTP/1.1", f"Host: {target}", *headers, "", ""])


def wait_until(condition: Callable[[], bool]) -> None:
    """Waits (polling, bounded by PATIENCE) until `condition()` holds."""
    give_up = time.monotonic() + PATIENCE
    while not condition() and time.monotonic() < give_up:
        threading.Event().wait(POLL_SECONDS)
    assert condition()


# --- Tunnels ---------------------------------------------------------------------------


def test_connect_relays_both_ways_to_the_routed_server(serve: Serve, proxy: Proxy) -> None:
    server = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}))
    connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)
    connection.set_tunnel(API, 443)

    connection.request("GET", "/jobs?id=1", headers={"X-Test": "1"})
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert (response.status, body) == (200, b'{"ok": true}')
    (seen,) = front.requests
    assert (seen.request.method, seen.request.target) == ("CONNECT", f"{API}:443")
    assert (seen.status, seen.target) == (200, ("127.0.0.1", server.port))
    assert seen.relayed.startswith(b"GET /jobs?id=1 HTTP/1.1\r\n")
    assert seen.relayed_bytes == len(seen.relayed)
    assert seen.returned_bytes > len(body)
    assert [(r.path, r.header("X-Test")) for r in server.requests] == [("/jobs", "1")]


def test_tls_inside_the_tunnel_is_opaque_to_the_proxy_and_proxy_auth_stays_with_it(
    ca: trustme.CA, serve: Serve, proxy: Proxy
) -> None:
    server = serve([json_reply({"ok": True})], ssl_context=server_context(ca, API))
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}, credentials=CREDENTIALS))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", front.port, timeout=PATIENCE, context=tls_client_context(ca)
    )
    connection.set_tunnel(API, 443, headers={"Proxy-Authorization": basic(*CREDENTIALS)})

    connection.request("GET", "/jobs", headers={"Authorization": SECRET})
    response = connection.getresponse()
    response.read()
    connection.close()

    assert response.status == 200
    (seen,) = front.requests
    assert seen.header("Proxy-Authorization") == basic(*CREDENTIALS)
    assert seen.relayed_bytes > 0
    assert SECRET.encode() not in seen.relayed
    assert b"/jobs" not in seen.relayed
    (arrived,) = server.requests
    assert arrived.header("Authorization") == SECRET
    assert arrived.header("Proxy-Authorization") is None


def test_bytes_sent_with_the_connect_reach_the_target(serve: Serve, proxy: Proxy) -> None:
    server = serve([Reply(204, close=True)])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}))
    early = "GET /early HTTP/1.1\nHost: x\n\n"

    with dialled(front) as sock:
        sock.sendall((connect_head(f"{API}:443") + early).replace("\n", "\r\n").encode())
        received = b"".join(iter(lambda: sock.recv(65536), b""))  # until the target hangs up

    # No Content-Length on the 200 (RFC 9110 §9.3.6), then the target's reply, as sent.
    assert received.startswith(b"HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 204 ")
    assert [r.path for r in server.requests] == ["/early"]


def test_what_it_keeps_is_bounded_but_it_counts_everything(serve: Serve) -> None:
    server = serve([Reply(204)])
    body = b"k" * 300_000
    with ProxyServer({API: ("127.0.0.1", server.port)}, max_record_bytes=1000) as front:
        connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)
        connection.set_tunnel(API, 443)
        connection.request("POST", "/big", body=body)
        response = connection.getresponse()
        response.read()
        connection.close()
        (seen,) = front.requests

    assert response.status == 204
    assert len(seen.relayed) == 1000
    assert seen.relayed_bytes > len(body)
    assert server.requests[0].body == body


# --- Authentication and refusals -------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        basic("proxy-user", "wrong"),
        basic("someone", "proxy-pass"),
        "Bearer " + base64.b64encode(b"proxy-user:proxy-pass").decode(),
        "Basic not*base64",
        "Basic",
    ],
)
def test_a_connect_without_the_right_credentials_gets_407(
    serve: Serve, proxy: Proxy, authorization: str | None
) -> None:
    server = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}, credentials=CREDENTIALS))
    headers = () if authorization is None else (f"Proxy-Authorization: {authorization}",)

    with dialled(front) as sock:
        response = exchange(sock, connect_head(f"{API}:443", *headers), "CONNECT")
        assert sock.recv(1) == b""  # it closed the connection

    assert (response.status, response.reason) == (407, "Proxy Authentication Required")
    assert response.getheader("Proxy-Authenticate") == 'Basic realm="test"'
    assert front.requests[0].status == 407
    assert front.requests[0].target is None
    assert server.connections == 0


@pytest.mark.parametrize(
    "credentials", [CREDENTIALS, ("ünïcode", "pässwörd€")], ids=["ascii", "utf-8"]
)
def test_the_right_credentials_open_the_tunnel(
    serve: Serve, proxy: Proxy, credentials: tuple[str, str]
) -> None:
    server = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}, credentials=credentials))
    connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)
    connection.set_tunnel(API, 443, headers={"Proxy-Authorization": basic(*credentials)})

    connection.request("GET", "/")
    status = connection.getresponse().status
    connection.close()

    assert status == 200
    assert front.requests[0].status == 200


def test_latin_1_credentials_are_accepted_as_urllib3_sends_them(proxy: Proxy) -> None:
    front = proxy(ProxyServer(credentials=("user", "pässword")))
    token = base64.b64encode("user:pässword".encode("latin-1")).decode()

    with dialled(front) as sock:
        response = exchange(
            sock,
            connect_head("unrouted.test:443", f"Proxy-Authorization: Basic {token}"),
            "CONNECT",
        )

    assert response.status == 502  # past authentication, then no route


@pytest.mark.parametrize("status", [403, 503])
def test_refuse_answers_every_authorized_request(proxy: Proxy, serve: Serve, status: int) -> None:
    server = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}, refuse=status))

    with dialled(front) as sock:
        tunnel = exchange(sock, connect_head(f"{API}:443"), "CONNECT")
    with dialled(front) as sock:
        forward = exchange(sock, f"GET http://{API}/x HTTP/1.1\nHost: {API}\n\n", "GET")

    assert (tunnel.status, forward.status) == (status, status)
    assert [seen.status for seen in front.requests] == [status, status]
    assert server.connections == 0


def test_credentials_are_checked_before_a_refusal(proxy: Proxy) -> None:
    front = proxy(ProxyServer({API: ("127.0.0.1", 9)}, credentials=CREDENTIALS, refuse=403))

    with dialled(front) as sock:
        anonymous = exchange(sock, connect_head(f"{API}:443"), "CONNECT")
    with dialled(front) as sock:
        known = exchange(
            sock,
            connect_head(f"{API}:443", f"Proxy-Authorization: {basic(*CREDENTIALS)}"),
            "CONNECT",
        )

    assert (anonymous.status, known.status) == (407, 403)


def test_a_host_without_a_route_or_a_listener_gets_502(proxy: Proxy) -> None:
    with socket.socket() as closed:  # a port that nothing listens on
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    front = proxy(ProxyServer({"dead.test": ("127.0.0.1", dead_port)}))

    statuses = []
    for target in ["unrouted.test:443", "dead.test:443"]:
        with dialled(front) as sock:
            statuses.append(exchange(sock, connect_head(target), "CONNECT").status)

    assert statuses == [502, 502]
    assert [seen.target for seen in front.requests] == [None, None]


def test_a_route_for_host_and_port_wins_over_the_host(serve: Serve, proxy: Proxy) -> None:
    wanted = serve([json_reply({"which": "port"})])
    other = serve([json_reply({"which": "host"})])
    front = proxy(
        ProxyServer({API: ("127.0.0.1", other.port), f"{API}:8443": ("127.0.0.1", wanted.port)})
    )
    connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)
    connection.set_tunnel(API.upper(), 8443)

    connection.request("GET", "/")
    body = connection.getresponse().read()
    connection.close()

    assert body == b'{"which": "port"}'
    assert other.connections == 0


@pytest.mark.parametrize(
    "head",
    [
        "CONNECT no-port.test HTTP/1.1\n\n",
        "CONNECT api.test:99999 HTTP/1.1\n\n",
        "GET /origin-form HTTP/1.1\nHost: x\n\n",
        "GET https://api.test/ HTTP/1.1\nHost: x\n\n",
        "GET http://:80/ HTTP/1.1\nHost: x\n\n",
    ],
)
def test_a_request_it_cannot_serve_gets_400(proxy: Proxy, head: str) -> None:
    front = proxy(ProxyServer({"api.test": ("127.0.0.1", 9)}))

    with dialled(front) as sock:
        response = exchange(sock, head, head.split(" ", 1)[0])

    assert response.status == 400


def test_routes_must_stay_on_this_machine_and_refuse_must_refuse() -> None:
    with pytest.raises(ValueError, match="loopback"):
        ProxyServer({API: ("192.0.2.1", 443)})
    with pytest.raises(ValueError, match="300 to 599"):
        ProxyServer(refuse=200)


# --- Silence ---------------------------------------------------------------------------


def test_a_silent_proxy_reads_the_request_never_answers_and_still_closes_promptly() -> None:
    before = set(threading.enumerate())
    front = ProxyServer({API: ("127.0.0.1", 9)}, silent=True).start()
    try:
        with dialled(front) as sock:
            twice = connect_head(f"{API}:443") + connect_head(f"{API}:443")
            sock.sendall(twice.replace("\n", "\r\n").encode())
            wait_until(lambda: len(front.requests) == 1)
            started = time.monotonic()
            front.close()
            elapsed = time.monotonic() - started
            assert sock.recv(1024) == b""  # closed without a byte of answer
    finally:
        front.close()

    assert elapsed < 1.0
    (seen,) = front.requests
    assert (seen.request_line, seen.status, seen.target) == (
        f"CONNECT {API}:443 HTTP/1.1",
        None,
        None,
    )
    assert set(threading.enumerate()) == before


# --- The proxy over TLS ----------------------------------------------------------------


def test_an_https_proxy_speaks_tls_to_the_client_and_relays_inside_it(
    ca: trustme.CA, serve: Serve, proxy: Proxy
) -> None:
    server = serve([json_reply({"ok": True})])
    front = proxy(
        ProxyServer({API: ("127.0.0.1", server.port)}, ssl_context=server_context(ca, "127.0.0.1"))
    )
    request = f"GET /inside HTTP/1.1\nHost: {API}\nAuthorization: {SECRET}\n\n"

    with dialled(front, tls=tls_client_context(ca)) as sock:
        established = exchange(sock, connect_head(f"{API}:443"), "CONNECT")
        reply = exchange(sock, request, "GET")
        body = reply.read()

    assert front.url().startswith("https://127.0.0.1:")
    assert (established.status, reply.status, body) == (200, 200, b'{"ok": true}')
    assert [r.path for r in server.requests] == ["/inside"]
    assert front.requests[0].relayed.startswith(b"GET /inside HTTP/1.1\r\n")


def test_a_plain_client_cannot_talk_to_an_https_proxy(ca: trustme.CA, proxy: Proxy) -> None:
    front = proxy(ProxyServer(ssl_context=server_context(ca, "127.0.0.1")))

    with dialled(front) as sock:
        sock.sendall(connect_head(f"{API}:443").replace("\n", "\r\n").encode())
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(1024) == b""

    assert front.requests == ()


# --- Forwarding ------------------------------------------------------------------------


def test_an_absolute_form_request_is_forwarded_in_origin_form(serve: Serve, proxy: Proxy) -> None:
    server = serve([json_reply({"ok": True}, headers=(("Connection", "keep-alive"),))])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}, credentials=CREDENTIALS))
    connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)

    connection.request(
        "POST",
        f"http://{API}:8080/jobs?id=1",
        body=b'{"a": 1}',
        headers={
            "Proxy-Authorization": basic(*CREDENTIALS),
            "Proxy-Connection": "keep-alive",
            "Authorization": SECRET,
        },
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert (response.status, body) == (200, b'{"ok": true}')
    assert response.getheader("Connection") == "close"
    (arrived,) = server.requests
    assert (arrived.method, arrived.target, arrived.body) == ("POST", "/jobs?id=1", b'{"a": 1}')
    assert arrived.header("Host") == f"{API}:8080"
    assert arrived.header("Authorization") == SECRET
    assert arrived.header("Proxy-Authorization") is None
    assert arrived.header("Proxy-Connection") is None
    assert arrived.header("Connection") == "close"
    (seen,) = front.requests
    assert (seen.request.method, seen.request.target) == ("POST", f"http://{API}:8080/jobs?id=1")
    assert seen.header("Proxy-Authorization") == basic(*CREDENTIALS)
    assert ("Proxy-Connection", "keep-alive") in seen.headers
    assert (seen.status, seen.target) == (200, ("127.0.0.1", server.port))
    assert seen.relayed.startswith(b"POST /jobs?id=1 HTTP/1.1\r\n")
    assert b"Proxy-Authorization" not in seen.relayed
    assert seen.relayed.endswith(b'\r\n\r\n{"a": 1}')


def test_a_forwarded_reply_keeps_the_targets_status(serve: Serve, proxy: Proxy) -> None:
    server = serve([Reply(503, (("Retry-After", "1"),), b"busy")])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}))
    connection = http.client.HTTPConnection("127.0.0.1", front.port, timeout=PATIENCE)

    connection.request("GET", f"http://{API}/")
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert (response.status, response.getheader("Retry-After"), body) == (503, "1", b"busy")
    assert front.requests[0].status == 503
    assert server.requests[0].target == "/"


@pytest.mark.parametrize("misbehaviour", [Hangup(), Raw(b"SPDY/3 200\r\n\r\n")])
def test_a_target_that_gives_no_http_reply_gives_502(
    serve: Serve, proxy: Proxy, misbehaviour: Action
) -> None:
    server = serve([misbehaviour])
    front = proxy(ProxyServer({API: ("127.0.0.1", server.port)}))

    with dialled(front) as sock:
        response = exchange(sock, f"GET http://{API}/ HTTP/1.1\nHost: {API}\n\n", "GET")

    assert response.status == 502
    assert len(server.requests) == 1
    assert front.requests[0].status == 502


# --- Life cycle ------------------------------------------------------------------------


def test_close_ends_every_thread_and_socket_even_with_a_tunnel_open() -> None:
    before = set(threading.enumerate())
    with HostileServer([json_reply({"ok": True})]) as server:
        front = ProxyServer({API: ("127.0.0.1", server.port)}).start()
        with dialled(front) as sock:
            established = exchange(sock, connect_head(f"{API}:443"), "CONNECT")
            started = time.monotonic()
            front.close()
            elapsed = time.monotonic() - started
            assert sock.recv(1024) == b""

    assert established.status == 200
    assert elapsed < 1.0
    assert set(threading.enumerate()) == before


def test_a_connection_without_a_request_is_counted_but_not_recorded(proxy: Proxy) -> None:
    front = proxy(ProxyServer())

    with dialled(front) as sock:
        sock.sendall(b"CONNECT half-a-head")
    wait_until(lambda: front.connections == 1)

    front.close()  # joins the thread that served it
    assert (front.connections, front.requests) == (1, ())


def test_url_carries_percent_encoded_credentials(proxy: Proxy) -> None:
    front = proxy(ProxyServer())

    assert front.url() == f"http://127.0.0.1:{front.port}"
    assert (
        front.url(("us er", "p@ss:w/rd"))
        == f"http://us%20er:p%40ss%3Aw%2Frd@127.0.0.1:{front.port}"
    )
