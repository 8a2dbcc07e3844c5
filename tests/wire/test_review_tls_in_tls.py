"""Review: through an https:// proxy (TLS inside TLS), a body ended by a bare TCP close,
without TLS's close_notify, is taken as whole; directly (and through an http:// proxy) the
same reply is refused as possibly cut short.

`transports/_bounded.py` makes `BoundedSSLSocket.suppress_ragged_eofs` always False, but
for TLS inside TLS urllib3 wraps the inner TLS in its own `SSLTransport`, whose
`suppress_ragged_eofs` defaults to True, so a truncation of a close-delimited body through
an https proxy is silently accepted (tests/wire/test_tls.py's
test_a_body_ended_by_a_bare_tcp_close_is_not_taken_as_whole, through a proxy).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from returns.pipeline import is_successful

from transports import Request, Urllib3Transport

from .proxy import Proxy, ProxyServer, proxies
from .test_tls import OneShot, reply_then_close, server_context

NAME = "api.superstaq.test"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_pem(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls-in-tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    with proxies() as start:
        yield start


@pytest.mark.parametrize("proxy_scheme", ["http", "https"])
def test_a_body_cut_by_a_bare_tcp_close_is_refused_through_a_proxy(
    proxy: Proxy, ca: trustme.CA, ca_pem: Path, proxy_scheme: str
) -> None:
    proxy_tls = server_context(ca, "127.0.0.1") if proxy_scheme == "https" else None
    with OneShot(reply_then_close(server_context(ca, NAME), notify=False)) as api:
        front = proxy(ProxyServer({NAME: ("127.0.0.1", api.port)}, ssl_context=proxy_tls))
        with Urllib3Transport(proxy_url=front.url(), ca_certs=ca_pem, trust_env=False) as t:
            result = t.send(Request("GET", f"https://{NAME}/job", {}, None, 3.0))

    assert not is_successful(result), (
        f"through an {proxy_scheme}:// proxy a body cut by a bare TCP close was taken as "
        f"whole: {result}"
    )
    assert result.failure().kind == "protocol"
