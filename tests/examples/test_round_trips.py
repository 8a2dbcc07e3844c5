"""The adapters in examples/ carry sqcore's whole job life cycle over real HTTP: submit,
wait, read, cancel, against the emulator's loopback server (which gzips its replies)."""

from __future__ import annotations

import httpx

from examples.httpx_transport import HttpxTransport
from examples.requests_transport import RequestsTransport
from sqcore import CircuitStatus, Client, Job, wait_all
from sqcore.aio import AsyncClient
from tests.aio.conftest import LIVE_KEY
from transports.emulator import Emulator, EmulatorServer

S = CircuitStatus
CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}, {"cirq_type": "Circuit", "moments": []}]'
TARGET = "ss_unconstrained_simulator"


def test_a_client_over_requests_submits_waits_and_cancels(
    server: EmulatorServer, live: Emulator
) -> None:
    with RequestsTransport() as transport:
        client = Client(api_key=LIVE_KEY, remote_host=server.url, transport=transport)
        job = client.create_job(
            CIRCUITS, target=TARGET, shots=20, options={"emulator": {"durations": [0.1, 0.2]}}
        )
        slow = client.create_job(CIRCUITS, target=TARGET, options={"emulator": {"durations": 60}})
        job.wait_until_terminal_state(polling_seconds=0.1, timeout_seconds=10)
        slow.cancel()

        assert job.job_data.statuses == [S.COMPLETED, S.COMPLETED]
        assert sum((job.job_data.counts[0] or {}).values()) == 20
        assert slow.status() == S.CANCELLED
    assert live.jobs_posted == 2


def test_many_jobs_are_waited_on_together_over_requests(
    server: EmulatorServer, live: Emulator
) -> None:
    with RequestsTransport() as transport:
        client = Client(api_key=LIVE_KEY, remote_host=server.url, transport=transport)
        jobs = [Job(client, live.create_job(num_circuits=3, durations=0.1)) for _ in range(30)]

        wait_all(jobs, polling_seconds=0.1, timeout_seconds=10)

        assert {job.status() for job in jobs} == {S.COMPLETED}


async def test_an_async_client_over_httpx_submits_waits_and_cancels(
    server: EmulatorServer, live: Emulator
) -> None:
    async with httpx.AsyncClient() as http:
        client = AsyncClient(
            api_key=LIVE_KEY, remote_host=server.url, transport=HttpxTransport(http)
        )
        job = await client.create_job(
            CIRCUITS, target=TARGET, shots=20, options={"emulator": {"durations": [0.1, 0.2]}}
        )
        slow = await client.create_job(
            CIRCUITS, target=TARGET, options={"emulator": {"durations": 60}}
        )
        await job.wait_until_terminal_state(polling_seconds=0.1, timeout_seconds=10)
        await slow.cancel()

        data = await job.data()
        assert data.statuses == [S.COMPLETED, S.COMPLETED]
        assert sum((data.counts[0] or {}).values()) == 20
        assert await slow.status() == S.CANCELLED
    assert live.jobs_posted == 2
