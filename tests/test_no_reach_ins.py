"""No module of sqcore reaches into another object's private members: only `self`, `cls` and
`super()` may be followed by `._name` (dunders aside, and Enum's documented hooks `_name_`,
`_value_` and `_missing_`). An object talks to another through its public members, so that
nothing depends on how another object keeps its state."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "sqcore").rglob("*.py"))

#: Enum's own hooks, documented for use on members (sunder names).
ENUM_HOOKS = frozenset({"_name_", "_value_", "_missing_"})


def reach_ins(source: str) -> list[str]:
    """Each `x._name` in `source` whose `x` is not `self`, `cls` or `super()`, as
    "line: expression"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
            continue
        if (node.attr.startswith("__") and node.attr.endswith("__")) or node.attr in ENUM_HOOKS:
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if (
            isinstance(owner, ast.Call)
            and isinstance(owner.func, ast.Name)
            and owner.func.id == "super"
        ):
            continue
        found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", MODULES)
def test_no_module_reaches_into_another_objects_private_members(path: str) -> None:
    assert reach_ins((ROOT / path).read_text(encoding="utf-8")) == []


def test_a_reach_in_is_found_and_what_may_follow_self_cls_and_super_is_not() -> None:
    source = """
class A(B):
    def f(self, other):
        self._x = other._y
        cls._z, super()._w, other.__dict__, member._name_
        return self._client._session, sys._getframe()
"""
    assert reach_ins(source) == [
        "4: other._y",
        "6: self._client._session",
        "6: sys._getframe",
    ]
