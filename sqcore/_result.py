"""Pure: one typed query on `returns` Results, without importing `returns.pipeline`.

`returns.pipeline.is_successful` pulls in the IO container interfaces (about 10 ms of
import time); sqcore only ever asks the one question of a plain `Result`.
"""

from __future__ import annotations

from typing import TypeVar

from returns.result import Result, Success

__all__ = ["is_successful"]

_V = TypeVar("_V")
_E = TypeVar("_E")


def is_successful(result: Result[_V, _E]) -> bool:
    """True when `result` is a `Success` (then `.unwrap()` is safe), False for a `Failure`.

    Returns a plain bool, so mypy keeps the Result's own types for the `.unwrap()` or
    `.failure()` that follows (matching on `Success(...)` would give `Any`).
    """
    return isinstance(result, Success)
