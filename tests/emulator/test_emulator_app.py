"""The emulator application, through `Emulator.handle` and `EmulatorTransport`, on a fake clock."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from transports import Request, Transport
from transports.emulator import API_VERSION, Emulator, EmulatorTransport, RecordedRequest

KEY = "test-key"
WALL = 1_800_000_000.0
AUTH = {"Authorization": KEY}
FETCH = f"/{API_VERSION}/client/job/cirq"
CANCEL = f"/{API_VERSION}/client/cancel_jobs"
CREATE = f"/{API_VERSION}/client/job"
UNKNOWN_ID = "00000000-0000-4000-8000-0000000000ff"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

FIXTURES = Path(
    os.environ.get("SQCORE_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures")
)
FIXTURE_METADATA = {"experiment": "bell", "round": 3}
FIXTURE_TAGS = ("sweep-7",)


class FakeClock:
    """A monotonic clock that moves only when the test advances it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Emulator:
    return Emulator(api_key=KEY, clock=clock, wall_clock=lambda: WALL, seed=0)


def decode(body: bytes) -> object:
    return msgspec.json.decode(body, type=object)


def as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def as_list(value: object) -> list[object]:
    assert isinstance(value, list)
    return list(value)


def call(
    emu: Emulator,
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] = AUTH,
) -> tuple[int, dict[str, str], object]:
    """Sends one request through the emulator's Transport; returns status, headers, JSON."""
    result = emu.transport().send(Request(method, url, headers, body, timeout=5.0))
    assert is_successful(result)
    response = result.unwrap()
    assert response.header("Content-Type") == "application/json"
    assert response.header("Content-Length") == str(len(response.body))
    return response.status, dict(response.headers), decode(response.body)


def fetch(emu: Emulator, *job_ids: str) -> dict[str, object]:
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    status, _, reply = call(emu, "GET", f"{FETCH}?{query}")
    assert status == 200
    return as_dict(reply)


def job_of(emu: Emulator, job_id: str) -> dict[str, object]:
    return as_dict(fetch(emu, job_id)[job_id])


def detail(reply: object) -> list[dict[str, object]]:
    return [as_dict(item) for item in as_list(as_dict(reply)["detail"])]


# --- the transport --------------------------------------------------------------------------


def test_transport_is_a_transport_and_ignores_scheme_and_host(emu: Emulator) -> None:
    transport = emu.transport()
    assert isinstance(transport, EmulatorTransport)
    assert isinstance(transport, Transport)
    job_id = emu.create_job(durations=0.0)
    for base in ("https://superstaq-prod.infleqtion.com", "http://127.0.0.1:1", ""):
        status, _, reply = call(emu, "GET", f"{base}{FETCH}?job_id={job_id}")
        assert status == 200
        assert list(as_dict(reply)) == [job_id]


# --- fetch ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "ss_unconstrained_simulator",
            ["received", "awaiting_simulation", "simulating", "completed"],
        ),
        (
            "ibmq_brisbane_qpu",
            [
                "received",
                "awaiting_compile",
                "compiling",
                "awaiting_submission",
                "pending",
                "running",
                "completed",
            ],
        ),
    ],
)
def test_a_poller_sees_every_stage_in_order(
    emu: Emulator, clock: FakeClock, target: str, expected: list[str]
) -> None:
    job_id = emu.create_job(num_circuits=1, target=target, durations=3.0)
    seen: list[str] = []
    for _ in range(40):
        statuses = as_list(job_of(emu, job_id)["statuses"])
        status = str(statuses[0])
        if not seen or seen[-1] != status:
            seen.append(status)
        clock.advance(0.1)
    assert seen == expected


def test_circuits_advance_on_their_own_durations(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=3, durations=[0.5, 1.5, 3.0])
    assert emu.statuses(job_id) == ["received", "received", "received"]
    clock.advance(1.0)
    assert emu.statuses(job_id) == ["completed", "simulating", "awaiting_simulation"]
    assert emu.completion_time(job_id, 1) == pytest.approx(clock.now + 0.5)
    clock.advance(2.0)
    assert emu.statuses(job_id) == ["completed", "completed", "completed"]


