"""Shell: `Urllib3Transport` (and `Client`) through a hand-made loopback proxy.

The proxy (`tests/wire/proxy.py`) routes `api.superstaq.test`, a name that is not loopback,
to a TLS server on 127.0.0.1 whose trustme certificate is for that name. https goes through
the proxy by CONNECT, so the proxy sees only ciphertext: never the API key. Proxy settings
come from `proxy_url` or, with `trust_env`, from the environment as requests reads it, with
`NO_PROXY`; the CA bundle from `ca_certs` or the environment. The proxy's password appears
in no message, repr or log line.
"""

from __future__ import annotations

import base64
import http.client
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import trustme
import urllib3.connection
from returns.pipeline import is_successful
from returns.result import Result

from sqcore import Client, Job, SuperstaqException
from sqcore.core.errors import RetriesExhaustedError
from tests.fixtures import JOB_65, fixture
from transports import Request, Response, TransportError, Urllib3Transport
from transports._proxy import parse_proxy_url
from transports.urllib3._deadline import Call
from transports.urllib3._faults import fault, tunnel_status

from .certificates import OneShot, reply_then_close, server_context
from .hostile import HostileServer, Reply, Serve, Trickle, json_reply
from .proxy import Proxy, ProxyServer, proxies, resolve_to_loopback

SECRET = "sk-SECRET-proxied-7f3"
HEADERS = {"Authorization": SECRET}
NAME = "api.superstaq.test"
USER, PASSWORD = "alice", "p@ss:w/rd#1?"
MARGIN = 0.6

pytestmark = pytest.mark.usefixtures("no_proxy_variables")


@pytest.fixture
def api(ca: trustme.CA, serve: Serve) -> HostileServer:
    """The API over TLS, with a certificate for NAME, answering every request."""
    return serve([json_reply({"ok": True})], ssl_context=server_context(ca, NAME))


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    with proxies() as start:
        yield start


def routes(server: HostileServer) -> dict[str, tuple[str, int]]:
    return {NAME: ("127.0.0.1", server.port)}


def send(
    transport: Urllib3Transport, url: str, timeout: float = 3.0
) -> tuple[Result[Response, TransportError], float]:
    start = time.monotonic()
    result = transport.send(Request("GET", url, HEADERS, None, timeout))
    return result, time.monotonic() - start


def failure_of(result: Result[Response, TransportError]) -> TransportError:
    assert not is_successful(result), f"expected a failure, got {result}"
    error = result.failure()
    for secret in (SECRET, PASSWORD):
        assert secret not in str(error) and secret not in repr(error)
    return error


def resolve_name_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """NAME resolves to 127.0.0.1 here too, so a request that bypasses the proxy can
    reach the API directly."""
    resolve_to_loopback(monkeypatch, NAME)


# --- Through the proxy ---------------------------------------------------------------------


