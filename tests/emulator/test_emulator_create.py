"""`POST /v0.3.0/client/job` with upstream's whole `NewJob`: every field accepted and kept,
every bad body refused with a plain 400/422 naming the place, compile jobs that stop once
compiled."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.emulator.support import (
    CIRQ_CIRCUIT,
    CREATE,
    KEY,
    WALL,
    as_dict,
    as_list,
    created_id,
    detail,
    job_of,
    new_job,
    post,
)
from tests.fakes import FakeClock
from transports.emulator import Emulator, RecordedRequest

OPEN_STAGES_AFTER_COMPILING = frozenset(
    {"awaiting_submission", "pending", "running", "awaiting_simulation", "simulating"}
)


def test_every_field_is_accepted_kept_and_served(emu: Emulator, clock: FakeClock) -> None:
    options = {"emulator": {"durations": 0.5}, "routing": "greedy", "nested": {"x": [1, None]}}
    body = {
        "job_type": "submit",
        "target": "ibmq_brisbane_qpu",
        "circuits": '["OPENQASM 2.0;", "OPENQASM 3.0;"]',
        "circuit_type": "qasm",
        "verbatim": True,
        "shots": 7,
        "dry_run": True,
        "sim_method": "noise-sim",
        "priority": 5,
        "options_dict": options,
        "tags": ["x", "y"],
        "metadata": {"m": {"n": 1.5}},
    }
    status, reply = post(emu, msgspec.json.encode(body))
    assert status == 200
    job_id = str(as_dict(reply)["job_id"])
    assert reply == {"job_id": job_id, "num_circuits": 2}
    clock.advance(1.0)
    job = job_of(emu, job_id)
    for field in ("job_type", "target", "circuit_type", "dry_run", "tags", "metadata"):
        assert job[field] == body[field], field
    assert job["shots"] == [7, 7]
    assert job["input_circuits"] == ["OPENQASM 2.0;", "OPENQASM 3.0;"]
    assert job["statuses"] == ["completed", "completed"]
    spec = emu.submitted(job_id)
    assert (spec.priority, spec.verbatim, spec.sim_method) == (5, True, "noise-sim")
    assert msgspec.json.decode(spec.options_json) == options
    assert msgspec.json.decode(spec.metadata_json) == body["metadata"]


def test_left_out_fields_take_upstreams_defaults(emu: Emulator) -> None:
    body = {"job_type": "simulate", "target": "t", "circuits": "c", "circuit_type": "cirq"}
    job_id = created_id(emu, msgspec.json.encode(body))
    job = job_of(emu, job_id)
    assert (job["shots"], job["dry_run"], job["tags"], job["metadata"]) == ([0], False, [], {})
    spec = emu.submitted(job_id)
    assert (spec.verbatim, spec.sim_method, spec.priority) == (False, None, 0)
    assert msgspec.json.decode(spec.options_json) == {}


def test_unknown_fields_are_ignored_as_upstream_ignores_them(emu: Emulator) -> None:
    job_id = created_id(emu, new_job(colour="blue", shots=3))
    assert job_of(emu, job_id)["shots"] == [3]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
new_jobs = st.fixed_dictionaries(
    {
        "job_type": st.sampled_from(["submit", "simulate", "compile", "convert"]),
        "target": st.text(min_size=1, max_size=20),
        "circuits": st.lists(st.text(max_size=10), min_size=1, max_size=4).map(
            lambda circuits: msgspec.json.encode(circuits).decode()
        ),
        "circuit_type": st.sampled_from(["cirq", "qiskit", "qasm"]),
    },
    optional={
        "verbatim": st.booleans(),
        "shots": st.integers(0, 10**6),
        "dry_run": st.booleans(),
        "sim_method": st.sampled_from([None, "sim", "noise-sim"]),
        "priority": st.integers(-(2**31), 2**31),
        "options_dict": st.dictionaries(
            st.text(max_size=6).filter(lambda key: key != "emulator"), json_values, max_size=3
        ),
        "tags": st.lists(st.text(max_size=8), max_size=3),
        "metadata": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
    },
)


@settings(max_examples=60)
@given(body=new_jobs)
def test_any_valid_new_job_is_created_with_what_was_posted(body: dict[str, object]) -> None:
    emu = Emulator(api_key=KEY, clock=FakeClock(), wall_clock=lambda: WALL)
    job_id = created_id(emu, msgspec.json.encode(body))
    circuits = msgspec.json.decode(str(body["circuits"]))
    job = job_of(emu, job_id)
    assert job["input_circuits"] == circuits
    assert job["num_circuits"] == len(circuits)
    for field in ("job_type", "target", "circuit_type"):
        assert job[field] == body[field]
    assert job["shots"] == [body.get("shots", 0)] * len(circuits)
    assert job["dry_run"] == body.get("dry_run", False)
    assert job["tags"] == body.get("tags", [])
    assert job["metadata"] == body.get("metadata", {})
    spec = emu.submitted(job_id)
    assert spec.verbatim == body.get("verbatim", False)
    assert spec.sim_method == body.get("sim_method")
    assert spec.priority == body.get("priority", 0)
    assert msgspec.json.decode(spec.options_json) == body.get("options_dict", {})
    assert emu.jobs_posted == 1


def test_a_json_array_of_circuits_is_one_circuit_per_element(emu: Emulator) -> None:
    circuits = f'[{CIRQ_CIRCUIT}, "OPENQASM 2.0;", 3]'
    status, reply = post(emu, new_job(circuits=circuits))
    assert status == 200
    assert as_dict(reply)["num_circuits"] == 3
    job_id = str(as_dict(reply)["job_id"])
    assert job_of(emu, job_id)["input_circuits"] == [CIRQ_CIRCUIT, "OPENQASM 2.0;", "3"]


def test_the_emulator_options_drive_the_schedule(emu: Emulator, clock: FakeClock) -> None:
    options = {
        "emulator": {"durations": [0.5, 2.0], "fail": {"1": "Emulated."}, "num_qubits": 4},
        "other_option": True,
    }
    job_id = created_id(emu, new_job(circuits='["a", "b"]', options_dict=options))
    clock.advance(1.0)
    assert emu.statuses(job_id) == ["completed", "awaiting_simulation"]
    clock.advance(1.0)
    job = job_of(emu, job_id)
    assert job["statuses"] == ["completed", "failed"]
    assert job["status_messages"] == [None, "Emulated."]
    assert all(len(bits) == 4 for bits in as_dict(as_list(job["counts"])[0]))
    at_once = created_id(emu, new_job(options_dict={"emulator": {"durations": 0}}))
    assert emu.statuses(at_once) == ["completed"]
    unset = created_id(emu, new_job(options_dict={"emulator": None}))
    assert emu.completion_time(unset, 0) == clock.now + 1.0  # the default schedule


def test_one_accepted_post_creates_exactly_one_job(emu: Emulator) -> None:
    emu.create_job()  # a hook-made job is not a post
    job_id = created_id(emu, new_job())
    post(emu, new_job(shots=-1))
    post(emu, None)
    assert emu.jobs_posted == 1
    assert [r for r in emu.requests if r.job_ids] == [RecordedRequest("POST", CREATE, (job_id,))]
    assert [r.job_ids for r in emu.requests] == [(job_id,), (), ()]


NOT_AN_OBJECT = "body: "
OPTIONS = "body.options_dict.emulator"


@pytest.mark.parametrize(
    ("body", "status", "sentence"),
    [
        pytest.param(None, 400, "body: missing; this endpoint takes a JSON object", id="no body"),
        pytest.param(b"", 400, "body: missing; this endpoint takes a JSON object", id="empty"),
        pytest.param(b"{", 400, "body: not valid JSON (", id="truncated"),
        pytest.param(b"job", 400, "body: not valid JSON (", id="not JSON"),
        pytest.param(b'{"job_type": 1,,}', 400, "body: not valid JSON", id="late syntax error"),
        pytest.param(b'{"target": "\xc3"}', 400, "body: not valid JSON (", id="not UTF-8"),
        pytest.param(b"[1]", 422, NOT_AN_OBJECT, id="an array"),
        pytest.param(b'"job"', 422, "body: ", id="a string"),
        pytest.param(
            b'{"target": "t", "circuits": "c", "circuit_type": "cirq"}',
            422,
            "body: ",
            id="missing job_type",
        ),
        pytest.param(new_job(job_type="bake"), 422, "body.job_type: ", id="job"),
        pytest.param(
            new_job(circuit_type="quil"),
            422,
            "body.circuit_type: ",
            id="circuit_type",
        ),
        pytest.param(
            new_job(sim_method="exact"),
            422,
            "body.sim_method: ",
            id="sim_method",
        ),
        pytest.param(new_job(target=""), 422, "body.target: ", id="no target"),
        pytest.param(new_job(target=7), 422, "body.target: ", id="target type"),
        pytest.param(
            new_job(circuits=["c"]),
            422,
            "body.circuits: ",
            id="circuits not a string",
        ),
        pytest.param(new_job(shots=-1), 422, "body.shots: ", id="shots < 0"),
        pytest.param(new_job(shots="many"), 422, "body.shots: ", id="shots type"),
        pytest.param(new_job(priority=1.5), 422, "body.priority: ", id="priority"),
        pytest.param(new_job(verbatim="no"), 422, "body.verbatim: ", id="verbatim"),
        pytest.param(new_job(dry_run=1), 422, "body.dry_run: ", id="dry_run"),
        pytest.param(new_job(tags="a"), 422, "body.tags: ", id="tags type"),
        pytest.param(new_job(tags=["a", 1]), 422, "body.tags[1]: ", id="a tag"),
        pytest.param(
            new_job(metadata=[]),
            422,
            "body.metadata: ",
            id="metadata",
        ),
        pytest.param(
            new_job(options_dict="x"),
            422,
            "body.options_dict: ",
            id="options_dict",
        ),
        pytest.param(
            new_job(circuits="[]"),
            422,
            "body.circuits: holds no circuits; send at least one",
            id="no circuits",
        ),
        pytest.param(
            new_job(options_dict={"emulator": []}),
            422,
            f"{OPTIONS}: ",
            id="emulator options",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"durations": [1.0, 2.0]}}),
            422,
            f"{OPTIONS}.durations: has 2 values for 1 circuits; give one number, or one per",
            id="durations count",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"durations": [-1.0]}}),
            422,
            f"{OPTIONS}.durations[0]: ",
            id="a negative duration",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"fail": {"5": "x"}}}),
            422,
            f"{OPTIONS}.fail: circuit index 5 is out of range 0..0",
            id="fail index",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"fail": {"a": "x"}}}),
            422,
            f"{OPTIONS}.fail (a key): ",
            id="fail key",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"num_qubits": 0}}),
            422,
            f"{OPTIONS}.num_qubits: ",
            id="num_qubits",
        ),
        pytest.param(
            new_job(options_dict={"emulator": {"typo": 1}}),
            422,
            f"{OPTIONS}: ",
            id="unknown option",
        ),
    ],
)
def test_a_bad_body_gets_a_plain_400_or_422_naming_the_place(
    emu: Emulator, body: bytes | None, status: int, sentence: str
) -> None:
    got, reply = post(emu, body)
    assert got == status
    assert detail(reply).startswith(sentence)
    assert emu.jobs_posted == 0
    assert emu.requests[-1].job_ids == ()


@pytest.mark.parametrize(
    ("job_type", "stages"),
    [
        ("compile", ["received", "awaiting_compile", "compiling", "completed"]),
        ("convert", ["received", "compiling", "completed"]),
    ],
)
def test_a_compile_job_stops_once_compiled(
    emu: Emulator, clock: FakeClock, job_type: str, stages: list[str]
) -> None:
    options = {"emulator": {"durations": 3.0}}
    job_id = created_id(
        emu, new_job(job_type=job_type, circuits='["a", "b"]', options_dict=options)
    )
    seen: list[list[object]] = []
    for _ in range(40):
        statuses = as_list(job_of(emu, job_id)["statuses"])
        if not seen or seen[-1] != statuses:
            seen.append(statuses)
        clock.advance(0.1)
    assert seen == [[stage, stage] for stage in stages]
    assert OPEN_STAGES_AFTER_COMPILING.isdisjoint(status for row in seen for status in row)
    job = job_of(emu, job_id)
    assert job["compiled_circuits"] == ["a", "b"]
    assert job["provider_id"] == [None, None]