def test_default_durations_are_staggered(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=4)
    start = clock.now
    assert [emu.completion_time(job_id, i) - start for i in range(4)] == [1.0, 1.25, 1.5, 1.75]
    with pytest.raises(IndexError):
        emu.completion_time(job_id, 4)


def test_completed_circuit_carries_counts_and_compiled_fields(
    emu: Emulator, clock: FakeClock
) -> None:
    job_id = emu.create_job(num_circuits=2, shots=250, durations=[0.5, 5.0], num_qubits=3)
    clock.advance(1.0)
    job = job_of(emu, job_id)
    done, open_ = as_list(job["counts"])
    counts = as_dict(done)
    assert sum(int(str(value)) for value in counts.values()) == 250
    assert all(len(bits) == 3 for bits in counts)
    assert open_ is None
    assert as_list(job["compiled_circuits"])[0] is not None
    assert as_list(job["initial_logical_to_physicals"]) == [{"0": 0, "1": 1, "2": 2}, None]
    assert as_list(job["shots"]) == [250, 250]
    stamps = [str(stamp) for stamp in as_list(job["last_updated_timestamp"])]
    assert all(TIMESTAMP.fullmatch(stamp) for stamp in stamps)
    assert TIMESTAMP.fullmatch(str(job["submission_timestamp"]))
    assert job["user_email"] == "emulator@example.com"


def test_failed_circuit_has_message_and_no_counts(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=2, durations=0.5, fail={1: "Too many qubits."})
    clock.advance(1.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "failed"]
    assert job["status_messages"] == [None, "Too many qubits."]
    assert as_list(job["counts"])[1] is None


def test_unknown_valid_ids_are_omitted(emu: Emulator) -> None:
    job_id = emu.create_job()
    assert list(fetch(emu, job_id, UNKNOWN_ID)) == [job_id]
    assert fetch(emu, UNKNOWN_ID) == {}


def test_no_job_id_gives_an_empty_object(emu: Emulator) -> None:
    assert fetch(emu) == {}


@pytest.mark.parametrize("circuit_type", ["cirq", "qiskit", "qasm"])
def test_every_circuit_type_path_is_served(emu: Emulator, circuit_type: str) -> None:
    job_id = emu.create_job()
    status, _, reply = call(emu, "GET", f"/{API_VERSION}/client/job/{circuit_type}?job_id={job_id}")
    assert status == 200
    assert list(as_dict(reply)) == [job_id]


def test_ids_are_matched_in_any_uuid_spelling(emu: Emulator) -> None:
    job_id = emu.create_job()
    assert list(fetch(emu, job_id.upper())) == [job_id]
    assert list(fetch(emu, job_id.replace("-", ""))) == [job_id]


def test_malformed_uuid_is_a_fastapi_422(emu: Emulator) -> None:
    job_id = emu.create_job()
    status, _, reply = call(emu, "GET", f"{FETCH}?job_id={job_id}&job_id=not-a-uuid")
    assert status == 422
    assert reply == {
        "detail": [
            {
                "type": "uuid_parsing",
                "loc": ["query", "job_id", 1],
                "msg": "Input should be a valid UUID",
                "input": "not-a-uuid",
            }
        ]
    }


def test_warnings_ride_at_the_top_level(emu: Emulator) -> None:
    warned = emu.create_job(warn="Target is busy.")
    plain = emu.create_job()
    reply = fetch(emu, warned, plain)
    assert reply["warnings"] == [{"message": "Target is busy."}]
    assert set(reply) == {warned, plain, "warnings"}
    assert "warnings" not in fetch(emu, plain)


def test_tags_metadata_and_types_are_reported(emu: Emulator) -> None:
    job_id = emu.create_job(
        target="ibmq_brisbane_qpu",
        tags=("a", "b"),
        metadata={"nested": {"x": [1, 2]}},
        circuit_type="qasm",
        dry_run=True,
    )
    job = job_of(emu, job_id)
    assert job["job_type"] == "submit"
    assert job["tags"] == ["a", "b"]
    assert job["metadata"] == {"nested": {"x": [1, 2]}}
    assert job["circuit_type"] == "qasm"
    assert job["dry_run"] is True
    assert str(as_list(job["input_circuits"])[0]).startswith("OPENQASM 2.0;")


