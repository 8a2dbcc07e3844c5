"""The SDKs, imported once per session: skipped when absent, unless `SQCORE_REQUIRE_SDK=1`
(as CI sets it), where an SDK that is missing fails the run instead."""

from __future__ import annotations

import enum
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType

import pytest

__all__ = ["Call", "calls", "comparable", "outcome", "sdk"]

#: One call of a job's method: its name, positional and keyword arguments.
Call = tuple[str, tuple[object, ...], Mapping[str, object]]


def sdk(name: str) -> ModuleType:
    """The module `name`; a skip of the calling test module when it is not installed,
    unless the environment requires the SDKs (then an ImportError fails collection)."""
    if os.environ.get("SQCORE_REQUIRE_SDK") == "1":
        return importlib.import_module(name)
    module = pytest.importorskip(name)
    assert isinstance(module, ModuleType)
    return module


def comparable(value: object) -> object:
    """`value` as data both sides can be compared by: enum members as (class name, value)
    (sqcore's `CircuitStatus` against upstream's), containers recursively, objects with a
    `to_dict` (a qiskit `Result`) by it; anything else (circuits, qubits) as it is."""
    if isinstance(value, enum.Enum):
        return type(value).__name__, value.value
    if isinstance(value, (list, tuple)):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {comparable(key): comparable(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, type):
        return comparable(to_dict())
    return value


def outcome(job: object, call: Call) -> tuple[str, object]:
    """What `job.<name>(*args, **kwargs)` gave: ("value", comparable value), or the
    exception's type name and message (types differ by module: upstream's exceptions and
    sqcore's have the same names and words)."""
    name, args, kwargs = call
    method: Callable[..., object] = getattr(job, name)
    try:
        return "value", comparable(method(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every exception is an outcome to compare
        return type(error).__name__, str(error)


def calls(*names: str, **indexed: Sequence[object]) -> list[Call]:
    """Each of `names` called without arguments, and with each index of `indexed[name]`."""
    table: list[Call] = [(name, (), {}) for name in names]
    for name, indices in indexed.items():
        table.extend((name, (index,), {}) for index in indices)
    return table
