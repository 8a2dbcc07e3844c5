"""Properties of the emulator's pure body decoding (`transports.emulator._bodies`): never an
exception, 400 exactly for what is not JSON, and every refusal names its place first."""

from __future__ import annotations

import typing
import uuid

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from transports.emulator._bodies import (
    NewJob,
    _located,
    decode_cancel,
    decode_new_job,
    read_job_ids,
    split_circuits,
)
from transports.emulator._state import CIRCUIT_TYPES, JOB_TYPES

VALID = {
    "job_type": "simulate",
    "target": "ss_unconstrained_simulator",
    "circuits": '["a", "b"]',
    "circuit_type": "cirq",
    "shots": 10,
    "tags": ["t"],
    "metadata": {"m": 1},
    "options_dict": {"emulator": {"durations": [1, 2], "fail": {"1": "x"}, "num_qubits": 3}},
}
json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
#: A JSON value, and the JSON types it is not (for replacing a field with a wrong type).
wrong_values = st.sampled_from(
    [None, True, -3, 2.5, "text", [1], {"k": "v"}],
)


def is_json(body: bytes) -> bool:
    try:
        msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return False
    return True


def test_the_schema_literals_are_the_schedules_types() -> None:
    hints = typing.get_type_hints(NewJob, include_extras=True)
    assert typing.get_args(hints["job_type"]) == JOB_TYPES
    assert typing.get_args(hints["circuit_type"]) == CIRCUIT_TYPES


def test_a_valid_body_decodes_to_its_circuits_and_options() -> None:
    result = decode_new_job(msgspec.json.encode(VALID))
    assert is_successful(result)
    submission = result.unwrap()
    assert [c.input_circuit for c in submission.circuits] == ["a", "b"]
    assert [c.duration_seconds for c in submission.circuits] == [1.0, 2.0]
    assert [c.failure for c in submission.circuits] == [None, "x"]
    assert [c.shots for c in submission.circuits] == [10, 10]
    assert submission.num_qubits == 3


@settings(max_examples=300)
@given(body=st.none() | st.binary(max_size=120))
def test_any_bytes_give_a_value_or_a_refusal_that_names_the_body(body: bytes | None) -> None:
    for result in (decode_new_job(body), decode_cancel(body)):
        if is_successful(result):
            assert body is not None and is_json(body)
            continue
        refusal = result.failure()
        assert refusal.sentence.startswith("body")
        assert refusal.status == (422 if body and is_json(body) else 400)


@given(place=st.sampled_from(["metadata", "options_dict"]))
def test_a_kept_value_that_is_not_utf8_makes_the_body_not_json(place: str) -> None:
    body = msgspec.json.encode({**VALID, place: {"k": "@"}}).replace(b"@", b"\xff")
    refusal = decode_new_job(body).failure()
    assert refusal.status == 400
    assert refusal.sentence.startswith("body: not valid JSON (")


@settings(max_examples=200)
@given(document=json_documents)
def test_json_that_does_not_fit_is_a_422_never_a_400(document: object) -> None:
    result = decode_new_job(msgspec.json.encode(document))
    assert not is_successful(result)
    assert result.failure().status == 422
    assert result.failure().sentence.startswith("body")


@settings(max_examples=200)
@given(field=st.sampled_from(sorted(VALID)), value=wrong_values)
def test_a_field_of_the_wrong_type_is_refused_at_its_place(field: str, value: object) -> None:
    original = VALID[field]
    if type(value) is type(original):
        return  # the same JSON type: not a wrong one
    result = decode_new_job(msgspec.json.encode({**VALID, field: value}))
    assert not is_successful(result)
    refusal = result.failure()
    assert refusal.status == 422
    assert refusal.sentence.startswith(f"body.{field}")


@given(field=st.sampled_from(["job_type", "target", "circuits", "circuit_type"]))
def test_a_missing_required_field_is_named(field: str) -> None:
    body = {name: value for name, value in VALID.items() if name != field}
    refusal = decode_new_job(msgspec.json.encode(body)).failure()
    assert refusal.sentence.startswith("body: ") and field in refusal.sentence


uuid_spellings = st.uuids().flatmap(
    lambda value: st.sampled_from([str(value), str(value).upper(), value.hex])
)


@given(
    before=st.lists(uuid_spellings, max_size=4),
    bad=st.text(max_size=12).filter(lambda text: len(text.replace("-", "")) != 32),
    after=st.lists(uuid_spellings | st.text(max_size=5), max_size=3),
    place=st.sampled_from(["query job_id", "body.job_id"]),
)
def test_the_first_id_that_is_not_a_uuid_is_named_by_its_index(
    before: list[str], bad: str, after: list[str], place: str
) -> None:
    assert read_job_ids(place, before).unwrap() == tuple(str(uuid.UUID(v)) for v in before)
    refusal = read_job_ids(place, [*before, bad, *after]).failure()
    assert refusal.status == 422
    assert refusal.sentence == f"{place}[{len(before)}]: {bad!r} is not a valid UUID"


@given(circuits=st.lists(st.text(max_size=10), max_size=5))
def test_a_json_array_of_strings_splits_into_those_strings(circuits: list[str]) -> None:
    assert split_circuits(msgspec.json.encode(circuits).decode()) == tuple(circuits)


@given(text=st.text(max_size=30).filter(lambda text: not text.lstrip().startswith("[")))
def test_anything_but_a_json_array_is_one_circuit(text: str) -> None:
    assert split_circuits(text) == (text,)


def test_a_validation_message_of_an_unknown_form_is_placed_at_the_root() -> None:
    # msgspec's wording is read for the place it names; a wording this code does not know
    # still gives one sentence that begins with the place.
    error = msgspec.ValidationError("a wording some later msgspec might use")
    assert _located("body", error) == "body: a wording some later msgspec might use"


# -- bodies nested past the decoder's recursion limit -----------------------------------------

DEEP = 100_000
NESTED = b'{"a": ' * DEEP + b"null" + b"}" * DEEP
TOO_DEEP = "body: nests arrays or objects too deeply to be read"


@pytest.mark.parametrize("place", ["metadata", "options_dict", "unknown field", "the body"])
def test_a_body_nested_too_deeply_is_a_400_not_a_recursion_error(place: str) -> None:
    body = NESTED
    if place != "the body":
        field = place.replace(" ", "_")
        body = msgspec.json.encode({**VALID, field: {"k": "@"}}).replace(b'"@"', NESTED)

    for result in (decode_new_job(body), decode_cancel(body)):
        refusal = result.failure()
        assert (refusal.status, refusal.sentence) == (400, TOO_DEEP)


def test_a_schema_error_before_a_part_nested_too_deeply_is_still_a_422() -> None:
    body = b'{"job_type": 5, "x": ' + NESTED + b"}"

    refusal = decode_new_job(body).failure()

    assert refusal.status == 422 and refusal.sentence.startswith("body.job_type")


def test_circuits_nested_too_deeply_are_one_circuit() -> None:
    circuits = "[" * DEEP + "]" * DEEP

    assert split_circuits(circuits) == (circuits,)
