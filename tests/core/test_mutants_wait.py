"""The wait module at its boundaries: exact URL-length fits for id batches, and assert_never."""

from __future__ import annotations

import pytest

from sqcore._wait import assert_never, batch_ids
from tests.fakes import untyped

# Each id costs one separator, "job_id=" and the id itself.
ID = "0123456789"
COST = 1 + len("job_id=") + len(ID)


def test_a_batch_may_fill_the_limit_exactly() -> None:
    assert batch_ids([ID, ID], 100, 100 + 2 * COST) == ((ID, ID),)


def test_one_character_less_splits_the_batch() -> None:
    assert batch_ids([ID, ID], 100, 100 + 2 * COST - 1) == ((ID,), (ID,))


def test_batches_are_as_full_as_the_limit_allows() -> None:
    ids = [f"{i:010d}" for i in range(7)]
    batches = batch_ids(ids, 50, 50 + 3 * COST)
    assert batches == (tuple(ids[0:3]), tuple(ids[3:6]), tuple(ids[6:7]))


def test_an_id_too_long_for_any_batch_gets_its_own() -> None:
    long_id = "x" * 500
    assert batch_ids([ID, long_id, ID], 0, 100) == ((ID,), (long_id,), (ID,))


def test_no_ids_no_batches() -> None:
    assert batch_ids([], 10, 20) == ()


def test_assert_never_names_the_value() -> None:
    with pytest.raises(AssertionError, match=r"^unhandled case: 'surprise'$"):
        untyped(assert_never)("surprise")
