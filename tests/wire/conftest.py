"""Shell: fixtures for the wire tests: a transport, and hostile servers that always stop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
