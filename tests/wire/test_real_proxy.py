"""Shell: `Urllib3Transport` and `Client` through a real proxy server, proxy.py.

proxy.py runs in a subprocess on 127.0.0.1 (`tests/wire/real_proxy.py`), with and without
Basic authentication; it reaches `api.superstaq.test` (not loopback to sqcore, so proxied)
at a TLS server on this machine whose trustme certificate is for that name. A `Tap` in front
of it keeps every byte the proxy receives, so each test can prove that the API key never
reached it in clear text. The hand-made proxies of `tests/wire/proxy.py` (silent, refusing,
trickling) stay for what a real proxy will not do on demand.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import trustme

from sqcore import Client, Job, SuperstaqException
from tests.fixtures import JOB_65, fixture
from transports import Urllib3Transport

from .certificates import server_context
from .hostile import HostileServer, Reply, Serve
from .proxy import resolve_to_loopback
from .real_proxy import RealProxy, Tap, real_proxy

SECRET = "sk-SECRET-real-proxy-51c"
NAME = "api.superstaq.test"
USER, PASSWORD = "alice", "s3cret/p@ss:1"

pytestmark = pytest.mark.usefixtures("no_proxy_variables")


@pytest.fixture(scope="module")
def open_proxy() -> Iterator[RealProxy]:
    """proxy.py without authentication, for the whole module."""
    with real_proxy({NAME: "127.0.0.1"}) as running:
        yield running


@pytest.fixture(scope="module")
def guarded_proxy() -> Iterator[RealProxy]:
    """proxy.py that demands USER and PASSWORD, for the whole module."""
    with real_proxy({NAME: "127.0.0.1"}, credentials=(USER, PASSWORD)) as running:
        yield running


@pytest.fixture
def api(ca: trustme.CA, serve: Serve) -> HostileServer:
    """The API over TLS, with a certificate for NAME, answering every fetch with a job."""
    reply = Reply(
        200, (("Content-Type", "application/json"),), fixture("fetch_completed_single.json")
    )
    return serve([reply], ssl_context=server_context(ca, NAME))


def tap_in_front_of(running: RealProxy) -> Iterator[Tap]:
    with Tap(running.port) as tap:
        yield tap


@pytest.fixture
def open_tap(open_proxy: RealProxy) -> Iterator[Tap]:
    """What reaches the open proxy, for this test alone."""
    yield from tap_in_front_of(open_proxy)


@pytest.fixture
def guarded_tap(guarded_proxy: RealProxy) -> Iterator[Tap]:
    """What reaches the guarded proxy, for this test alone."""
    yield from tap_in_front_of(guarded_proxy)


def proxy_url(tap: Tap, credentials: tuple[str, str] | None = None) -> str:
    if credentials is None:
        return tap.origin
    user, password = (quote(part, safe="") for part in credentials)
    return f"http://{user}:{password}@127.0.0.1:{tap.port}"


def client_of(transport: Urllib3Transport, api: HostileServer) -> Client:
    return Client(api_key=SECRET, remote_host=f"https://{NAME}:{api.port}", transport=transport)


def assert_no_key_reached(tap: Tap) -> None:
    received = b"".join(tap.received)
    assert received  # the proxy did receive the request
    assert SECRET.encode() not in received
    assert base64.b64encode(SECRET.encode()) not in received


# --- Through the proxy ---------------------------------------------------------------------


def test_a_job_is_read_through_proxy_py_which_sees_only_the_tunnel(
    open_tap: Tap, api: HostileServer, ca_pem: Path
) -> None:
    with Urllib3Transport(proxy_url=proxy_url(open_tap), ca_certs=ca_pem) as transport:
        job = Job(client_of(transport, api), JOB_65)
        assert job.status().value == "completed"
        assert job.target() == "ss_unconstrained_simulator"

    (connection,) = open_tap.received  # one tunnel, kept alive
    assert connection.startswith(f"CONNECT {NAME}:{api.port} HTTP/1.".encode())
    assert_no_key_reached(open_tap)
    assert api.requests[0].header("Authorization") == SECRET


@pytest.mark.parametrize("given_by", ["proxy_url", "HTTPS_PROXY"])
def test_the_right_credentials_pass_proxy_py_and_go_to_it_alone(
    guarded_tap: Tap,
    api: HostileServer,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    given_by: str,
) -> None:
    url = proxy_url(guarded_tap, (USER, PASSWORD))
    if given_by == "HTTPS_PROXY":
        monkeypatch.setenv("HTTPS_PROXY", url)
    explicit = url if given_by == "proxy_url" else None

    with Urllib3Transport(proxy_url=explicit, ca_certs=ca_pem) as transport:
        assert Job(client_of(transport, api), JOB_65).status().value == "completed"
        assert PASSWORD not in repr(transport)

    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode())
    assert b"\r\nProxy-Authorization: Basic " + basic + b"\r\n" in guarded_tap.received[0]
    assert_no_key_reached(guarded_tap)
    assert api.requests[0].header("Proxy-Authorization") is None


@pytest.mark.parametrize(
    "credentials", [None, (USER, "wrong"), ("mallory", PASSWORD)], ids=["none", "password", "user"]
)
def test_wrong_or_missing_credentials_are_one_final_error_naming_the_proxy(
    guarded_tap: Tap, api: HostileServer, ca_pem: Path, credentials: tuple[str, str] | None
) -> None:
    url = proxy_url(guarded_tap, credentials)

    with Urllib3Transport(proxy_url=url, ca_certs=ca_pem) as transport:
        client = client_of(transport, api)
        with pytest.raises(SuperstaqException) as caught:
            Job(client, JOB_65).status()

    message = str(caught.value)
    assert not isinstance(caught.value, TimeoutError)
    assert (
        f"proxy: the proxy 127.0.0.1:{guarded_tap.port} refused the tunnel to {NAME}:{api.port}: "
        "407 " in message
    )
    assert PASSWORD not in message and quote(PASSWORD, safe="") not in message
    assert len(guarded_tap.received) == 1  # asked once: a refusal is not retried
    assert_no_key_reached(guarded_tap)
    assert api.requests == ()


# --- Direct, because NO_PROXY says so ------------------------------------------------------


def test_no_proxy_excluding_the_host_goes_direct_past_proxy_py(
    open_tap: Tap, api: HostileServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy_url(open_tap))
    monkeypatch.setenv("NO_PROXY", f"other.test,.{NAME}")
    resolve_to_loopback(monkeypatch, NAME)

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        assert Job(client_of(transport, api), JOB_65).status().value == "completed"

    assert open_tap.received == ()
    assert len(api.requests) == 1


def test_a_connection_no_proxy_made_direct_says_so_when_it_fails(
    open_tap: Tap, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy_url(open_tap))
    monkeypatch.setenv("NO_PROXY", "superstaq.invalid")

    with Urllib3Transport(ca_certs=ca_pem) as transport:
        client = Client(
            api_key=SECRET, remote_host="https://api.superstaq.invalid", transport=transport
        )
        with pytest.raises(SuperstaqException) as caught:
            Job(client, JOB_65).status()

    message = str(caught.value)
    assert "resolve: could not resolve the host name 'api.superstaq.invalid'" in message
    assert message.endswith("(direct: NO_PROXY matches 'superstaq.invalid')")
    assert open_tap.received == ()
