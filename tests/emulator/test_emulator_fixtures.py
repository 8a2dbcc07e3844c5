"""Shape parity: the emulator's replies against upstream's own, as its models serialise them
(tests/replies): same fields in the same order, same JSON types, same values where the
emulator can know them."""

from __future__ import annotations

import msgspec
import pytest

from tests.emulator.support import CANCEL, as_dict, call, decode, fetch, new_job, post
from tests.fakes import FakeClock
from tests.fixtures import FIXTURES, JOB_65, JOB_66, JOB_67, JOB_68
from transports.emulator import Emulator

FIXTURE_METADATA = {"experiment": "bell", "round": 3}
FIXTURE_TAGS = ("sweep-7",)


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
    return decode((FIXTURES / name).read_bytes())


def make_completed_single(emu: Emulator) -> None:
    emu.create_job(
        job_id=JOB_65,
        durations=0.5,
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_failed_one_of_two(emu: Emulator) -> None:
    emu.create_job(
        num_circuits=2,
        job_id=JOB_67,
        durations=0.5,
        fail={1: "Circuit has 200 qubits; the target has 127."},
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_mixed_three(emu: Emulator) -> None:
    emu.create_job(
        num_circuits=3,
        target="ibmq_brisbane_qpu",
        job_id=JOB_66,
        durations=[1.1, 1.8, 0.5],
        tags=FIXTURE_TAGS,
        metadata=FIXTURE_METADATA,
    )


def make_pending_two(emu: Emulator) -> None:
    emu.create_job(
        num_circuits=2,
        target="ibmq_brisbane_qpu",
        job_id=JOB_68,
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
    assert {path.name for path in FIXTURES.glob("*.json")} == {*FETCH_CASES, *OTHER_CASES}


@pytest.mark.parametrize("name", sorted(FETCH_CASES))
def test_fetch_replies_match_upstream_shape(emu: Emulator, clock: FakeClock, name: str) -> None:
    expected = as_dict(load_fixture(name))
    for make in FETCH_CASES[name]:
        make(emu)
    clock.advance(1.0)
    actual = fetch(emu, *expected)
    assert list(actual) == list(expected)
    for job_id, job in expected.items():
        assert_same_job_shape(actual[job_id], job)


def test_cancel_reply_matches_upstream(emu: Emulator, clock: FakeClock) -> None:
    expected = load_fixture("cancel_reply.json")
    make_mixed_three(emu)
    clock.advance(1.0)
    body = msgspec.json.encode({"job_id": [JOB_66]})
    status, _, reply = call(emu, "PUT", CANCEL, body)
    assert status == 200
    assert reply == expected


def test_create_reply_matches_upstream_shape(emu: Emulator) -> None:
    expected = as_dict(load_fixture("create_reply.json"))
    status, reply = post(emu, new_job())
    assert status == 200
    assert list(as_dict(reply)) == list(expected)
    assert shape(reply) == shape(expected)
    assert as_dict(reply)["num_circuits"] == expected["num_circuits"]