# --- cancel ---------------------------------------------------------------------------------


def test_cancel_freezes_open_circuits(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=2, durations=[0.5, 5.0])
    clock.advance(1.0)
    status, _, reply = call(emu, "PUT", CANCEL, msgspec.json.encode({"job_id": [job_id]}))
    assert status == 200
    assert reply == {"succeeded": [job_id], "message": "1 job(s) cancelled."}
    cancelled_at = clock.now
    clock.advance(100.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "cancelled"]
    assert job["status_messages"] == [None, "Cancelled by user."]
    assert emu.completion_time(job_id, 1) == cancelled_at
    # Nothing is open any more: a second cancel succeeds for nothing.
    _, _, again = call(emu, "PUT", CANCEL, msgspec.json.encode({"job_id": [job_id]}))
    assert again == {"succeeded": [], "message": "0 job(s) cancelled."}


def test_cancel_skips_unknown_and_finished_jobs(emu: Emulator, clock: FakeClock) -> None:
    finished = emu.create_job(durations=0.0)
    running = emu.create_job(durations=10.0)
    body = msgspec.json.encode({"job_id": [finished, UNKNOWN_ID, running]})
    status, _, reply = call(emu, "PUT", CANCEL, body)
    assert status == 200
    assert reply == {"succeeded": [running], "message": "1 job(s) cancelled."}
    assert emu.statuses(finished) == ["completed"]


def test_python_cancel_matches_http_cancel(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=2, durations=[0.0, 9.0])
    assert emu.cancel(job_id) is True
    assert emu.statuses(job_id) == ["completed", "cancelled"]
    assert emu.cancel(job_id) is False
    with pytest.raises(KeyError):
        emu.cancel(UNKNOWN_ID)
    assert emu.request_count == 0


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        (None, ["body"], "missing"),
        (b"", ["body"], "missing"),
        (b"not json", ["body", "<offset>"], "json_invalid"),
        (b"{}", ["body", "job_id"], "missing"),
        (b'{"job_id": "x"}', ["body", "job_id"], "list_type"),
        (b'{"job_id": [1]}', ["body", "job_id", 0], "string_type"),
        (b'{"job_id": ["nope"]}', ["body", "job_id", 0], "uuid_parsing"),
        (b"[]", ["body"], "dict_type"),
    ],
)
def test_bad_cancel_bodies_are_422(
    emu: Emulator, body: bytes | None, loc: list[object], error_type: str
) -> None:
    status, _, reply = call(emu, "PUT", CANCEL, body)
    assert status == 422
    (item,) = detail(reply)
    assert item["loc"] == located(loc, item)
    assert item["type"] == error_type
    assert isinstance(item["msg"], str)


def located(loc: list[object], item: dict[str, object]) -> list[object]:
    """`loc` with a "<offset>" placeholder replaced by the byte offset the item reports."""
    actual = as_list(item["loc"])
    if loc[-1:] == ["<offset>"]:
        assert isinstance(actual[-1], int)
        return [*loc[:-1], actual[-1]]
    return loc


# --- create ---------------------------------------------------------------------------------


def new_job(**overrides: object) -> bytes:
    body: dict[str, object] = {
        "job_type": "simulate",
        "target": "ss_unconstrained_simulator",
        "circuits": '{"cirq_type": "Circuit", "moments": []}',
        "circuit_type": "cirq",
        "shots": 100,
    }
    body.update(overrides)
    return msgspec.json.encode(body)


