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