def test_https_goes_through_a_connect_tunnel_and_the_proxy_never_sees_the_key(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    front = proxy(ProxyServer(routes(api)))

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        for _ in range(3):
            result, _ = send(transport, f"https://{NAME}/job")
            assert is_successful(result) and result.unwrap().body == b'{"ok": true}'

    (tunnel,) = front.requests  # one tunnel, kept alive for all three requests
    assert tunnel.request_line.startswith(f"CONNECT {NAME}:443 HTTP/1.")
    assert tunnel.status == 200
    assert tunnel.relayed_bytes > 0
    assert SECRET.encode() not in tunnel.relayed
    assert [request.header("Authorization") for request in api.requests] == [SECRET] * 3


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_the_proxy_comes_from_the_environment_in_either_case(
    proxy: Proxy,
    api: HostileServer,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    front = proxy(ProxyServer(routes(api)))
    monkeypatch.setenv(variable, front.url())

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        result, _ = send(transport, f"https://{NAME}/job")

    assert is_successful(result)
    assert [request.status for request in front.requests] == [200]


def test_lower_case_wins_over_upper_case(
    proxy: Proxy, api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, other = proxy(ProxyServer(routes(api))), proxy(ProxyServer(routes(api)))
    monkeypatch.setenv("HTTPS_PROXY", other.url())
    monkeypatch.setenv("https_proxy", good.url())

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])

    assert (len(good.requests), len(other.requests)) == (1, 0)


def test_trust_env_false_reads_no_proxy_variable(
    proxy: Proxy, api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = proxy(ProxyServer(routes(api)))
    monkeypatch.setenv("HTTPS_PROXY", front.url())
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport(ca_certs=ca_pem, trust_env=False) as transport:
        assert is_successful(send(transport, f"https://{NAME}:{api.port}/job")[0])

    assert front.requests == ()


@pytest.mark.parametrize(
    "no_proxy",
    [
        NAME,
        f".{NAME}",
        "superstaq.test",
        ".superstaq.test",
        "*",
        "other.test, api.superstaq.test",
        "API.SUPERSTAQ.TEST",
        "{name}:{port}",
    ],
)
def test_no_proxy_sends_a_matching_host_directly(
    proxy: Proxy,
    api: HostileServer,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    front = proxy(ProxyServer(routes(api)))
    monkeypatch.setenv("HTTPS_PROXY", front.url())
    monkeypatch.setenv("NO_PROXY", no_proxy.format(name=NAME, port=api.port))
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}:{api.port}/job")[0])

    assert front.requests == ()
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "no_proxy",
    [
        "superstaq.test.example",
        "est",
        "superstaq",
        "pi.superstaq.test",
        "{name}:1",
        "{name}:443",  # the URL writes no port: requests compares only a written one
        "10.0.0.0/8",
        "*.superstaq.test",  # requests knows no "*." prefix
        "localhost,*",  # "*" counts only as the whole value
        "api.superstaq.test.",
    ],
)
def test_no_proxy_that_does_not_match_leaves_the_proxy_in_place(
    proxy: Proxy,
    api: HostileServer,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    front = proxy(ProxyServer(routes(api)))
    monkeypatch.setenv("https_proxy", front.url())
    monkeypatch.setenv("no_proxy", no_proxy.format(name=NAME))

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])

    assert len(front.requests) == 1


def test_no_proxy_does_not_apply_to_an_explicit_proxy_url(
    proxy: Proxy, api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = proxy(ProxyServer(routes(api)))
    monkeypatch.setenv("NO_PROXY", "*")

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])

    assert len(front.requests) == 1


def test_a_loopback_target_never_goes_through_the_proxy(proxy: Proxy, serve: Serve) -> None:
    local = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer())

    with Urllib3Transport(proxy_url=front.url(), trust_env=False) as transport:
        assert is_successful(send(transport, local.url("/job"))[0])
        assert is_successful(send(transport, f"http://localhost:{local.port}/job")[0])

    assert front.requests == ()


def test_plain_http_to_another_host_is_forwarded_without_the_proxy_credentials(
    proxy: Proxy, serve: Serve
) -> None:
    target = serve([json_reply({"ok": True})])
    front = proxy(ProxyServer({NAME: ("127.0.0.1", target.port)}, credentials=(USER, PASSWORD)))

    with Urllib3Transport(proxy_url=front.url((USER, PASSWORD)), trust_env=False) as transport:
        result, _ = send(transport, f"http://{NAME}:{target.port}/job")

    assert is_successful(result)
    assert front.requests[0].request_line.startswith(f"GET http://{NAME}:{target.port}/job")
    assert front.requests[0].header("Proxy-Authorization") is not None
    assert target.requests[0].header("Proxy-Authorization") is None


def test_an_https_proxy_carries_tls_inside_tls(
    proxy: Proxy, api: HostileServer, ca: trustme.CA, ca_pem: Path
) -> None:
    front = proxy(ProxyServer(routes(api), ssl_context=server_context(ca, "127.0.0.1")))
    assert front.url().startswith("https://")

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        result, _ = send(transport, f"https://{NAME}/job")

    assert is_successful(result)
    assert front.requests[0].status == 200
    assert SECRET.encode() not in front.requests[0].relayed


