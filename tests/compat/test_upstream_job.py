"""Upstream 0.5.70's `Job` surface, member by member: upstream's own `gss.job.Job` and
`sqcore.Job` read the same job JSON, and every answer (or exception) is compared.

Upstream's job reads through its `_SuperstaqClientV3`, whose one network call here,
`fetch_jobs`, is given the JSON; sqcore's through a `Client` on a `FunctionTransport` that
serves the same JSON. Both count their fetches. Runs with the `compat` extra.
"""

from __future__ import annotations

import enum
import json
import uuid
import warnings
from collections.abc import Callable, Sequence

import pytest

pytest.importorskip("general_superstaq")

from general_superstaq.job import Endian as UpstreamEndian
from general_superstaq.job import Job as UpstreamJob
from general_superstaq.superstaq_client import _SuperstaqClientV3

from sqcore import Client, Endian, Job
from tests.fixtures import JOB_65, fixture, job_65, job_without_circuits
from transports import FunctionTransport, Request, Response

KEY = "compat-key-31337"


def _failed_one_of_two() -> dict[str, object]:
    (entry,) = json.loads(fixture("fetch_failed_one_of_two.json")).values()
    assert isinstance(entry, dict)
    return entry


def _mixed_open() -> dict[str, object]:
    entry = json.loads(fixture("fetch_mixed_three_circuits.json"))
    document = next(iter(entry.values()))
    assert isinstance(document, dict)
    return document


#: The job documents both sides read (each as job JOB_65).
CASES: dict[str, Callable[[], dict[str, object]]] = {
    "completed": job_65,
    "failed one of two": _failed_one_of_two,
    "open, mixed": _mixed_open,
    "cancelled": lambda: job_65(statuses=["cancelled"], counts=[None]),
    "deleted": lambda: job_65(statuses=["deleted"], counts=[None]),
    "no circuits": job_without_circuits,
    "jaqal": lambda: job_65(circuit_type="jaqal"),
    "not compiled": lambda: job_65(
        statuses=["received"],
        counts=[None],
        compiled_circuits=[None],
        initial_logical_to_physicals=[None],
        final_logical_to_physicals=[None],
    ),
    "three qubits mapped": lambda: job_65(final_logical_to_physicals=[{"2": 0, "0": 5, "1": 3}]),
}


