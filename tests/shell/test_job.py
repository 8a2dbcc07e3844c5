"""Upstream Job behaviour, written fresh against the in-process emulator on a fake clock."""

from __future__ import annotations

import datetime
import uuid

import pytest

from sqcore import (
    CircuitStatus,
    Client,
    Job,
    JobData,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqUnsuccessfulJobException,
    SuperstaqWarning,
)
from sqcore._job import Progress
from tests.fakes import FakeClock, untyped
from tests.shell.conftest import KEY, ClientFactory
from transports.emulator import Emulator

S = CircuitStatus


def test_job_id_parsing_equality_hash_and_str(client: Client) -> None:
    raw = "00000000-0000-0000-0000-000000000065"
    job = Job(client, raw)
    assert job.job_id() == uuid.UUID(raw)
    assert job == Job(client, uuid.UUID(raw))
    assert hash(job) == hash(Job(client, raw.upper()))
    assert job != Job(client, "00000000-0000-0000-0000-000000000066")
    assert job != raw
    assert str(job) == f"Job with job_id={raw}"
    assert len({job, Job(client, raw)}) == 1
    with pytest.raises(ValueError, match="'not-a-uuid' is not a valid job id"):
        Job(client, "not-a-uuid")


def test_job_data_is_fetched_once_and_cached(client: Client, emulator: Emulator) -> None:
    job_id = emulator.create_job(num_circuits=2, durations=0, tags=("a",), metadata={"k": 1})
    job = Job(client, job_id)
    assert emulator.request_count == 0
    assert job.target() == "ss_unconstrained_simulator"
    assert job.tags == ["a"]
    assert job.metadata == {"k": 1}
    assert isinstance(job.job_data, JobData)
    assert job.job_data.num_circuits == 2
    assert emulator.request_count == 1


def test_status_refreshes_until_terminal_then_never_again(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(num_circuits=3, durations=[1.0, 2.0, 3.0])
    job = Job(client, job_id)
    seen = []
    for _ in range(8):
        seen.append(job.status())
        clock.advance(0.5)
    assert seen[0] is S.RECEIVED
    assert seen[-1] is S.COMPLETED
    assert emulator.request_count == seen.index(S.COMPLETED) + 1
    count = emulator.request_count
    clock.advance(100)
    assert job.status() is S.COMPLETED
    assert job.status(2) is S.COMPLETED
    assert job.to_dict()["statuses"] == ["completed"] * 3
    assert emulator.request_count == count


def test_overall_status_follows_priority_order(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(num_circuits=3, durations=[0.0, 1.0, 4.0], fail={0: "boom"})
    job = Job(client, job_id)
    clock.advance(2.0)
    statuses = job.job_data.statuses
    assert statuses[0] is S.FAILED and statuses[1] is S.COMPLETED
    assert statuses[2] not in (S.FAILED, S.COMPLETED)
    assert job.status() is statuses[2]  # open work outranks failed and completed
    clock.advance(10)
    assert job.status() is S.FAILED  # failed outranks completed


def test_per_index_status_and_bad_index(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(num_circuits=2, durations=[0.0, 5.0])
    job = Job(client, job_id)
    assert job.status(0) is S.COMPLETED
    assert job.status(1) is not S.COMPLETED
    with pytest.raises(IndexError, match=r"circuit index 2 is out of range.*valid indices 0 to 1"):
        job.status(2)
    with pytest.raises(IndexError, match="circuit index -1 is out of range"):
        job.status(-1)
    with pytest.raises(TypeError, match="index must be an int"):
        untyped(job.status)("0")


def test_to_dict_matches_upstream_model_dump_shape(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(num_circuits=2, durations=[0.0, 1.0])
    job = Job(client, job_id)
    first = job.to_dict()
    assert list(first) == list(JobData.__struct_fields__)
    assert first["job_type"] == "simulate" and type(first["job_type"]) is str
    statuses = first["statuses"]
    assert isinstance(statuses, list) and all(type(s) is str for s in statuses)
    assert type(first["circuit_type"]) is str
    assert isinstance(first["submission_timestamp"], datetime.datetime)
    clock.advance(5)
    second = job.to_dict()  # refreshes: the job was not terminal
    assert second["statuses"] == ["completed", "completed"]
    assert emulator.request_count == 2


def test_wait_until_complete_returns_when_terminal(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 3.2]))
    start = clock.now
    job.wait_until_complete(polling_seconds=1)
    assert job.status() is S.COMPLETED
    assert 3.2 <= clock.now - start <= 4.0 + 1e-9
    assert clock.sleeps == [1, 1, 1, 1]


def test_wait_for_one_circuit(client: Client, emulator: Emulator, clock: FakeClock) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 30.0]))
    job.wait_until_complete(index=0, polling_seconds=0.5)
    assert job.status(0) is S.COMPLETED
    assert clock.now - 1000.0 <= 1.5
    with pytest.raises(IndexError, match="valid indices 0 to 1"):
        job.wait_until_complete(index=5)


def test_wait_timeout_message_shows_status_value(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(target="ibmq_brisbane_qpu", durations=100.0))
    clock.advance(90)
    with pytest.raises(TimeoutError) as caught:
        job.wait_until_complete(timeout_seconds=3, polling_seconds=1)
    assert str(caught.value) == "Timed out while waiting for results. Final status was 'running'."
    assert sum(clock.sleeps) == pytest.approx(3)


