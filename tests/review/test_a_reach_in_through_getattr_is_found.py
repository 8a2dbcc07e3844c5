"""Review: the no-reach-ins check finds a private member named in a string.

tests/test_no_reach_ins.py walks `x._name` attribute nodes only: `getattr(other, "_state")`
(and `setattr`, `hasattr`, `delattr`) reads or writes another object's private member
without one, and passes the check. tests/test_urllib3_surface.py catches exactly this for
the transports; the sqcore check should too."""

from __future__ import annotations

import pytest

from tests.test_no_reach_ins import reach_ins


@pytest.mark.xfail(
    strict=True,
    reason="review: test_no_reach_ins.reach_ins misses getattr/setattr with a private name",
)
def test_a_private_member_named_in_getattr_or_setattr_is_a_reach_in() -> None:
    source = """
def f(handle, other):
    state = getattr(handle, "_state")
    setattr(other, "_state", state)
"""
    assert [found.split(":")[0] for found in reach_ins(source)] == ["3", "4"]
