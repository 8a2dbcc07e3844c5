"""No module of sqcore reaches into another object's private members: only `self`, `cls` and
`super()` may be followed by `._name`, or given to `getattr` and its kin with one (dunders
aside, and Enum's documented hooks `_name_`, `_value_` and `_missing_`). An object talks to
another through its public members, so that nothing depends on how another object keeps its
state."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "sqcore").rglob("*.py"))

#: Enum's own hooks, documented for use on members (sunder names).
ENUM_HOOKS = frozenset({"_name_", "_value_", "_missing_"})


#: The builtins that name an attribute in a string: `getattr(other, "_state")` is a reach-in.
BY_NAME = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in ENUM_HOOKS


def _own(owner: ast.expr) -> bool:
    """Whether `owner` is `self`, `cls` or `super()`: an object's own members."""
    if isinstance(owner, ast.Name):
        return owner.id in ("self", "cls")
    return (
        isinstance(owner, ast.Call)
        and isinstance(owner.func, ast.Name)
        and owner.func.id == "super"
    )


def reach_ins(source: str) -> list[str]:
    """Each `x._name` in `source` whose `x` is not `self`, `cls` or `super()`, and each
    `getattr(x, "_name")` (or `setattr`, `hasattr`, `delattr`) of such an `x`, as
    "line: expression"."""
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and _private(node.attr) and not _own(node.value)) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BY_NAME
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and not _own(node.args[0])
        ):
            found.append((node.lineno, node.col_offset, ast.unparse(node)))
    return [f"{line}: {text}" for line, _, text in sorted(found)]


@pytest.mark.parametrize("path", MODULES)
def test_no_module_reaches_into_another_objects_private_members(path: str) -> None:
    assert reach_ins((ROOT / path).read_text(encoding="utf-8")) == []


def test_a_reach_in_is_found_and_what_may_follow_self_cls_and_super_is_not() -> None:
    source = """
class A(B):
    def f(self, other):
        self._x = other._y
        cls._z, super()._w, other.__dict__, member._name_
        return self._client._session, sys._getframe(), getattr(self, "_own")
    getattr(other, "_state"), setattr(other, "_x", 1), getattr(other, "name", None)
"""
    assert reach_ins(source) == [
        "4: other._y",
        "6: self._client._session",
        "6: sys._getframe",
        "7: getattr(other, '_state')",
        "7: setattr(other, '_x', 1)",
    ]