@pytest.mark.parametrize("proxy_scheme", ["http", "https"])
def test_a_body_cut_by_a_bare_tcp_close_is_refused_through_a_proxy(
    proxy: Proxy, ca: trustme.CA, ca_pem: Path, proxy_scheme: str
) -> None:
    """Through an https:// proxy urllib3 wraps the inner TLS itself: it must not take a TCP
    close without close_notify for the end of the body either."""
    proxy_tls = server_context(ca, "127.0.0.1") if proxy_scheme == "https" else None
    with OneShot(reply_then_close(server_context(ca, NAME), notify=False)) as api:
        front = proxy(ProxyServer({NAME: ("127.0.0.1", api.port)}, ssl_context=proxy_tls))
        with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
            result, _ = send(transport, f"https://{NAME}/job")

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "protocol",
        f"{NAME}:443 closed the TLS connection without close_notify during the body: it may "
        "be cut short",
    )


# --- Proxy credentials -------------------------------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "pässwörd-€"], ids=["ascii", "utf-8"])
def test_proxy_credentials_go_to_the_proxy_alone(
    proxy: Proxy, api: HostileServer, ca_pem: Path, password: str
) -> None:
    front = proxy(ProxyServer(routes(api), credentials=(USER, password)))

    with Urllib3Transport(proxy_url=front.url((USER, password)), ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])
        assert password not in repr(transport) and USER not in repr(transport)

    assert front.requests[0].header("Proxy-Authorization") is not None
    assert api.requests[0].header("Proxy-Authorization") is None


def test_latin_1_credentials_go_as_requests_sends_them(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    password = "pässwörd"
    front = proxy(ProxyServer(routes(api), credentials=(USER, password)))
    as_requests = requests.Request(
        "GET", "https://x.example", auth=requests.auth.HTTPProxyAuth(USER, password)
    ).prepare()

    with Urllib3Transport(proxy_url=front.url((USER, password)), ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])

    assert (
        front.requests[0].header("Proxy-Authorization")
        == as_requests.headers["Proxy-Authorization"]
    )