def test_wait_deadline_counts_request_time_and_is_never_overslept(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    client = make_client(latency=0.7)
    job = Job(client, emulator.create_job(durations=100.0))
    start = clock.now
    with pytest.raises(TimeoutError):
        job.wait_until_complete(timeout_seconds=2.0, polling_seconds=1.0)
    # Each check costs 0.7 s: a check ends at 0.7, a 1.0 s sleep, a check ends at 2.4,
    # past the deadline: time out, with no further sleep. (Upstream counts only slept time.)
    assert clock.sleeps == [1.0]
    assert clock.now - start == pytest.approx(2.4)
    assert emulator.request_count == 2


def test_wait_timeout_zero_is_one_check(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(durations=10.0))
    with pytest.raises(TimeoutError, match="Final status was 'received'"):
        job.wait_until_complete(timeout_seconds=0)
    assert emulator.request_count == 1
    assert clock.sleeps == []
    done = Job(client, emulator.create_job(durations=0.0))
    done.wait_until_complete(timeout_seconds=0)


def test_wait_with_zero_polling_still_ends(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    client = make_client(latency=0.25)
    job = Job(client, emulator.create_job(durations=2.0))
    job.wait_until_complete(polling_seconds=0)
    assert job.status() is S.COMPLETED
    assert 8 <= emulator.request_count <= 10


def test_wait_default_timeout_is_max_retry_seconds(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    client = make_client(max_retry_seconds=7)
    job = Job(client, emulator.create_job(durations=100.0))
    with pytest.raises(TimeoutError):
        job.wait_until_complete(polling_seconds=2)
    assert sum(clock.sleeps) == pytest.approx(7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"polling_seconds": -1}, "polling_seconds must be >= 0, got -1"),
        ({"timeout_seconds": -0.5}, "timeout_seconds must be >= 0, got -0.5"),
        ({"polling_seconds": float("nan")}, "polling_seconds must be >= 0"),
    ],
)
def test_wait_rejects_bad_arguments(client: Client, kwargs: dict[str, float], message: str) -> None:
    job = Job(client, "00000000-0000-0000-0000-000000000065")
    with pytest.raises(ValueError, match=message):
        untyped(job.wait_until_complete)(**kwargs)


def test_wait_reports_progress(client: Client, emulator: Emulator, clock: FakeClock) -> None:
    job = Job(client, emulator.create_job(num_circuits=3, durations=[0.5, 1.0, 1.5]))
    seen: list[Progress] = []
    job.wait_until_complete(polling_seconds=0.5, on_progress=seen.append)
    assert [p.done for p in seen] == [0, 1, 2, 3]
    assert all(p.total == 3 for p in seen)
    assert seen[-1].counts == ((S.COMPLETED, 3),)
    assert [p.elapsed_seconds for p in seen] == [0, 0.5, 1.0, 1.5]


def test_cancel(client: Client, emulator: Emulator, clock: FakeClock) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 10.0]))
    job.cancel()
    assert emulator.statuses(str(job.job_id())) == ["completed", "cancelled"]
    assert job.status() is S.CANCELLED
    with pytest.raises(SuperstaqUnsuccessfulJobException, match="terminated with status cancelled"):
        job._check_if_unsuccessful()


def test_cancel_with_index_is_refused_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=10.0))
    with pytest.raises(ValueError, match="cancels whole jobs"):
        job.cancel(index=1)
    assert emulator.request_count == 0
    assert emulator.statuses(str(job.job_id())) != ["cancelled", "cancelled"]


def test_failed_circuit_message(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=0, fail={1: "too big"}))
    assert job.status() is S.FAILED
    with pytest.raises(
        SuperstaqUnsuccessfulJobException, match=r"Failure: \[Circuit 1 - too big\]"
    ):
        job._check_if_unsuccessful()
    job._check_if_unsuccessful(0)


def test_unknown_job_names_the_id(client: Client) -> None:
    job = Job(client, "00000000-0000-0000-0000-0000000000ff")
    with pytest.raises(SuperstaqException, match="00000000-0000-0000-0000-0000000000ff"):
        job.status()


def test_wrong_key_is_not_authorized(make_client: ClientFactory, emulator: Emulator) -> None:
    job = Job(make_client(api_key="wrong-key-123"), emulator.create_job())
    with pytest.raises(SuperstaqServerException, match="Not authorized") as caught:
        job.status()
    assert caught.value.status_code == 401
    assert emulator.request_count == 1  # never retried
    assert "wrong-key-123" not in str(caught.value) and KEY not in str(caught.value)


def test_server_warning_points_at_the_caller(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(durations=0, warn="target is retiring"))
    with pytest.warns(SuperstaqWarning, match="target is retiring") as record:
        job.status()
    assert record[0].filename == __file__


def test_a_poll_decodes_statuses_and_the_rest_only_when_read(clock: FakeClock) -> None:
    import json

    from sqcore import SuperstaqException as Bad
    from tests.fakes import json_reply
    from tests.fixtures import JOB_65, fixture

    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["shots"] = ["many"]
    transport = FunctionTransport(lambda _r: json_reply(200, json.dumps(raw).encode()))
    client = Client(api_key=KEY, remote_host="https://h.example", transport=transport, clock=clock)
    job = Job(client, JOB_65)
    assert job.status() is S.COMPLETED  # the statuses are well-formed
    with pytest.raises(Bad, match=rf"job {JOB_65}.*\$\.shots\[0\]"):
        job.job_data  # noqa: B018 - reading the property is the test
    assert len(transport.requests) == 1
