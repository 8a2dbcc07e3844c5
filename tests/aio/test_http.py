"""sqcore.aio over real HTTP on loopback: through the default transport (`ThreadedTransport`
over `Urllib3Transport`) and through an `httpx.AsyncClient` adapter, against the emulator's
loopback server (which gzips its replies)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from examples.httpx_transport import HttpxTransport
from sqcore import Backoff, CircuitStatus, SuperstaqException
from sqcore.aio import AsyncClient, AsyncJob, as_completed, wait_all
from tests.aio.conftest import LIVE_KEY
from tests.fakes import Guard
from transports import AsyncTransport, ThreadedTransport, Urllib3Transport
from transports.emulator import Emulator, EmulatorServer

S = CircuitStatus
CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}, {"cirq_type": "Circuit", "moments": []}]'


@pytest.fixture(params=["threaded urllib3", "httpx"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[AsyncTransport]:
    if request.param == "httpx":
        async with httpx.AsyncClient() as client:
            yield HttpxTransport(client)
    else:
        threaded = ThreadedTransport()
        yield threaded
        threaded.close()


Connect = Callable[[], AsyncClient]


@pytest.fixture
def connect(server: EmulatorServer, transport: AsyncTransport) -> Connect:
    return lambda: AsyncClient(api_key=LIVE_KEY, remote_host=server.url, transport=transport)


async def test_a_job_is_submitted_watched_and_read_over_http(
    connect: Connect, live: Emulator
) -> None:
    client = connect()

    job = await client.create_job(
        CIRCUITS,
        target="ss_unconstrained_simulator",
        shots=50,
        tags=["over-http"],
        options={"emulator": {"durations": [0.2, 0.4]}},
    )
    await job.wait_until_complete(polling_seconds=Backoff(0.1, 1.5, 0.2), timeout_seconds=10)

    data = await job.data()
    assert data.statuses == [S.COMPLETED, S.COMPLETED]
    assert data.tags == ["over-http"]
    assert sum((data.counts[0] or {}).values()) == 50
    assert live.jobs_posted == 1


async def test_jobs_finish_in_order_through_as_completed_over_http(
    connect: Connect, live: Emulator
) -> None:
    client = connect()
    ids = [live.create_job(durations=d) for d in (0.45, 0.15, 0.3)]
    jobs = [AsyncJob(client, job_id) for job_id in ids]

    done = [job async for job in as_completed(jobs, polling_seconds=0.1, timeout_seconds=10)]

    assert [str(job.job_id()) for job in done] == [ids[1], ids[2], ids[0]]
    fetches = [request for request in live.requests if request.method == "GET"]
    assert all(len(request.job_ids) <= 3 for request in fetches)


async def test_cancel_and_fetch_over_http(connect: Connect, live: Emulator) -> None:
    client = connect()
    ids = [live.create_job(durations=60) for _ in range(2)]

    assert sorted(await client.cancel_jobs(ids)) == sorted(ids)
    fetched = await client.fetch_jobs(ids)

    assert {data.statuses[0] for data in fetched.values()} == {S.CANCELLED}


async def test_a_wait_on_many_jobs_reads_their_batched_compressed_reply(
    connect: Connect, live: Emulator
) -> None:
    client = connect()
    jobs = [AsyncJob(client, live.create_job(num_circuits=3, durations=0)) for _ in range(40)]

    await wait_all(jobs, polling_seconds=0.1, timeout_seconds=10)

    assert {await job.status() for job in jobs} == {S.COMPLETED}
    assert {len((await job.data()).statuses) for job in jobs} == {3}


async def test_a_host_name_that_does_not_resolve_fails_at_once_naming_it() -> None:
    with Urllib3Transport() as real:
        guard = Guard(real, limit=1)  # a retry would be a second request
        client = AsyncClient(
            api_key=LIVE_KEY,
            remote_host="https://api.superstaq.invalid",  # RFC 6761 §6.4: never resolves
            transport=ThreadedTransport(guard),
            max_retry_seconds=60,
        )
        with pytest.raises(SuperstaqException) as caught:
            await client.fetch_jobs(["00000000-0000-0000-0000-000000000065"])

    assert not isinstance(caught.value, TimeoutError)
    assert "could not resolve the host name 'api.superstaq.invalid'" in str(caught.value)
    assert guard.count == 1
