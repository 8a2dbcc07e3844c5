"""The SDKs, imported once per session: skipped when absent, unless `SQCORE_REQUIRE_SDK=1`
(as CI sets it), where an SDK that is missing fails the run instead."""

from __future__ import annotations

import enum
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType

import pytest

from sqcore import Job
from transports.emulator import Emulator

__all__ = [
    "COMMON_READS",
    "SCENARIOS",
    "Call",
    "MakePair",
    "Pair",
    "SdkJob",
    "calls",
    "comparable",
    "outcome",
    "same",
    "scenario",
    "sdk",
]

#: One call of a job's method: its name, positional and keyword arguments.
Call = tuple[str, tuple[object, ...], Mapping[str, object]]

#: One emulated job as both classes read it: (the SDK's class on sqcore, the unmodified
#: class on upstream's client).
Pair = tuple[Job, object]

#: Makes a job of the given circuits on the emulator (`Emulator.create_job`'s keywords
#: script it) and returns its Pair.
MakePair = Callable[..., Pair]


@dataclass(frozen=True)
class SdkJob:
    """An SDK's job class twice (compiled onto sqcore, and as installed), how the SDK
    serializes a circuit, the circuit type its jobs carry, its sample circuits ("bell",
    "unmeasured", "one_bit", ...), what to ask of any job (`reads`) and how to read its
    counts (`counts_reads`)."""

    ours: type[Job]
    theirs: Callable[..., object]
    serialize: Callable[[object], str]
    circuit_type: str
    circuits: Mapping[str, object]
    reads: Sequence[Call]
    counts_reads: Sequence[Call]


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


def same(pair: Pair, table: Sequence[Call]) -> None:
    """Both jobs of `pair` give the same outcome for every call of `table`, in turn."""
    ours, theirs = pair
    for call in table:
        assert outcome(ours, call) == outcome(theirs, call), call


#: What both SDKs' job classes answer, asked of each (with each index of a two-circuit job).
COMMON_READS: list[Call] = [
    *calls(
        "status",
        "compiled_circuits",
        "input_circuits",
        "initial_logical_to_physical",
        "final_logical_to_physical",
        "jaqal_program",
        "to_dict",
        "job_id",
        "target",
        "__str__",
        status=[0, 1],
        compiled_circuits=[0, 1],
        input_circuits=[0, 1],
        initial_logical_to_physical=[0, 1],
        final_logical_to_physical=[0, 1],
        _terminal_measurement_qubit_indices=[0, 1],
        _check_if_unsuccessful=[0, 1],
    ),
]


#: Jobs of two circuits in states both SDKs must read as upstream does (each script is
#: `Emulator.create_job`'s keywords; "cancel" cancels the job once made).
SCENARIOS: dict[str, dict[str, object]] = {
    "a failed circuit": {"durations": 0, "fail": {1: "too many qubits"}},
    "a cancelled job": {"durations": [0, 60], "job_type": "submit", "cancel": True},
    "a compile job, without counts": {"durations": 0, "job_type": "compile"},
    "a failed compilation": {"durations": 0, "job_type": "compile", "fail": {0: "no", 1: "no"}},
    "a compilation failed in part": {"durations": 0, "job_type": "compile", "fail": {1: "no"}},
}


def scenario(make: Callable[..., Pair], emulator: Emulator, name: str) -> Pair:
    """The job of scenario `name`, made by `make(**script)`."""
    script = dict(SCENARIOS[name])
    cancel = script.pop("cancel", False)
    made = make(**script)
    if cancel:
        emulator.cancel(str(made[0].job_id()))
    return made
