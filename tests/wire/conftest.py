"""Shell: fixtures for the wire tests: a transport, hostile servers that always stop, and a
test certificate authority (`ca`, and its certificate as a PEM file, `ca_pem`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from transports import Urllib3Transport

from .hostile import Serve, servers


@pytest.fixture
def transport() -> Iterator[Urllib3Transport]:
    """A default `Urllib3Transport`, closed after the test."""
    with Urllib3Transport() as transport:
        yield transport


#: Every variable that can set a proxy or a CA bundle for a transport (`REQUEST_METHOD` voids
#: one), in the spellings the tests use.
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "REQUEST_METHOD",
)


@pytest.fixture
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test starts with no proxy and no CA bundle in the environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def serve() -> Iterator[Serve]:
    """A factory of running `HostileServer`s, each closed (threads joined) after the test."""
    with servers() as serve:
        yield serve


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """A certificate authority the tests trust (and the system store does not)."""
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_pem(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ca`'s certificate as a PEM file, for `ca_certs` or a CA-bundle variable."""
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path
