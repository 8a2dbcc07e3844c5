"""`sqcore._models`: the enums read and print as their wire values, a status this client does
not know is UNRECOGNIZED, the state sets are built as upstream's, and `JobData` keeps
upstream's defaults. (The tables themselves are pinned by tests/test_public_api.py.)"""

from __future__ import annotations

import msgspec
import pytest

from sqcore._models import (
    TERMINAL_CIRCUIT_STATES,
    TERMINAL_COMPILE_STATES,
    CircuitStatus,
    CircuitType,
    JobData,
    JobType,
)
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


def test_job_data_needs_at_least_one_status() -> None:
    entry = job_65(statuses=[])
    with pytest.raises(msgspec.ValidationError):
        _job_data(entry)