def test_create_returns_an_id_the_fetch_knows(emu: Emulator, clock: FakeClock) -> None:
    status, _, reply = call(emu, "POST", CREATE, new_job(tags=["t"], metadata={"m": 1}))
    assert status == 200
    created = as_dict(reply)
    assert set(created) == {"job_id", "num_circuits"}
    assert created["num_circuits"] == 1
    job_id = str(created["job_id"])
    clock.advance(10.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed"]
    assert job["input_circuits"] == ['{"cirq_type": "Circuit", "moments": []}']
    assert job["tags"] == ["t"]
    assert job["metadata"] == {"m": 1}
    assert emu.requests[0] == RecordedRequest("POST", CREATE, (job_id,))


def test_create_counts_circuits_of_a_json_array(emu: Emulator) -> None:
    circuits = '[{"cirq_type": "Circuit", "moments": []}, "OPENQASM 2.0;", 3]'
    _, _, reply = call(emu, "POST", CREATE, new_job(circuits=circuits))
    job_id = str(as_dict(reply)["job_id"])
    assert as_dict(reply)["num_circuits"] == 3
    assert job_of(emu, job_id)["input_circuits"] == [
        '{"cirq_type": "Circuit", "moments": []}',
        "OPENQASM 2.0;",
        "3",
    ]


def test_create_options_drive_the_schedule(emu: Emulator, clock: FakeClock) -> None:
    options = {
        "emulator": {"durations": [0.5, 2.0], "fail": {"1": "Emulated."}, "num_qubits": 4},
        "other_option": True,
    }
    circuits = '["a", "b"]'
    _, _, reply = call(emu, "POST", CREATE, new_job(circuits=circuits, options_dict=options))
    job_id = str(as_dict(reply)["job_id"])
    clock.advance(1.0)
    assert emu.statuses(job_id) == ["completed", "awaiting_simulation"]
    clock.advance(1.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "failed"]
    assert job["status_messages"] == [None, "Emulated."]
    assert all(len(bits) == 4 for bits in as_dict(as_list(job["counts"])[0]))
    _, _, single = call(emu, "POST", CREATE, new_job(options_dict={"emulator": {"durations": 0}}))
    assert emu.statuses(str(as_dict(single)["job_id"])) == ["completed"]


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        (None, ["body"], "missing"),
        (b"{", ["body", "<offset>"], "json_invalid"),
        (b"[1]", ["body"], "dict_type"),
        (
            b'{"target": "t", "circuits": "c", "circuit_type": "cirq"}',
            ["body", "job_type"],
            "missing",
        ),
        (new_job(job_type="bake"), ["body", "job_type"], "enum"),
        (new_job(circuit_type="quil"), ["body", "circuit_type"], "enum"),
        (new_job(target=7), ["body", "target"], "string_type"),
        (new_job(shots=-1), ["body", "shots"], "greater_than_equal"),
        (new_job(shots="many"), ["body", "shots"], "int_type"),
        (new_job(tags=[1]), ["body", "tags", 0], "string_type"),
        (new_job(dry_run="yes"), ["body", "dry_run"], "bool_type"),
        (new_job(circuits="[]"), ["body", "circuits"], "value_error"),
        (
            new_job(options_dict={"emulator": {"durations": [1.0, 2.0]}}),
            ["body", "options_dict", "emulator", "durations"],
            "value_error",
        ),
        (
            new_job(options_dict={"emulator": {"durations": [-1.0]}}),
            ["body", "options_dict", "emulator", "durations", 0],
            "greater_than_equal",
        ),
        (
            new_job(options_dict={"emulator": {"fail": {"5": "x"}}}),
            ["body", "options_dict", "emulator", "fail", "5"],
            "value_error",
        ),
        (
            new_job(options_dict={"emulator": {"fail": {"a": "x"}}}),
            ["body", "options_dict", "emulator", "fail"],
            "int_type",
        ),
        (
            new_job(options_dict={"emulator": {"num_qubits": 0}}),
            ["body", "options_dict", "emulator", "num_qubits"],
            "greater_than_equal",
        ),
        (
            new_job(options_dict={"emulator": {"typo": 1}}),
            ["body", "options_dict", "emulator"],
            "extra_forbidden",
        ),
    ],
)
def test_bad_create_bodies_are_422(
    emu: Emulator, body: bytes | None, loc: list[object], error_type: str
) -> None:
    status, _, reply = call(emu, "POST", CREATE, body)
    assert status == 422
    (item,) = detail(reply)
    assert item["loc"] == located(loc, item)
    assert item["type"] == error_type
    assert isinstance(item["msg"], str)
    assert emu.requests[-1].job_ids == ()