class _Served(_SuperstaqClientV3):
    """Upstream's client, its fetch answered with one job's JSON (and counted)."""

    def __init__(self, document: dict[str, object]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # upstream warns that v0.3.0 is "under development"
            super().__init__(
                client_name="compat-test",
                api_key=KEY,
                remote_host="https://example.test",
                api_version="v0.3.0",
            )
        self.document = document
        self.fetches = 0

    def fetch_jobs(
        self, job_ids: Sequence[str] | Sequence[uuid.UUID], **kwargs: object
    ) -> dict[str, dict[str, object]]:
        self.fetches += 1
        return {str(job_id): json.loads(json.dumps(self.document)) for job_id in job_ids}


class _Pair:
    """Upstream's job and sqcore's on the same document, each counting its fetches."""

    def __init__(
        self,
        document: dict[str, object],
        ours: type[Job] = Job,
        theirs: type[UpstreamJob] = UpstreamJob,
    ) -> None:
        self.served = _Served(document)
        statuses = document["statuses"]
        assert isinstance(statuses, list)
        self.circuits = len(statuses)
        self.requests: list[Request] = []
        body = json.dumps({JOB_65: document}).encode()

        def serve(request: Request) -> Response:
            self.requests.append(request)
            return Response(200, {"Content-Type": "application/json"}, body)

        client = Client(
            api_key=KEY, remote_host="https://example.test", transport=FunctionTransport(serve)
        )
        self.theirs = theirs(self.served, JOB_65)
        self.ours = ours(client, JOB_65)

    def fetches(self) -> tuple[int, int]:
        return self.served.fetches, len(self.requests)


def _outcome(call: Callable[..., object], *args: object) -> tuple[str, object]:
    """What `call(*args)` gave: its value as comparable data, or its exception's type and
    text."""
    try:
        value = call(*args)
    except Exception as error:  # noqa: BLE001 - any exception is an outcome to compare
        return type(error).__name__, str(error)
    return "value", _comparable(value)


def _comparable(value: object) -> object:
    """Enum members as (class name, value): so a str where upstream has a member differs."""
    if isinstance(value, enum.Enum):
        return type(value).__name__, value.value
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    return value


def _same(first: tuple[str, object], second: tuple[str, object]) -> None:
    """Equal outcomes; for an IndexError only the type, as sqcore's names the valid range
    where upstream's is Python's "list index out of range"."""
    if first[0] == second[0] == "IndexError":
        return
    assert first == second


def _indices(pair: _Pair) -> list[int | None]:
    return [None, *range(pair.circuits)]


@pytest.fixture(params=list(CASES))
def pair(request: pytest.FixtureRequest) -> _Pair:
    return _Pair(CASES[request.param]())


def test_status_and_the_cached_overall_status_are_upstreams(pair: _Pair) -> None:
    before = (pair.ours._overall_status.value, pair.theirs._overall_status.value)
    assert before == ("received", "received")  # before any fetch
    for index in _indices(pair):
        _same(_outcome(pair.ours._status, index), _outcome(pair.theirs._status, index))
        assert _outcome(lambda: pair.ours._overall_status) == _outcome(
            lambda: pair.theirs._overall_status
        )
    # Each side fetches again exactly while the job is open (never for a job without circuits).
    assert pair.fetches()[0] == pair.fetches()[1]


def test_refresh_job_fetches_as_upstreams_does(pair: _Pair) -> None:
    for _ in range(2):
        pair.ours._refresh_job()
        pair.theirs._refresh_job()
        assert pair.fetches()[0] == pair.fetches()[1]


def test_repetitions_job_id_str_and_indexing_are_upstreams(pair: _Pair) -> None:
    _same(_outcome(pair.ours._repetitions), _outcome(pair.theirs._repetitions))
    assert isinstance(pair.ours._job_id, uuid.UUID)
    assert pair.ours._job_id == pair.theirs._job_id
    assert str(pair.ours) == str(pair.theirs)
    assert _outcome(lambda: pair.ours[0])[0] == _outcome(lambda: pair.theirs[0])[0]
    assert _outcome(lambda: pair.ours[0])[0] == "NotImplementedError"


def test_check_if_unsuccessful_raises_for_failed_only_as_upstreams(pair: _Pair) -> None:
    for index in _indices(pair):
        _same(
            _outcome(pair.ours._check_if_unsuccessful, index),
            _outcome(pair.theirs._check_if_unsuccessful, index),
        )


def test_terminal_measurement_qubit_indices_are_upstreams(pair: _Pair) -> None:
    for index in _indices(pair)[1:]:
        assert index is not None
        _same(
            _outcome(pair.ours._terminal_measurement_qubit_indices, index),
            _outcome(pair.theirs._terminal_measurement_qubit_indices, index),
        )


def test_to_dict_gives_upstreams_values_and_enum_members(pair: _Pair) -> None:
    ours, theirs = pair.ours.to_dict(), pair.theirs.to_dict()
    assert list(ours) == list(theirs)
    assert _comparable(ours) == _comparable(theirs)


class _LittleOurs(Job):
    endianness = Endian.LITTLE


class _LittleTheirs(UpstreamJob):
    endianness = UpstreamEndian.LITTLE


@pytest.mark.parametrize(
    ("ours", "theirs"), [(Job, UpstreamJob), (_LittleOurs, _LittleTheirs)], ids=["big", "little"]
)
@pytest.mark.parametrize("case", ["completed", "failed one of two", "open, mixed"])
def test_counts_set_by_hand_are_stored_as_upstreams_stores_them(
    ours: type[Job], theirs: type[UpstreamJob], case: str
) -> None:
    pair = _Pair(CASES[case](), ours, theirs)
    circuits = pair.circuits
    for job in (pair.ours, pair.theirs):
        job.set_counts_for_circuit(0, {"001": 5, "110": 7.5})
    assert pair.ours.job_data.counts == pair.theirs.job_data.counts
    every = [{"10": i, "01": 2 * i} for i in range(circuits)]
    pair.ours.set_counts(every)
    pair.theirs.set_counts(every)
    assert pair.ours.job_data.counts == pair.theirs.job_data.counts
    assert pair.ours.endianness.value == pair.theirs.endianness.value
    # Until the job is fetched again (only while it is open), both keep them.
    pair.ours._status()
    pair.theirs._status()
    assert pair.ours.job_data.counts == pair.theirs.job_data.counts
    assert pair.fetches()[0] == pair.fetches()[1]
    assert pair.ours.to_dict()["counts"] == pair.theirs.to_dict()["counts"]
