"""sqcore: a typed, fast, dependable client for jobs on the Superstaq API.

The public names are exactly those in `__all__` (pinned by tests/test_public_api.py); every
`_private` module may change without notice. Each name is imported on first use (PEP 562),
so `import sqcore` itself costs almost nothing and a program pays only for what it uses.
`__version__` too is read on first use, from the installed package's metadata.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqcore._client import Client, Clock
    from sqcore._job import Job, as_completed, wait_all
    from sqcore.core.errors import (
        SuperstaqException,
        SuperstaqServerException,
        SuperstaqUnsuccessfulJobException,
        SuperstaqWarning,
    )
    from sqcore.core.models import (
        TERMINAL_CIRCUIT_STATES,
        TERMINAL_COMPILE_STATES,
        UNSUCCESSFUL_CIRCUIT_STATES,
        CircuitStatus,
        CircuitType,
        Endian,
        JobData,
        JobType,
    )
    from sqcore.core.waiting import Backoff, Change, Progress

    __version__: str

__all__ = [
    "TERMINAL_CIRCUIT_STATES",
    "TERMINAL_COMPILE_STATES",
    "UNSUCCESSFUL_CIRCUIT_STATES",
    "Backoff",
    "Change",
    "CircuitStatus",
    "CircuitType",
    "Client",
    "Clock",
    "Endian",
    "Job",
    "JobData",
    "JobType",
    "Progress",
    "SuperstaqException",
    "SuperstaqServerException",
    "SuperstaqUnsuccessfulJobException",
    "SuperstaqWarning",
    "as_completed",
    "wait_all",
]

_HOME: dict[str, str] = {
    "Client": "sqcore._client",
    "Clock": "sqcore._client",
    "SuperstaqException": "sqcore.core.errors",
    "SuperstaqServerException": "sqcore.core.errors",
    "SuperstaqUnsuccessfulJobException": "sqcore.core.errors",
    "SuperstaqWarning": "sqcore.core.errors",
    "Job": "sqcore._job",
    "as_completed": "sqcore._job",
    "wait_all": "sqcore._job",
    "Backoff": "sqcore.core.waiting",
    "Change": "sqcore.core.waiting",
    "Progress": "sqcore.core.waiting",
    "TERMINAL_CIRCUIT_STATES": "sqcore.core.models",
    "TERMINAL_COMPILE_STATES": "sqcore.core.models",
    "UNSUCCESSFUL_CIRCUIT_STATES": "sqcore.core.models",
    "CircuitStatus": "sqcore.core.models",
    "CircuitType": "sqcore.core.models",
    "Endian": "sqcore.core.models",
    "JobData": "sqcore.core.models",
    "JobType": "sqcore.core.models",
}


def __getattr__(name: str) -> object:
    if name == "__version__":
        value: object = _installed_version()
    else:
        module = _HOME.get(name)
        if module is None:
            raise AttributeError(f"module 'sqcore' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})


def _installed_version() -> str:
    """The version pyproject.toml gave the installed package (importlib.metadata costs some
    30 ms to import, so only a reader of `__version__` pays for it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqcore")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