# --- authorization, routing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "wrong-key"}, {"X-Api-Key": KEY}],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", f"{FETCH}?job_id={UNKNOWN_ID}"), ("PUT", CANCEL), ("POST", CREATE)]
)
def test_missing_or_wrong_key_is_401_and_never_echoed(
    emu: Emulator, headers: dict[str, str], method: str, path: str
) -> None:
    status, _, reply = call(emu, method, path, b'{"job_id": []}', headers=headers)
    assert status == 401
    assert reply == {"detail": "Not authorized. Check your API key."}
    assert "wrong-key" not in msgspec.json.encode(reply).decode()


def test_header_name_is_case_insensitive(emu: Emulator) -> None:
    status, _, _ = call(emu, "GET", FETCH, headers={"AUTHORIZATION": KEY})
    assert status == 200


def test_no_api_key_accepts_any_non_empty_key(clock: FakeClock) -> None:
    open_emu = Emulator(api_key=None, clock=clock)
    assert call(open_emu, "GET", FETCH, headers={"authorization": "anything"})[0] == 200
    assert call(open_emu, "GET", FETCH, headers={"authorization": ""})[0] == 401
    assert call(open_emu, "GET", FETCH, headers={})[0] == 401
    with pytest.raises(ValueError, match="non-empty"):
        Emulator(api_key="")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/v0.2.0/client/job/cirq",
        "/v0.3.0",
        "/v0.3.0/client",
        "/v0.3.0/client/job/quil",
        "/v0.3.0/client/job/cirq/extra",
        "/v0.3.0/client/jobs",
        "/v0.3.0/client/cancel_jobs/",
        "/client/job/cirq",
    ],
)
def test_unknown_paths_are_404(emu: Emulator, path: str) -> None:
    status, _, reply = call(emu, "GET", path)
    assert status == 404
    assert reply == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", FETCH, "GET"),
        ("DELETE", FETCH, "GET"),
        ("GET", CANCEL, "PUT"),
        ("POST", CANCEL, "PUT"),
        ("GET", CREATE, "POST"),
        ("PUT", CREATE, "POST"),
    ],
)
def test_wrong_methods_are_405(emu: Emulator, method: str, path: str, allow: str) -> None:
    status, headers, reply = call(emu, method, path, headers={})
    assert status == 405
    assert reply == {"detail": "Method Not Allowed"}
    assert headers["Allow"] == allow


def test_requests_are_recorded_in_order(emu: Emulator) -> None:
    job_id = emu.create_job()
    call(emu, "GET", f"{FETCH}?job_id={job_id}&job_id={UNKNOWN_ID}")
    call(emu, "PUT", CANCEL, msgspec.json.encode({"job_id": [job_id]}))
    call(emu, "GET", "/nowhere")
    call(emu, "GET", FETCH, headers={})
    assert emu.requests == [
        RecordedRequest("GET", FETCH, (job_id, UNKNOWN_ID)),
        RecordedRequest("PUT", CANCEL, (job_id,)),
        RecordedRequest("GET", "/nowhere", ()),
        RecordedRequest("GET", FETCH, ()),
    ]
    assert emu.request_count == 4


