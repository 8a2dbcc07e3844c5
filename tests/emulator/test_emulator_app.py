"""The emulator application, through `Emulator.handle` and `EmulatorTransport`, on a fake clock:
fetch, cancel, routing, authorization, plain error replies, the request record, the test hooks."""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Callable

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.emulator.support import (
    AUTH,
    CANCEL,
    CREATE,
    FETCH,
    KEY,
    UNKNOWN_ID,
    as_dict,
    as_list,
    call,
    decode,
    detail,
    fetch,
    job_of,
    new_job,
)
from tests.fakes import FakeClock
from transports import Transport
from transports.emulator import API_VERSION, Emulator, EmulatorTransport, RecordedRequest

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

# --- the transport --------------------------------------------------------------------------


def test_the_transport_is_a_transport_that_ignores_scheme_and_host(emu: Emulator) -> None:
    transport = emu.transport()
    assert isinstance(transport, EmulatorTransport)
    assert isinstance(transport, Transport)
    job_id = emu.create_job(durations=0.0)
    for base in ("https://superstaq-prod.infleqtion.com", "http://127.0.0.1:1", ""):
        status, _, reply = call(emu, "GET", f"{base}{FETCH}?job_id={job_id}")
        assert status == 200
        assert list(as_dict(reply)) == [job_id]


def test_the_transport_never_compresses_even_when_asked(emu: Emulator) -> None:
    job_ids = [emu.create_job(num_circuits=5) for _ in range(3)]
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    headers = {**AUTH, "Accept-Encoding": "gzip"}
    status, reply_headers, reply = call(emu, "GET", f"{FETCH}?{query}", headers=headers)
    assert status == 200
    assert sorted(as_dict(reply)) == sorted(job_ids)  # a long body, read as plain JSON
    assert "Content-Encoding" not in reply_headers


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
        status = str(as_list(job_of(emu, job_id)["statuses"])[0])
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


