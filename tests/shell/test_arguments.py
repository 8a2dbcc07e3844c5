"""Every argument check (`sqcore.core.arguments`): a bad argument to `Client`, its methods, `Job`,
the waits or `create_job` raises `TypeError` or `ValueError` at once, before any request, with
a message that names the argument (a caller without mypy still learns what went wrong)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqcore import Backoff, CircuitType, Client, Job, JobType, as_completed, wait_all
from sqcore.core.arguments import SIM_METHODS, canonical_ids, new_job
from sqcore.core.wire import NewJob
from tests.fakes import always, json_reply, untyped
from tests.fixtures import JOB_65, JOB_66, fixture
from tests.shell.conftest import HOST, KEY, client_on
from transports import FunctionTransport
from transports.emulator import Emulator

OK_65 = json_reply(200, fixture("fetch_completed_single.json"))


def _client() -> tuple[Client, FunctionTransport]:
    transport = always(OK_65)
    return client_on(transport), transport


# -- Client ----------------------------------------------------------------------------------


#: Each bad argument of `Client` (and of `AsyncClient`, and the engine's `Session` they make),
#: the error it raises and what the message says.
BAD_CLIENT_ARGUMENTS: list[tuple[dict[str, object], type[Exception], str]] = [
    ({"max_retry_seconds": -1}, ValueError, "max_retry_seconds must be >= 0, got -1"),
    ({"max_retry_seconds": math.nan}, ValueError, "max_retry_seconds must be >= 0, got nan"),
    ({"max_retry_seconds": "60"}, TypeError, "max_retry_seconds must be a number of seconds"),
    ({"request_timeout_seconds": 0}, ValueError, "request_timeout_seconds must be > 0"),
    ({"request_timeout_seconds": True}, TypeError, "request_timeout_seconds must be a number"),
    ({"api_version": "v0.2.0"}, ValueError, "api_version 'v0.2.0' is not supported"),
    ({"circuit_type": "braket"}, ValueError, "circuit_type 'braket' is not one of"),
    ({"api_key": "bad\nkey"}, ValueError, "api_key must not contain line breaks"),
    ({"api_key": ""}, ValueError, "api_key must not be empty"),
    ({"api_key": 1234}, TypeError, "api_key must be a str, not int"),
    ({"client_name": 7}, TypeError, "client_name must be a str, not int"),
    ({"client_name": " "}, ValueError, "client_name must not be empty"),
    ({"ibmq_token": b"bytes"}, TypeError, "ibmq_token must be a str, not bytes"),
    ({"cq_token": "a\x00b"}, ValueError, "cq_token must not contain line breaks or NUL"),
    ({"verbose": "yes"}, TypeError, "unexpected keyword argument.*'verbose'"),
    ({"remote_host": "http://evil.example"}, ValueError, "remote_host: refusing to send"),
]


@pytest.mark.parametrize(("kwargs", "error", "text"), BAD_CLIENT_ARGUMENTS)
def test_a_bad_client_argument_is_named(
    kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    transport = always(OK_65)
    options: dict[str, object] = {"api_key": KEY, "remote_host": HOST, "transport": transport}
    options.update(kwargs)
    with pytest.raises(error, match=text):
        untyped(Client)(**options)
    assert transport.requests == []


def test_a_credential_set_to_none_is_left_out() -> None:
    transport = always(OK_65)
    untyped(Client)(api_key=KEY, remote_host=HOST, transport=transport, ibmq_token=None)
    client = client_on(transport)
    untyped(client.fetch_jobs)([JOB_65], cq_token=None)
    assert all(
        "ibmq_token" not in r.headers and "cq_token" not in r.headers for r in transport.requests
    )


def test_a_bad_credential_to_a_call_is_refused_before_any_request() -> None:
    client, transport = _client()
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*'ibmq_tokn'"):
        client.fetch_jobs([JOB_65], ibmq_tokn="x")
    with pytest.raises(ValueError, match="ibmq_token must not contain line breaks"):
        client.cancel_jobs([JOB_65], ibmq_token="x\r\nEvil: 1")
    assert transport.requests == []


# -- job ids ---------------------------------------------------------------------------------


def test_job_ids_are_canonical_without_repeats_in_the_order_given() -> None:
    ids = [JOB_66.upper(), uuid.UUID(JOB_65), JOB_66, JOB_65.replace("-", "")]
    assert canonical_ids(ids) == [JOB_66, JOB_65]
    assert canonical_ids((JOB_65,)) == [JOB_65]
    with pytest.raises(TypeError, match="not list_iterator"):
        canonical_ids(iter([JOB_65]))  # a sequence, as before: an iterator may be used up


@pytest.mark.parametrize(
    ("job_ids", "error", "text"),
    [
        ([JOB_65, "nope"], ValueError, "'nope' is not a valid job id"),
        (JOB_65, TypeError, "wrap it in a list"),
        (uuid.UUID(JOB_65), TypeError, "wrap it in a list"),
        (JOB_65.encode(), TypeError, "wrap it in a list"),
        ([65], TypeError, r"a job id must be a str or uuid\.UUID, not int"),
        (65, TypeError, "job_ids must be a sequence of ids, not int"),
    ],
)
def test_bad_job_ids_are_refused_before_any_request(
    job_ids: object, error: type[Exception], text: str
) -> None:
    client, transport = _client()
    for method in (client.fetch_jobs, client.cancel_jobs):
        with pytest.raises(error, match=text):
            untyped(method)(job_ids)
    assert transport.requests == []


def test_a_job_id_of_the_wrong_type_or_form_is_refused() -> None:
    client, transport = _client()
    with pytest.raises(TypeError, match=r"must be a str or uuid\.UUID, not int"):
        untyped(Job)(client, 65)
    with pytest.raises(ValueError, match="'not-a-uuid' is not a valid job id"):
        Job(client, "not-a-uuid")
    assert transport.requests == []


@pytest.mark.parametrize(
    ("refuse", "message"),
    [
        pytest.param(
            lambda client: untyped(client.cancel_jobs)({JOB_65}),
            "^job_ids must be a sequence of ids, not set$",
            id="a set of ids",
        ),
        pytest.param(
            lambda client: untyped(Job)(client, 65),
            r"^job_id must be a str or uuid\.UUID, not int$",
            id="Job's job_id",
        ),
    ],
)
def test_a_set_of_ids_and_a_job_id_of_the_wrong_type_are_refused_naming_them(
    refuse: Callable[[Client], object], message: str
) -> None:
    client, transport = _client()
    with pytest.raises(TypeError, match=message):
        refuse(client)
    assert transport.requests == []


# -- waits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"polling_seconds": -1}, ValueError, "polling_seconds must be >= 0, got -1"),
        ({"polling_seconds": math.nan}, ValueError, "polling_seconds must be >= 0, got nan"),
        (
            {"polling_seconds": False},
            TypeError,
            "polling_seconds must be a number of seconds, not bool",
        ),
        (
            {"polling_seconds": None},
            TypeError,
            "polling_seconds must be a number of seconds, not None",
        ),
        (
            {"polling_seconds": "5"},
            TypeError,
            "polling_seconds must be a number of seconds, not str",
        ),
        ({"timeout_seconds": -0.5}, ValueError, "timeout_seconds must be >= 0, got -0.5"),
        (
            {"timeout_seconds": "10"},
            TypeError,
            "timeout_seconds must be a number of seconds, not str",
        ),
    ],
)
def test_a_bad_wait_argument_is_refused_before_any_request(
    kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    client, transport = _client()
    job = Job(client, JOB_65)
    waits: list[Callable[..., object]] = [
        job.wait_until_complete,
        job.wait_until_terminal_state,
        lambda **options: wait_all([job], **options),
        lambda **options: as_completed([job], **options),  # at the call, not at the first next
        lambda **options: as_completed([], **options),
    ]
    for wait in waits:
        with pytest.raises(error, match=text):
            untyped(wait)(**kwargs)
    assert transport.requests == []


def test_a_backoff_is_taken_wherever_polling_seconds_is(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(durations=2.0))
    job.wait_until_complete(polling_seconds=Backoff())
    wait_all([job], polling_seconds=Backoff(0.5, 2.0, 4.0))
    assert list(as_completed([job], polling_seconds=Backoff(maximum=1.0))) == [job]


def test_an_infinite_timeout_is_a_wait_without_end(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(durations=3.0))
    job.wait_until_complete(timeout_seconds=math.inf, polling_seconds=1)
    assert job.status().value == "completed"


# -- create_job ------------------------------------------------------------------------------

VALID: dict[str, object] = {
    "target": "ss_unconstrained_simulator",
    "shots": 1,
    "circuit_type": "cirq",
    "job_type": "submit",
    "sim_method": None,
    "dry_run": False,
    "verbatim": False,
    "priority": 0,
    "tags": (),
    "metadata": None,
    "options": None,
}

_not_str = st.sampled_from([None, 5, 1.5, b"x", ["x"], True])
_not_int = st.sampled_from([None, 1.5, "1", True, False, b"1"])
_not_bool = st.sampled_from([None, 0, 1, "yes", "False", 1.0])
_not_mapping = st.sampled_from([[("a", 1)], "a", 5, True])
_not_json = st.sampled_from([{"x": object()}, {"x": 1j}, {"x": {"y": [object()]}}])
_blank = st.sampled_from(["", " ", "\n\t"])

#: (argument, a bad value, the error it raises)
bad_arguments = st.one_of(
    st.tuples(st.just("circuits"), _not_str, st.just(TypeError)),
    st.tuples(st.just("circuits"), _blank, st.just(ValueError)),
    st.tuples(st.just("target"), _not_str, st.just(TypeError)),
    st.tuples(st.just("target"), _blank, st.just(ValueError)),
    st.tuples(st.just("shots"), _not_int, st.just(TypeError)),
    st.tuples(st.just("shots"), st.integers(max_value=-1), st.just(ValueError)),
    st.tuples(st.just("priority"), _not_int, st.just(TypeError)),
    st.tuples(st.just("job_type"), _not_str, st.just(TypeError)),
    # None is the client's circuit type: any other non-str is refused.
    st.tuples(st.just("circuit_type"), _not_str.filter(bool), st.just(TypeError)),
    st.tuples(
        st.sampled_from(["circuit_type", "job_type"]),
        st.sampled_from(["braket", "CIRQ", "", "submit ", "simulate!"]),
        st.just(ValueError),
    ),
    st.tuples(st.just("job_type"), st.just(CircuitType.CIRQ), st.just(ValueError)),
    st.tuples(st.just("sim_method"), st.sampled_from([5, b"sim", ["sim"]]), st.just(TypeError)),
    st.tuples(st.just("sim_method"), st.sampled_from(["", "SIM", "exact"]), st.just(ValueError)),
    st.tuples(st.sampled_from(["dry_run", "verbatim"]), _not_bool, st.just(TypeError)),
    st.tuples(st.just("tags"), st.sampled_from(["tag", 5, None]), st.just(TypeError)),
    st.tuples(
        st.just("tags"), st.sampled_from([[1], ["a", None], ("a", b"b")]), st.just(TypeError)
    ),
    st.tuples(st.sampled_from(["metadata", "options"]), _not_mapping, st.just(TypeError)),
    st.tuples(st.sampled_from(["metadata", "options"]), _not_json, st.just(ValueError)),
)


@given(bad_arguments)
def test_each_bad_create_job_argument_raises_an_error_naming_it(
    bad: tuple[str, object, type[Exception]],
) -> None:
    name, value, error = bad
    given = {**VALID, name: value}
    circuits = given.pop("circuits", "c")
    with pytest.raises(error) as caught:
        new_job(circuits, given, CircuitType.QASM)
    assert type(caught.value) is error
    assert str(caught.value).startswith(name)


@given(
    circuits=st.text(min_size=1).filter(str.strip),
    target=st.text(min_size=1).filter(str.strip),
    shots=st.integers(0, 10**6),
    circuit_type=st.sampled_from([*CircuitType, *(t.value for t in CircuitType)]),
    job_type=st.sampled_from([*JobType, *(t.value for t in JobType)]),
    sim_method=st.sampled_from([None, *SIM_METHODS]),
    dry_run=st.booleans(),
    verbatim=st.booleans(),
    priority=st.integers(-100, 100),
    tags=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    metadata=st.none() | st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5)),
)
def test_any_good_create_job_arguments_make_upstreams_new_job(
    circuits: str,
    target: str,
    shots: int,
    circuit_type: CircuitType | str,
    job_type: JobType | str,
    sim_method: str | None,
    dry_run: bool,
    verbatim: bool,
    priority: int,
    tags: tuple[str, ...],
    metadata: dict[str, object] | None,
) -> None:
    made, credentials = new_job(
        circuits,
        {
            "target": target,
            "shots": shots,
            "circuit_type": circuit_type,
            "job_type": job_type,
            "sim_method": sim_method,
            "dry_run": dry_run,
            "verbatim": verbatim,
            "priority": priority,
            "tags": tags,
            "metadata": metadata,
            "options": metadata,
        },
        CircuitType.QASM,
    )
    assert credentials == {}
    assert made == NewJob(
        job_type=JobType(job_type).value,
        target=target,
        circuits=circuits,
        circuit_type=CircuitType(circuit_type).value,
        verbatim=verbatim,
        shots=shots,
        dry_run=dry_run,
        sim_method=sim_method,
        priority=priority,
        options_dict=metadata or {},
        tags=list(tags),
        metadata=metadata or {},
    )
    if metadata is not None:
        assert made.metadata is not metadata  # a copy: the caller may change theirs later


def test_a_bad_create_job_argument_sends_nothing() -> None:
    client, transport = _client()
    with pytest.raises(ValueError, match="shots must be >= 0, got -1"):
        client.create_job("c", target="t", shots=-1)
    with pytest.raises(TypeError, match="tags must be a sequence of str, not a single str"):
        client.create_job("c", target="t", tags="one")
    with pytest.raises(ValueError, match="sim_method 'exact' is not one of sim, noise-sim"):
        client.create_job("c", target="t", sim_method="exact")
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        untyped(client.create_job)("c", target="t", token="x")
    assert transport.requests == []


def test_create_job_defaults_are_upstreams_and_the_clients_circuit_type() -> None:
    made, credentials = new_job("c", {"target": "t", "cq_token": "cq"}, CircuitType.QISKIT)

    assert (made.circuit_type, made.job_type, made.shots, made.priority) == (
        "qiskit",
        "submit",
        1,
        0,
    )
    assert (made.tags, made.metadata, made.options_dict, made.sim_method) == ([], {}, {}, None)
    assert credentials == {"cq_token": "cq"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"shots": 1}, "missing the keyword argument 'target'"),
        ({"target": "t", "shotz": 1}, "'shotz'"),
    ],
)
def test_create_job_refuses_a_missing_target_and_an_unknown_keyword(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        new_job("c", given, CircuitType.CIRQ)