def test_handle_is_thread_safe(emu: Emulator) -> None:
    job_ids = [emu.create_job(durations=5.0) for _ in range(4)]
    barrier = threading.Barrier(8)

    def worker(number: int) -> None:
        barrier.wait(timeout=5)
        for _ in range(50):
            if number % 2:
                emu.handle("GET", f"{FETCH}?job_id={job_ids[number % 4]}", AUTH, None)
            else:
                emu.handle("POST", CREATE, AUTH, new_job())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert emu.request_count == 400
    created = {r.job_ids[0] for r in emu.requests if r.method == "POST"}
    assert len(created) == 200


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "get"]),
    url=st.sampled_from([FETCH, CANCEL, CREATE, "/", "/v0.3.0/client/job/%00", "//[x"]).flatmap(
        lambda path: st.builds(lambda query: f"{path}?{query}", st.text(max_size=40))
    )
    | st.text(max_size=60),
    body=st.none() | st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
)
def test_any_request_gets_a_json_reply(method: str, url: str, body: bytes | None) -> None:
    emu = Emulator(api_key=KEY, clock=FakeClock())
    status, headers, reply = emu.handle(method, url, AUTH, body)
    assert status in {200, 404, 405, 422}
    assert headers["Content-Type"] == "application/json"
    assert isinstance(decode(reply), dict)


# --- the Python API -------------------------------------------------------------------------


def test_ids_are_seeded_uuid4s(clock: FakeClock) -> None:
    first = [Emulator(seed=7, clock=clock).create_job() for _ in range(2)]
    again = Emulator(seed=7, clock=clock)
    assert [again.create_job(), again.create_job()][0] == first[0]
    assert Emulator(seed=8, clock=clock).create_job() != first[0]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first[0]
    )


def test_explicit_job_id_is_canonical_and_unique(emu: Emulator) -> None:
    job_id = "00000000-0000-0000-0000-000000000065"
    assert emu.create_job(job_id=job_id.upper()) == job_id
    with pytest.raises(ValueError, match="already exists"):
        emu.create_job(job_id=job_id)
    with pytest.raises(ValueError, match="UUID"):
        emu.create_job(job_id="job-1")


BAD_CREATIONS: list[tuple[str, Callable[[Emulator], str], type[Exception]]] = [
    ("no circuits", lambda e: e.create_job(num_circuits=0), ValueError),
    ("negative shots", lambda e: e.create_job(shots=-1), ValueError),
    ("no qubits", lambda e: e.create_job(num_qubits=0), ValueError),
    ("negative duration", lambda e: e.create_job(durations=-1.0), ValueError),
    ("nan duration", lambda e: e.create_job(durations=float("nan")), ValueError),
    ("too few durations", lambda e: e.create_job(num_circuits=2, durations=[1.0]), ValueError),
    ("fail out of range", lambda e: e.create_job(fail={3: "x"}), ValueError),
    ("unknown job type", lambda e: e.create_job(job_type="bake"), ValueError),
    ("unknown circuit type", lambda e: e.create_job(circuit_type="quil"), ValueError),
    ("tags as a string", lambda e: e.create_job(tags="abc"), TypeError),
    ("metadata not JSON", lambda e: e.create_job(metadata={"x": object()}), TypeError),
]


