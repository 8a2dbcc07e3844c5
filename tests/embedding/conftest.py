"""Fixtures: sqcore's side is `sqcore.testing`'s (`sqcore_client` on `superstaq_emulator`,
simulated time); upstream's side is upstream's own client, `_SuperstaqClientV3`, over HTTP
to the same emulator served on loopback, so both read the same job JSON."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from sqcore import Client
from tests.embedding.sdks import Pair, SdkJob
from tests.fakes import untyped
from transports.emulator import Emulator, EmulatorServer

if TYPE_CHECKING:
    from general_superstaq.superstaq_client import _SuperstaqClientV3


@pytest.fixture
def upstream_client(superstaq_emulator: Emulator) -> Iterator[_SuperstaqClientV3]:
    # Imported here: the test modules skip (or, where the SDKs are required, fail) first.
    from general_superstaq.superstaq_client import _SuperstaqClientV3

    with EmulatorServer(superstaq_emulator) as server:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # upstream warns that v0.3.0 is "under development"
            client = _SuperstaqClientV3(
                client_name="sqcore-embedding",
                api_key="any-key",
                remote_host=server.url,
                api_version="v0.3.0",
                max_retry_seconds=5,
            )
        yield client


@pytest.fixture
def both(
    superstaq_emulator: Emulator, sqcore_client: Client, upstream_client: _SuperstaqClientV3
) -> Callable[..., Pair]:
    """`make(sdk_job, *circuits, **script)`: a job of `circuits` (serialized by the SDK) on
    the emulator, scripted by `Emulator.create_job`'s keywords, as its Pair."""

    def make(sdk_job: SdkJob, *circuits: object, **script: object) -> Pair:
        job_id = untyped(superstaq_emulator.create_job)(
            input_circuits=[sdk_job.serialize(circuit) for circuit in circuits],
            circuit_type=sdk_job.circuit_type,
            **script,
        )
        return sdk_job.ours(sqcore_client, job_id), sdk_job.theirs(upstream_client, job_id)

    return make
