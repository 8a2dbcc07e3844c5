"""Fixtures for the adapters in examples/: the wire tests' hostile servers and test CA, the
loopback emulator, and no proxy or CA bundle from the environment (requests and httpx would
send even a loopback request through a proxy, and requests prefers `REQUESTS_CA_BUNDLE` to
the bundle a session names)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.aio.conftest import live, server
from tests.wire.conftest import ca, ca_pem, serve

__all__ = ["ca", "ca_pem", "live", "serve", "server"]

_VARIABLES = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def no_proxy_or_ca_bundle_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    yield
