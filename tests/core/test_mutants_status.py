"""Status decisions at their boundaries: kills mutants the properties in test_status.py let live
(derandomized hypothesis runs do not always reach index 0 or a one-circuit job)."""

from __future__ import annotations

import pytest

from sqcore._models import CircuitStatus
from sqcore._status import failure_summary, index_error, unsuccessful_circuits

S = CircuitStatus


@pytest.mark.parametrize(("index", "n"), [(0, 1), (0, 2), (1, 2), (4, 5)])
def test_every_index_in_range_is_valid(index: int, n: int) -> None:
    assert index_error(index, n) is None


def test_index_error_texts() -> None:
    assert index_error(0, 0) == "circuit index 0 is out of range: the job has no circuits"
    assert index_error(1, 1) == (
        "circuit index 1 is out of range: the job has 1 circuit (valid indices 0 to 0)"
    )
    assert index_error(-1, 2) == (
        "circuit index -1 is out of range: the job has 2 circuits (valid indices 0 to 1)"
    )
    assert index_error(3, 3) == (
        "circuit index 3 is out of range: the job has 3 circuits (valid indices 0 to 2)"
    )


def test_a_failed_circuit_without_a_message_entry_is_unknown() -> None:
    """Fewer messages than circuits (a server bug) still gives a summary, never an IndexError."""
    assert failure_summary([S.FAILED, S.FAILED], []) == (
        "Failure: [Circuit 0 - Unknown, Circuit 1 - Unknown]"
    )
    assert failure_summary([S.COMPLETED, S.FAILED], ["fine"]) == "Failure: [Circuit 1 - Unknown]"
    assert failure_summary([S.FAILED, S.FAILED], ["boom"], 1) == "Failure: [Circuit 1 - Unknown]"


def test_an_empty_message_is_kept_not_replaced() -> None:
    assert failure_summary([S.FAILED], [""]) == "Failure: [Circuit 0 - ]"


def test_unsuccessful_circuits_of_one_index() -> None:
    statuses = [S.CANCELLED, S.COMPLETED, S.DELETED, S.FAILED]
    assert unsuccessful_circuits(statuses) == (0, 2, 3)
    assert unsuccessful_circuits(statuses, 0) == (0,)
    assert unsuccessful_circuits(statuses, 1) == ()
