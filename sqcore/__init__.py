"""sqcore: a typed, fast, dependable client for jobs on the Superstaq API.

The public names are exactly these (pinned by tests/test_public_api.py); everything in a
`_private` module may change without notice.
"""

from sqcore._client import Client
from sqcore._errors import (
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqUnsuccessfulJobException,
    SuperstaqWarning,
)
from sqcore._job import Job, Progress, wait_all
from sqcore._models import (
    TERMINAL_CIRCUIT_STATES,
    UNSUCCESSFUL_CIRCUIT_STATES,
    CircuitStatus,
    CircuitType,
    JobData,
    JobType,
)

__version__ = "0.1.0"

__all__ = [
    "TERMINAL_CIRCUIT_STATES",
    "UNSUCCESSFUL_CIRCUIT_STATES",
    "CircuitStatus",
    "CircuitType",
    "Client",
    "Job",
    "JobData",
    "JobType",
    "Progress",
    "SuperstaqException",
    "SuperstaqServerException",
    "SuperstaqUnsuccessfulJobException",
    "SuperstaqWarning",
    "wait_all",
]
