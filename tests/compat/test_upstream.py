"""Upstream's own client against the loopback emulator, and sqcore beside it.

Runs when the optional extra is installed (`pip install -e ".[compat]"`); skipped otherwise.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest

pytest.importorskip("general_superstaq")

from general_superstaq.job import Job as UpstreamJob
from general_superstaq.superstaq_client import _SuperstaqClientV3

from sqcore import Client, Job
from transports.emulator import Emulator, EmulatorServer

KEY = "compat-key-31337"


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(api_key=KEY)


@pytest.fixture(scope="module")
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as running:
        yield running


@pytest.fixture
def upstream(server: EmulatorServer) -> _SuperstaqClientV3:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # upstream warns that v0.3.0 is "under development"
        return _SuperstaqClientV3(
            client_name="compat-test",
            api_key=KEY,
            remote_host=server.url,
            api_version="v0.3.0",
            max_retry_seconds=2,
        )


def test_upstream_fetches_and_cancels(upstream: _SuperstaqClientV3, emulator: Emulator) -> None:
    done = emulator.create_job(num_circuits=2, durations=0, tags=("t",), metadata={"m": 1})
    open_job = emulator.create_job(num_circuits=3, durations=60, target="ibmq_brisbane_qpu")
    fetched = upstream.fetch_jobs([done, open_job])
    assert set(fetched) == {done, open_job}
    assert fetched[done]["statuses"] == ["completed", "completed"]
    assert fetched[done]["tags"] == ["t"]
    assert upstream.cancel_jobs([open_job]) == [open_job]
    assert emulator.statuses(open_job) == ["cancelled"] * 3


def test_upstream_job_and_sqcore_job_agree(
    upstream: _SuperstaqClientV3,
    emulator: Emulator,
    server: EmulatorServer,
) -> None:
    client = Client(api_key=KEY, remote_host=server.url)
    ids = [
        emulator.create_job(num_circuits=4, durations=0),
        emulator.create_job(num_circuits=2, durations=0, fail={1: "too many qubits"}),
        emulator.create_job(num_circuits=3, durations=[0, 60, 60], target="ibmq_brisbane_qpu"),
    ]
    for job_id in ids:
        theirs = UpstreamJob(upstream, job_id)
        ours = Job(client, job_id)
        upstream_status: str = theirs._status()
        assert ours.status() == upstream_status
        assert ours.to_dict() == theirs.to_dict()
        assert ours.target() == theirs.target()


def test_upstream_sees_unknown_ids_as_missing(
    upstream: _SuperstaqClientV3,
) -> None:
    assert upstream.fetch_jobs(["00000000-0000-0000-0000-0000000000aa"]) == {}


def test_upstream_creates_a_job_the_emulator_keeps_whole(
    upstream: _SuperstaqClientV3, emulator: Emulator
) -> None:
    circuits = '[{"cirq_type": "Circuit", "moments": []}, {"cirq_type": "Circuit", "moments": []}]'
    posted_before = emulator.jobs_posted
    reply = upstream.create_job(
        {"cirq_circuits": circuits},
        repetitions=10,
        target="ss_unconstrained_simulator",
        method="compile",
        tag="sweep",
        metadata={"run": 1},
        emulator={"durations": 0},
    )
    job_id = str(reply["job_id"])
    assert reply["num_circuits"] == 2
    assert emulator.jobs_posted == posted_before + 1
    spec = emulator.submitted(job_id)
    assert (spec.job_type, spec.circuit_type, spec.sim_method) == ("compile", "cirq", None)
    assert (spec.tags, spec.priority, spec.verbatim) == (("sweep",), 0, False)
    fetched = upstream.fetch_jobs([job_id])[job_id]
    assert fetched["statuses"] == ["completed", "completed"]
    assert fetched["shots"] == [10, 10]
    assert fetched["metadata"] == {"run": 1}
    compiled = fetched["compiled_circuits"]
    assert isinstance(compiled, list) and len(compiled) == 2 and None not in compiled


def test_the_submission_body_is_upstreams_new_job_field_for_field(emulator: Emulator) -> None:
    from general_superstaq.models import NewJob

    from transports import FunctionTransport, Request, Response

    posted: list[Request] = []
    inner = emulator.transport()

    def server(request: Request) -> Response:
        posted.append(request)
        return inner.send(request).unwrap()

    client = Client(
        api_key=KEY, remote_host="https://example.test", transport=FunctionTransport(server)
    )
    client.create_job(
        '[{"cirq_type": "Circuit", "moments": []}]',
        target="ss_unconstrained_simulator",
        shots=7,
        job_type="simulate",
        sim_method="noise-sim",
        dry_run=True,
        verbatim=True,
        priority=3,
        tags=["a", "b"],
        metadata={"m": [1, 2]},
        options={"qubits": 2},
    )

    (request,) = posted
    assert request.body is not None
    ours = json.loads(request.body)
    theirs = NewJob.model_validate_json(request.body).model_dump(mode="json")
    assert list(ours) == list(theirs)  # the same fields, in upstream's order
    assert ours == theirs  # and the same values, as upstream's own model reads them


def test_upstream_drops_a_path_after_the_host_where_sqcore_refuses_it() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = _SuperstaqClientV3(
            client_name="compat-test",
            api_key=KEY,
            remote_host="https://h.example/api/v2",
            api_version="v0.3.0",
        )

    assert client.url == "https://h.example/v0.3.0"  # '/api/v2' silently gone
    with pytest.raises(ValueError, match="has '/api/v2' after the host"):
        Client(api_key=KEY, remote_host="https://h.example/api/v2")
    assert Client(api_key=KEY, remote_host="https://h.example/").url == client.url


def test_upstreams_job_query_reads_sqcores_query_as_the_query_it_was_built_from() -> None:
    import datetime
    import urllib.parse

    from general_superstaq.models import JobQuery as UpstreamQuery

    from sqcore import CircuitStatus, CircuitType
    from sqcore.core.query import JobQuery, query_url

    job_id = "00000000-0000-4000-8000-000000000065"
    before = datetime.datetime(2027, 1, 15, 9, 30, 0, 250_000, tzinfo=datetime.timezone.utc)
    after = datetime.datetime(
        2027, 1, 14, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
    )
    ours = JobQuery(
        user_emails=("a@example.com", "b@example.com"),
        job_ids=(job_id,),
        targets=("ss_unconstrained_simulator", "ibmq_brisbane_qpu"),
        statuses=(CircuitStatus.RUNNING, CircuitStatus.COMPLETED),
        tags=("a b", "x&y=z"),
        min_priority=1,
        max_priority=5,
        submitted_before=before,
        submitted_after=after,
    )
    expected = UpstreamQuery(
        user_email=list(ours.user_emails),
        job_id=[job_id],
        target_name=list(ours.targets),
        status=["running", "completed"],
        tags=list(ours.tags),
        min_priority=1,
        max_priority=5,
        submitted_before=before,
        submitted_after=after,
    )

    sent = urllib.parse.parse_qsl(
        urllib.parse.urlsplit(query_url("https://h/v0.3.0", CircuitType.CIRQ, ours)).query
    )
    lists = {"user_email", "job_id", "target_name", "status", "tags"}
    read: dict[str, object] = {}
    for name, value in sent:
        if name in lists:
            read.setdefault(name, [])
            values = read[name]
            assert isinstance(values, list)
            values.append(value)
        else:
            read[name] = value

    assert UpstreamQuery.model_validate(read) == expected
    # Upstream's client names the parameters the same, in the same order.
    theirs = urllib.parse.urlencode(expected.model_dump(exclude_none=True), doseq=True)
    assert [name for name, _ in sent] == [name for name, _ in urllib.parse.parse_qsl(theirs)]