def test_credentials_latin_1_cannot_hold_go_as_utf_8(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    password = "pässwörd-€"  # RFC 7617 §2.1: UTF-8 is the one charset Basic names
    front = proxy(ProxyServer(routes(api), credentials=(USER, password)))

    with Urllib3Transport(proxy_url=front.url((USER, password)), ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}/job")[0])

    utf_8 = base64.b64encode(f"{USER}:{password}".encode()).decode()
    assert front.requests[0].header("Proxy-Authorization") == f"Basic {utf_8}"


@pytest.mark.parametrize("given_by", ["proxy_url", "HTTPS_PROXY"])
def test_credentials_for_a_plain_http_proxy_elsewhere_are_used_never_a_direct_line(
    api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch, given_by: str
) -> None:
    # The form docs/guides/network.md shows: the proxy is asked in the clear, as requests and
    # curl ask it; what matters is that the request goes there or nowhere.
    url = f"http://{USER}:{quote(PASSWORD, safe='')}@proxy.superstaq.invalid:3128"
    if given_by == "HTTPS_PROXY":
        monkeypatch.setenv("HTTPS_PROXY", url)
    resolve_name_to_loopback(monkeypatch)  # a direct line would reach the API

    with Urllib3Transport(
        proxy_url=url if given_by == "proxy_url" else None, ca_certs=ca_pem
    ) as transport:
        error = failure_of(send(transport, f"https://{NAME}:{api.port}/job")[0])

    assert error.kind == "resolve"
    assert error.message.startswith(
        "could not resolve the host name 'proxy.superstaq.invalid' of the proxy "
        "proxy.superstaq.invalid:3128: "
    )
    assert api.requests == ()


@pytest.mark.parametrize(
    "given", [None, (USER, "wrong"), ("mallory", PASSWORD)], ids=["none", "password", "user"]
)
def test_refused_proxy_credentials_are_a_final_proxy_error_naming_the_proxy(
    proxy: Proxy, api: HostileServer, ca_pem: Path, given: tuple[str, str] | None
) -> None:
    front = proxy(ProxyServer(routes(api), credentials=(USER, PASSWORD)))

    with Urllib3Transport(proxy_url=front.url(given), ca_certs=ca_pem) as transport:
        error = failure_of(send(transport, f"https://{NAME}/job")[0])

    assert (error.kind, error.message) == (
        "proxy",
        f"the proxy 127.0.0.1:{front.port} refused the tunnel to {NAME}:443: "
        "407 Proxy Authentication Required",
    )
    assert api.requests == ()


def test_a_proxy_that_forbids_the_tunnel_is_a_final_proxy_error(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    front = proxy(ProxyServer(routes(api), refuse=403))

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        error = failure_of(send(transport, f"https://{NAME}/job")[0])

    assert (error.kind, error.message) == (
        "proxy",
        f"the proxy 127.0.0.1:{front.port} refused the tunnel to {NAME}:443: 403 Forbidden",
    )


def test_a_proxy_that_cannot_reach_the_host_is_a_connect_fault(proxy: Proxy, ca_pem: Path) -> None:
    front = proxy(ProxyServer({}))  # no route: 502

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        error = failure_of(send(transport, f"https://{NAME}/job")[0])

    assert error.kind == "connect"
    assert "502 Bad Gateway" in error.message


@pytest.mark.parametrize(
    "connection_class",
    [http.client.HTTPConnection, urllib3.connection.HTTPConnection],
    ids=["http.client", "urllib3"],
)
def test_the_words_of_a_refused_tunnel_are_read_on_this_python_and_urllib3(
    proxy: Proxy, connection_class: type[http.client.HTTPConnection]
) -> None:
    """http.client says a proxy refused a tunnel only in words (urllib3 copies them where
    it backports the tunnel): the one place that reads them understands these."""
    front = proxy(ProxyServer({NAME: ("127.0.0.1", 9)}, refuse=403))
    connection = connection_class("127.0.0.1", front.port, timeout=5.0)
    connection.set_tunnel(NAME, 443)

    with pytest.raises(OSError) as raised:
        connection.connect()
    connection.close()

    assert type(raised.value) is OSError and raised.value.errno is None
    assert tunnel_status(raised.value) == 403


def test_a_refused_tunnel_worded_otherwise_is_still_a_final_proxy_fault() -> None:
    proxy_url = parse_proxy_url("http://127.0.0.1:3128", "proxy_url").unwrap()
    call = Call(time.monotonic() + 60, f"{NAME}:443", NAME, proxy_url, at_proxy=True)
    refusal = OSError("the proxy said no, in words of a later Python")

    error = fault(refusal, call, 5.0, "the system store")

    assert (error.kind, error.message) == (
        "proxy",
        f"the proxy 127.0.0.1:3128 refused the tunnel to {NAME}:443 (its status could not be read)",
    )


def test_the_client_does_not_retry_a_refused_tunnel(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    front = proxy(ProxyServer(routes(api), credentials=(USER, PASSWORD)))
    transport = Urllib3Transport(proxy_url=front.url((USER, "wrong")), ca_certs=ca_pem)
    client = Client(api_key=SECRET, remote_host=f"https://{NAME}", transport=transport)

    with transport, pytest.raises(SuperstaqException) as raised:
        Job(client, JOB_65).status()

    assert "refused the tunnel" in str(raised.value)
    assert PASSWORD not in str(raised.value) and SECRET not in str(raised.value)
    assert len(front.requests) == 1


# --- A proxy that is down or silent --------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_proxy_is_a_connect_fault_naming_it(ca_pem: Path) -> None:
    port = closed_port()

    url = f"http://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}"

    with Urllib3Transport(proxy_url=url, ca_certs=ca_pem) as transport:
        error = failure_of(send(transport, f"https://{NAME}/job", timeout=1.0)[0])

    assert (error.kind, error.message) == (
        "connect",
        f"connection refused by the proxy 127.0.0.1:{port}",
    )


def test_the_client_retries_an_unreachable_proxy_until_its_budget_is_spent(ca_pem: Path) -> None:
    transport = Urllib3Transport(proxy_url=f"http://127.0.0.1:{closed_port()}", ca_certs=ca_pem)
    client = Client(
        api_key=SECRET, remote_host=f"https://{NAME}", transport=transport, max_retry_seconds=0.5
    )

    with transport, pytest.raises(RetriesExhaustedError, match="connection refused by the proxy"):
        Job(client, JOB_65).status()


def test_a_proxy_that_never_answers_holds_no_request_past_its_deadline(
    proxy: Proxy, api: HostileServer, ca_pem: Path
) -> None:
    front = proxy(ProxyServer(routes(api), silent=True))

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        result, elapsed = send(transport, f"https://{NAME}/job", timeout=0.5)

    error = failure_of(result)
    assert (error.kind, error.message) == (
        "connect",  # no tunnel was made in time: nothing of the request reached the API
        f"no connection to {NAME}:443 through the proxy 127.0.0.1:{front.port} within 0.5 s",
    )
    assert elapsed < 0.5 + MARGIN


def test_a_proxy_that_trickles_its_answer_holds_no_request_past_its_deadline(
    serve: Serve, ca_pem: Path
) -> None:
    # Its answer to CONNECT, a byte every 20 ms: each read is quick, the whole is not.
    slow = serve([Trickle(Reply(200, (("X-Padding", "p" * 200),)), 1, 0.02, head_too=True)])

    with Urllib3Transport(proxy_url=slow.url(), ca_certs=ca_pem) as transport:
        result, elapsed = send(transport, f"https://{NAME}/job", timeout=0.5)

    assert (failure_of(result).kind, failure_of(result).message) == (
        "connect",
        f"no connection to {NAME}:443 through the proxy 127.0.0.1:{slow.port} within 0.5 s",
    )
    assert elapsed < 0.5 + MARGIN


def test_a_server_that_stalls_behind_the_proxy_is_cut_at_the_deadline(
    proxy: Proxy, ca: trustme.CA, serve: Serve, ca_pem: Path
) -> None:
    from .hostile import Stall

    slow = serve([Stall(5.0, then=Reply(200))], ssl_context=server_context(ca, NAME))
    front = proxy(ProxyServer(routes(slow)))

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        result, elapsed = send(transport, f"https://{NAME}/job", timeout=0.5)

    assert failure_of(result).kind == "timeout"
    assert elapsed < 0.5 + MARGIN


@pytest.mark.parametrize("proxy_scheme", ["http", "https"])
def test_a_server_that_trickles_behind_the_proxy_is_cut_at_the_deadline(
    proxy: Proxy, ca: trustme.CA, serve: Serve, ca_pem: Path, proxy_scheme: str
) -> None:
    """Through an https:// proxy, TLS runs inside the proxy's TLS: the deadline still
    reaches the socket under both."""
    trickle = Trickle(Reply(200, body=b"x" * 200), step_bytes=1, interval=0.02)
    slow = serve([trickle], ssl_context=server_context(ca, NAME))
    proxy_tls = server_context(ca, "127.0.0.1") if proxy_scheme == "https" else None
    front = proxy(ProxyServer(routes(slow), ssl_context=proxy_tls))

    with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem) as transport:
        result, elapsed = send(transport, f"https://{NAME}/job", timeout=0.5)

    assert failure_of(result).kind == "timeout"
    assert failure_of(result).message.startswith("reply body not complete within 0.5 s")
    assert elapsed < 0.5 + MARGIN


# --- What the password is never in ---------------------------------------------------------


def test_the_proxy_password_is_in_no_message_repr_or_log_line(
    proxy: Proxy, api: HostileServer, ca_pem: Path, caplog: pytest.LogCaptureFixture
) -> None:
    front = proxy(ProxyServer(routes(api), credentials=(USER, PASSWORD)))
    caplog.set_level(logging.DEBUG)

    with Urllib3Transport(proxy_url=front.url((USER, "not-" + PASSWORD)), ca_certs=ca_pem) as bad:
        error = failure_of(send(bad, f"https://{NAME}/job")[0])
        shown = [repr(bad), str(bad), str(error), repr(error)]
    with Urllib3Transport(proxy_url=front.url((USER, PASSWORD)), ca_certs=ca_pem) as good:
        assert is_successful(send(good, f"https://{NAME}/job")[0])
        shown += [repr(good), str(good)]

    shown += [record.getMessage() for record in caplog.records]
    assert caplog.records  # urllib3 did log at DEBUG
    forms = [PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD), SECRET]  # as given, as in URLs
    assert not [text for text in shown if any(form in text for form in forms)]


@pytest.mark.parametrize("scheme", ["socks5", "socks5h", "socks4"])
def test_a_socks_proxy_is_refused_at_construction_naming_the_scheme(scheme: str) -> None:
    encoded = quote(PASSWORD, safe="")
    with pytest.raises(ValueError, match=f"{scheme}://") as raised:
        Urllib3Transport(proxy_url=f"{scheme}://{USER}:{encoded}@proxy.example:1080")

    assert PASSWORD not in str(raised.value) and encoded not in str(raised.value)


def test_a_bad_proxy_variable_is_refused_at_construction_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded = quote(PASSWORD, safe="")
    monkeypatch.setenv("HTTPS_PROXY", f"socks5://{USER}:{encoded}@proxy.example:1080")

    with pytest.raises(ValueError, match="HTTPS_PROXY") as raised:
        Urllib3Transport()

    assert PASSWORD not in str(raised.value) and encoded not in str(raised.value)


# --- CA bundles ----------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_ca_bundle_comes_from_the_environment(
    api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, str(ca_pem))
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport() as transport:
        assert is_successful(send(transport, f"https://{NAME}:{api.port}/job")[0])
        assert variable in repr(transport)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs `openssl rehash`")