@pytest.mark.parametrize(
    ("create", "error"),
    [pytest.param(create, error, id=name) for name, create, error in BAD_CREATIONS],
)
def test_create_job_rejects_bad_arguments(
    emu: Emulator, create: Callable[[Emulator], str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        create(emu)
    assert emu.request_count == 0


def test_statuses_of_an_unknown_job_raise(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.statuses(UNKNOWN_ID)
    with pytest.raises(KeyError):
        emu.completion_time("nope", 0)


def test_job_type_defaults_from_the_target(emu: Emulator) -> None:
    simulated = emu.create_job(target="ss_unconstrained_simulator")
    submitted = emu.create_job(target="ibmq_brisbane_qpu")
    assert fetch(emu, simulated, submitted)[simulated] != {}
    assert job_of(emu, simulated)["job_type"] == "simulate"
    assert job_of(emu, submitted)["job_type"] == "submit"


def test_repr_shows_no_key(emu: Emulator) -> None:
    assert KEY not in repr(emu)
    assert KEY not in repr(emu.transport())


# --- shape parity with upstream's own replies ---------------------------------------------


def shape(value: object) -> object:
    """The JSON type skeleton of a value: lists by position, objects by their value types."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return ("list", tuple(shape(item) for item in value))
    return ("object", frozenset(shape(item) for item in as_dict(value).values()))


def assert_same_job_shape(actual: object, expected: object) -> None:
    got, want = as_dict(actual), as_dict(expected)
    assert list(got) == list(want)  # same fields, same order
    for field, value in want.items():
        assert shape(got[field]) == shape(value), field
    for field in (
        "job_type",
        "statuses",
        "status_messages",
        "target",
        "num_circuits",
        "input_circuits",
        "circuit_type",
        "results_dicts",
        "shots",
        "dry_run",
        "tags",
        "metadata",
    ):
        assert got[field] == want[field], field


def load_fixture(name: str) -> object:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {path} not found (set SQCORE_FIXTURES to its directory)")
    return decode(path.read_bytes())


def make_completed_single(emu: Emulator, clock: FakeClock) -> None:
    emu.create_job(
        job_id="00000000-0000-0000-0000-000000000065",
        durations=0.5,
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_failed_one_of_two(emu: Emulator, clock: FakeClock) -> None:
    emu.create_job(
        num_circuits=2,
        job_id="00000000-0000-0000-0000-000000000067",
        durations=0.5,
        fail={1: "Circuit has 200 qubits; the target has 127."},
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_mixed_three(emu: Emulator, clock: FakeClock) -> None:
    emu.create_job(
        num_circuits=3,
        target="ibmq_brisbane_qpu",
        job_id="00000000-0000-0000-0000-000000000066",
        durations=[1.1, 1.8, 0.5],
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_pending_two(emu: Emulator, clock: FakeClock) -> None:
    emu.create_job(
        num_circuits=2,
        target="ibmq_brisbane_qpu",
        job_id="00000000-0000-0000-0000-000000000068",
        durations=1.4,
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


FETCH_CASES = {
    "fetch_completed_single.json": (make_completed_single,),
    "fetch_failed_one_of_two.json": (make_failed_one_of_two,),
    "fetch_mixed_three_circuits.json": (make_mixed_three,),
    "fetch_two_jobs.json": (make_completed_single, make_pending_two),
}
OTHER_CASES = ("cancel_reply.json", "create_reply.json")


def test_every_fixture_is_covered() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"fixtures directory {FIXTURES} not found")
    assert {path.name for path in FIXTURES.glob("*.json")} == {*FETCH_CASES, *OTHER_CASES}


@pytest.mark.parametrize("name", sorted(FETCH_CASES))
def test_fetch_replies_match_upstream_shape(emu: Emulator, clock: FakeClock, name: str) -> None:
    expected = as_dict(load_fixture(name))
    for make in FETCH_CASES[name]:
        make(emu, clock)
    clock.advance(1.0)
    actual = fetch(emu, *expected)
    assert list(actual) == list(expected)
    for job_id, job in expected.items():
        assert_same_job_shape(actual[job_id], job)


def test_cancel_reply_matches_upstream(emu: Emulator, clock: FakeClock) -> None:
    expected = load_fixture("cancel_reply.json")
    make_mixed_three(emu, clock)
    clock.advance(1.0)
    body = msgspec.json.encode({"job_id": ["00000000-0000-0000-0000-000000000066"]})
    status, _, reply = call(emu, "PUT", CANCEL, body)
    assert status == 200
    assert reply == expected


def test_create_reply_matches_upstream_shape(emu: Emulator) -> None:
    expected = as_dict(load_fixture("create_reply.json"))
    status, _, reply = call(emu, "POST", CREATE, new_job())
    assert status == 200
    assert list(as_dict(reply)) == list(expected)
    assert shape(reply) == shape(expected)
    assert as_dict(reply)["num_circuits"] == expected["num_circuits"]


def test_a_body_that_is_not_utf8_gets_a_422_not_a_crash() -> None:
    emulator = Emulator(api_key="k")
    for method, path, body in (
        ("PUT", "/v0.3.0/client/cancel_jobs", b'{"job_id": ["\x80"]}'),
        ("POST", "/v0.3.0/client/job", b'{"target": "\xc3"}'),
    ):
        status, headers, reply = emulator.handle(method, path, {"Authorization": "k"}, body)
        assert status == 422, (method, path)
        assert headers["Content-Type"] == "application/json"
        assert b"json_invalid" in reply
