"""`sqcore.core.models`: the enums read and print as their wire values, a status this client does
not know is UNRECOGNIZED (an unknown job or circuit type a stand-in keeping its string),
the state sets are built as upstream's, and `JobData` keeps
upstream's defaults. (The tables themselves are pinned by tests/test_public_api.py.)"""

from __future__ import annotations

import pickle

import msgspec
import pytest

from sqcore.core.models import (
    TERMINAL_CIRCUIT_STATES,
    TERMINAL_COMPILE_STATES,
    CircuitStatus,
    CircuitType,
    Endian,
    JobData,
    JobType,
    is_known,
)
from sqcore.core.wire import split_path
from tests.fixtures import job_65

S = CircuitStatus


def _job_data(entry: object) -> JobData:
    return msgspec.json.decode(msgspec.json.encode(entry), type=JobData)


def test_enums_print_as_their_wire_values() -> None:
    assert str(S.AWAITING_COMPILE) == "awaiting_compile"
    assert str(JobType.SIMULATE) == "simulate"
    assert str(CircuitType.QASM) == "qasm"
    assert f"{S.RUNNING}" == "running"


@pytest.mark.parametrize("name", ["teleporting", "RUNNING", "", "completed "])
def test_a_status_this_client_does_not_know_is_unrecognized(name: str) -> None:
    assert CircuitStatus(name) is S.UNRECOGNIZED


def test_a_known_status_is_itself() -> None:
    assert [CircuitStatus(status.value) for status in CircuitStatus] == list(CircuitStatus)


def test_the_compiled_states_are_the_terminal_ones_and_those_past_compiling() -> None:
    past_compiling = {
        S.AWAITING_SIMULATION,
        S.AWAITING_SUBMISSION,
        S.RUNNING,
        S.SIMULATING,
        S.PENDING,
    }
    assert TERMINAL_CIRCUIT_STATES | past_compiling == TERMINAL_COMPILE_STATES
    assert set(CircuitStatus) - TERMINAL_COMPILE_STATES == {
        S.RECEIVED,
        S.AWAITING_COMPILE,
        S.COMPILING,
    }


def test_job_data_defaults_tags_and_metadata_fresh_for_each_job() -> None:
    entry = job_65()
    del entry["tags"], entry["metadata"]
    first, second = (_job_data(entry) for _ in range(2))
    assert (first.tags, first.metadata) == ([], {})
    first.tags.append("x")
    first.metadata["k"] = 1
    assert (second.tags, second.metadata) == ([], {})


def test_a_job_without_circuits_is_valid_job_data() -> None:
    assert _job_data(job_65(statuses=[])).statuses == []


@pytest.mark.parametrize("kind", [JobType, CircuitType])
def test_an_unknown_job_or_circuit_type_is_a_stand_in_that_keeps_the_string(
    kind: type[JobType] | type[CircuitType],
) -> None:
    stand_in = kind("teleport")
    assert stand_in == "teleport" and str(stand_in) == "teleport"
    assert isinstance(stand_in, kind) and not is_known(stand_in)
    assert stand_in.name == "UNRECOGNIZED"
    assert "teleport" not in [member.value for member in kind]
    assert all(is_known(member) for member in kind)
    assert msgspec.json.encode(stand_in) == b'"teleport"'
    assert pickle.loads(pickle.dumps(stand_in)) == "teleport"


def test_a_value_that_is_not_a_string_is_still_refused() -> None:
    with pytest.raises(ValueError):
        JobType(7)
    entry = job_65(circuit_type=7)
    with pytest.raises(msgspec.ValidationError) as caught:
        _job_data(entry)
    assert split_path(caught.value)[1] == "$.circuit_type"


def test_endian_has_upstreams_two_values() -> None:
    assert [e.value for e in Endian] == ["big", "little"]
    assert str(Endian.LITTLE) == "little"