def test_the_ca_bundle_variable_may_name_a_hashed_directory_as_with_requests(
    api: HostileServer, ca_pem: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "certs"
    directory.mkdir()
    shutil.copy(ca_pem, directory / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(directory)], check=True, capture_output=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(directory))
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport() as transport:
        assert is_successful(send(transport, f"https://{NAME}:{api.port}/job")[0])


def test_requests_ca_bundle_is_used_alone_when_both_are_set(
    api: HostileServer,
    ca_pem: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(ca_pem))
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport() as transport:
        error = failure_of(send(transport, f"https://{NAME}:{api.port}/job")[0])

    assert error.kind == "tls"


def test_ca_certs_wins_over_the_environment(
    api: HostileServer, ca_pem: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    resolve_name_to_loopback(monkeypatch)

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        assert is_successful(send(transport, f"https://{NAME}:{api.port}/job")[0])


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
@pytest.mark.parametrize(
    ("problem", "reason"),
    [
        ("missing", "no such CA bundle file or directory"),
        ("no certificate", "holds no usable CA certificate"),
        ("directory without hashed certificates", "holds no hashed CA certificates"),
    ],
)
def test_a_bad_ca_bundle_variable_is_refused_at_construction_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, problem: str, reason: str
) -> None:
    path = tmp_path / "bundle.pem"
    if problem == "no certificate":
        path.write_text("not a certificate\n")
    elif problem.startswith("directory"):
        path.mkdir()
        (path / "ca.pem").write_text("a certificate not named by its hash\n")
    monkeypatch.setenv(variable, str(path))

    with pytest.raises(ValueError, match=f"^{variable}: ") as raised:
        Urllib3Transport()

    assert str(path) in str(raised.value)
    assert reason in str(raised.value)


# --- The whole client ----------------------------------------------------------------------


def test_a_client_behind_a_proxy_reads_a_job_over_tls_from_the_environment_alone(
    proxy: Proxy, ca: trustme.CA, serve: Serve, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = serve(
        [
            Reply(
                200, (("Content-Type", "application/json"),), fixture("fetch_completed_single.json")
            )
        ],
        ssl_context=server_context(ca, NAME),
    )
    front = proxy(ProxyServer(routes(api), credentials=(USER, PASSWORD)))
    monkeypatch.setenv("HTTPS_PROXY", front.url((USER, PASSWORD)))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_pem))

    with Client(api_key=SECRET, remote_host=f"https://{NAME}") as client:
        job = Job(client, JOB_65)
        assert job.status().value == "completed"
        assert job.target() == "ss_unconstrained_simulator"

    assert SECRET.encode() not in front.requests[0].relayed
    assert api.requests[0].header("Authorization") == SECRET