def test_a_completed_circuit_carries_counts_and_compiled_fields(
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


def test_a_failed_circuit_has_its_message_and_no_counts(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=2, durations=0.5, fail={1: "Too many qubits."})
    clock.advance(1.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "failed"]
    assert job["status_messages"] == [None, "Too many qubits."]
    assert as_list(job["counts"])[1] is None


def test_unknown_valid_ids_are_left_out(emu: Emulator) -> None:
    job_id = emu.create_job()
    assert list(fetch(emu, job_id, UNKNOWN_ID)) == [job_id]
    assert fetch(emu, UNKNOWN_ID) == {}


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


def cancel_body(*job_ids: str) -> bytes:
    return msgspec.json.encode({"job_id": list(job_ids)})


def test_cancel_freezes_open_circuits(emu: Emulator, clock: FakeClock) -> None:
    job_id = emu.create_job(num_circuits=2, durations=[0.5, 5.0])
    clock.advance(1.0)
    status, _, reply = call(emu, "PUT", CANCEL, cancel_body(job_id))
    assert status == 200
    assert reply == {"succeeded": [job_id], "message": "1 job(s) cancelled."}
    cancelled_at = clock.now
    clock.advance(100.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "cancelled"]
    assert job["status_messages"] == [None, "Cancelled by user."]
    assert emu.completion_time(job_id, 1) == cancelled_at
    # Nothing is open any more: a second cancel succeeds for nothing.
    _, _, again = call(emu, "PUT", CANCEL, cancel_body(job_id))
    assert again == {"succeeded": [], "message": "0 job(s) cancelled."}


def test_cancel_skips_unknown_and_finished_jobs(emu: Emulator) -> None:
    finished = emu.create_job(durations=0.0)
    running = emu.create_job(durations=10.0)
    status, _, reply = call(emu, "PUT", CANCEL, cancel_body(finished, UNKNOWN_ID, running))
    assert status == 200
    assert reply == {"succeeded": [running], "message": "1 job(s) cancelled."}
    assert emu.statuses(finished) == ["completed"]


def test_the_cancel_hook_matches_the_cancel_endpoint(emu: Emulator) -> None:
    job_id = emu.create_job(num_circuits=2, durations=[0.0, 9.0])
    assert emu.cancel(job_id) is True
    assert emu.statuses(job_id) == ["completed", "cancelled"]
    assert emu.cancel(job_id) is False
    with pytest.raises(KeyError):
        emu.cancel(UNKNOWN_ID)
    assert emu.request_count == 0


# --- plain error replies --------------------------------------------------------------------


def test_a_malformed_query_id_is_a_422_naming_its_place(emu: Emulator) -> None:
    job_id = emu.create_job()
    status, _, reply = call(emu, "GET", f"{FETCH}?job_id={job_id}&job_id=not-a-uuid")
    assert status == 422
    assert reply == {"detail": "query job_id[1]: 'not-a-uuid' is not a valid UUID"}
    assert emu.requests[-1].job_ids == (job_id, "not-a-uuid")  # as sent


@pytest.mark.parametrize(
    ("body", "status", "sentence"),
    [
        (None, 400, "body: missing; this endpoint takes a JSON object"),
        (b"", 400, "body: missing; this endpoint takes a JSON object"),
        (b"not json", 400, "body: not valid JSON ("),
        (b'{"job_id": ["\x80"]}', 400, "body: not valid JSON ("),
        (b"[]", 422, "body: "),
        (b"{}", 422, "body: "),
        (b'{"job_id": "x"}', 422, "body.job_id: "),
        (b'{"job_id": [1]}', 422, "body.job_id[0]: "),
        (b'{"job_id": ["nope"]}', 422, "body.job_id[0]: 'nope' is not a valid UUID"),
    ],
)
def test_a_bad_cancel_body_gets_a_plain_400_or_422_naming_the_place(
    emu: Emulator, body: bytes | None, status: int, sentence: str
) -> None:
    got, _, reply = call(emu, "PUT", CANCEL, body)
    assert got == status
    assert detail(reply).startswith(sentence)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "wrong-key"}, {"X-Api-Key": KEY}],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", f"{FETCH}?job_id={UNKNOWN_ID}"), ("PUT", CANCEL), ("POST", CREATE)]
)
def test_a_missing_or_wrong_key_is_a_401_that_never_echoes_it(
    emu: Emulator, headers: dict[str, str], method: str, path: str
) -> None:
    status, _, reply = call(emu, method, path, b'{"job_id": []}', headers=headers)
    assert status == 401
    assert reply == {"detail": "Not authorized. Check your API key."}
    assert emu.jobs_posted == 0


def test_the_key_header_name_is_case_insensitive(emu: Emulator) -> None:
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
def test_an_unknown_path_is_a_404_that_lists_the_endpoints(emu: Emulator, path: str) -> None:
    status, _, reply = call(emu, "GET", path)
    assert status == 404
    sentence = detail(reply)
    assert sentence.startswith("Not Found: this emulator serves ")
    assert f"POST /{API_VERSION}/client/job." in sentence


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
def test_a_wrong_method_is_a_405_with_allow(
    emu: Emulator, method: str, path: str, allow: str
) -> None:
    status, headers, reply = call(emu, method, path, headers={})
    assert status == 405
    assert reply == {"detail": f"Method Not Allowed: this endpoint takes {allow} only."}
    assert headers["Allow"] == allow


KEYS = st.text(string.ascii_letters + string.digits, min_size=12, max_size=24)


def requests_echoing(key: str) -> list[tuple[str, str, bytes | None]]:
    """Requests that put `key` where a careless error reply would echo it back."""
    return [
        ("GET", f"{FETCH}?job_id={key}", None),
        ("GET", f"{FETCH}?job_id={UNKNOWN_ID}&job_id=x{key}x", None),
        ("PUT", CANCEL, cancel_body(key)),
        ("PUT", CANCEL, msgspec.json.encode({"job_id": key})),
        ("POST", CREATE, new_job(job_type=key)),
        ("POST", CREATE, new_job(sim_method=key)),
        ("POST", CREATE, new_job(options_dict={"emulator": {key: 1}})),
        ("POST", CREATE, f'{{"{key}": '.encode()),
        ("GET", f"/{key}", None),
        ("DELETE", f"{FETCH}?job_id={key}", None),
    ]


@settings(max_examples=25)
@given(key=KEYS, configured=st.booleans())
def test_the_presented_key_never_appears_in_any_reply(key: str, configured: bool) -> None:
    emu = Emulator(api_key=key if configured else None, clock=FakeClock())
    for method, url, body in requests_echoing(key):
        status, _, reply = emu.handle(method, url, {"Authorization": key}, body)
        assert status in {400, 404, 405, 422}
        assert key not in reply.decode(), (method, url, body)
        assert isinstance(detail(decode(reply)), str)


@settings(max_examples=150)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "get"]),
    url=st.sampled_from([FETCH, CANCEL, CREATE, "/", "/v0.3.0/client/job/%00", "//[x"]).flatmap(
        lambda path: st.builds(lambda query: f"{path}?{query}", st.text(max_size=40))
    )
    | st.text(max_size=60),
    body=st.none() | st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
)
def test_any_request_gets_json_and_an_error_gets_one_plain_sentence(
    method: str, url: str, body: bytes | None
) -> None:
    emu = Emulator(api_key=KEY, clock=FakeClock())
    status, headers, reply = emu.handle(method, url, AUTH, body)
    assert status in {200, 400, 404, 405, 422}
    assert headers["Content-Type"] == "application/json"
    decoded = decode(reply)
    if status == 200:
        assert isinstance(decoded, dict)
    else:
        assert detail(decoded)


# --- the request record ---------------------------------------------------------------------


def test_requests_are_recorded_in_order(emu: Emulator) -> None:
    job_id = emu.create_job()
    call(emu, "GET", f"{FETCH}?job_id={job_id}&job_id={UNKNOWN_ID}")
    call(emu, "PUT", CANCEL, cancel_body(job_id))
    call(emu, "GET", "/nowhere")
    call(emu, "GET", FETCH, headers={})
    call(emu, "PUT", CANCEL, cancel_body("nope"))
    assert emu.requests == [
        RecordedRequest("GET", FETCH, (job_id, UNKNOWN_ID)),
        RecordedRequest("PUT", CANCEL, (job_id,)),
        RecordedRequest("GET", "/nowhere", ()),
        RecordedRequest("GET", FETCH, ()),
        RecordedRequest("PUT", CANCEL, ("nope",)),
    ]
    assert emu.request_count == 5


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
    assert emu.jobs_posted == 200


# --- the test hooks -------------------------------------------------------------------------


def test_ids_are_seeded_uuid4s(clock: FakeClock) -> None:
    first = [Emulator(seed=7, clock=clock).create_job() for _ in range(2)]
    again = Emulator(seed=7, clock=clock)
    assert [again.create_job(), again.create_job()][0] == first[0]
    assert Emulator(seed=8, clock=clock).create_job() != first[0]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first[0]
    )


def test_an_explicit_job_id_is_canonical_and_unique(emu: Emulator) -> None:
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
def test_the_create_hook_rejects_bad_arguments(
    emu: Emulator, create: Callable[[Emulator], str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        create(emu)
    assert emu.request_count == 0


def test_the_hooks_raise_for_an_unknown_job(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.statuses(UNKNOWN_ID)
    with pytest.raises(KeyError):
        emu.completion_time("nope", 0)
    with pytest.raises(KeyError):
        emu.submitted(UNKNOWN_ID)


def test_the_job_type_defaults_from_the_target(emu: Emulator) -> None:
    simulated = emu.create_job(target="ss_unconstrained_simulator")
    submitted = emu.create_job(target="ibmq_brisbane_qpu")
    assert job_of(emu, simulated)["job_type"] == "simulate"
    assert job_of(emu, submitted)["job_type"] == "submit"


def test_no_repr_shows_the_key(emu: Emulator) -> None:
    assert KEY not in repr(emu)
    assert KEY not in repr(emu.transport())
