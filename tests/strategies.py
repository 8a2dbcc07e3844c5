"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import datetime
from typing import get_args

import msgspec
from hypothesis import strategies as st

from sqcore.core.errors import (
    ApiFailure,
    BadBody,
    MissingJob,
    NetworkFault,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore.core.models import TERMINAL_CIRCUIT_STATES, CircuitStatus, CircuitType, JobData, JobType
from sqcore.core.waiting import Backoff
from transports._types import TransportErrorKind

statuses = st.sampled_from(list(CircuitStatus))
open_statuses = st.sampled_from(sorted(set(CircuitStatus) - TERMINAL_CIRCUIT_STATES))
terminal_statuses = st.sampled_from(sorted(TERMINAL_CIRCUIT_STATES))
status_lists = st.lists(statuses, min_size=1, max_size=20)
seconds = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
instants = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
#: The random draw of the retry jitter.
draws = st.floats(min_value=0, max_value=1, exclude_max=True)

#: A Backoff with any valid bounds.
backoffs = st.builds(
    lambda initial, factor, spread: Backoff(initial, factor, initial * spread),
    st.floats(0.01, 100),
    st.floats(1, 10),
    st.floats(1, 1000),
)
#: What `polling_seconds` takes: fixed seconds or a Backoff.
pollings = st.floats(0, 60) | backoffs

#: Any JSON document.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)

# -- failures, as the core passes them around ----------------------------------------------

transport_kinds: st.SearchStrategy[TransportErrorKind] = st.sampled_from(
    get_args(TransportErrorKind)
)
network_faults = st.builds(NetworkFault, transport_kinds, st.text(max_size=5))
replies_to_retry = st.builds(
    Retryable, st.text(max_size=5), st.none() | st.floats(0, 1e5, allow_nan=False)
)
#: Every failure value, of every kind.
failures: st.SearchStrategy[ApiFailure] = st.one_of(
    st.builds(Unauthorized, st.text(max_size=5)),
    replies_to_retry,
    network_faults,
    st.builds(ServerError, st.integers(300, 599), st.text(max_size=5), st.booleans()),
    st.builds(BadBody, st.text(max_size=5), st.text(max_size=5), st.none() | st.text(max_size=5)),
    st.builds(MissingJob, st.text(max_size=5)),
)

# -- job data ------------------------------------------------------------------------------

_text = st.text(max_size=20)
_maybe_text = st.none() | _text
_timestamps = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.just(datetime.timezone.utc),
)
_qubit_maps = st.none() | st.dictionaries(st.integers(0, 200), st.integers(0, 200), max_size=4)
_counts = st.none() | st.dictionaries(
    st.text("01", min_size=1, max_size=5),
    st.integers(0, 10**6) | st.floats(0, 1, allow_nan=False),
    max_size=4,
)
_json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text


@st.composite
def job_data(draw: st.DrawFn) -> JobData:
    """An arbitrary, well-formed JobData with n circuits."""
    n = draw(st.integers(1, 5))
    return JobData(
        job_type=draw(st.sampled_from(list(JobType))),
        statuses=draw(st.lists(statuses, min_size=n, max_size=n)),
        status_messages=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        user_email=draw(st.emails()),
        target=draw(st.sampled_from(["ss_unconstrained_simulator", "ibmq_brisbane_qpu"])),
        provider_id=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        num_circuits=n,
        compiled_circuits=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        input_circuits=draw(st.lists(_text, min_size=n, max_size=n)),
        circuit_type=draw(st.sampled_from(list(CircuitType))),
        counts=draw(st.lists(_counts, min_size=n, max_size=n)),
        results_dicts=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        shots=draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n)),
        dry_run=draw(st.booleans()),
        submission_timestamp=draw(_timestamps),
        last_updated_timestamp=draw(st.lists(st.none() | _timestamps, min_size=n, max_size=n)),
        initial_logical_to_physicals=draw(st.lists(_qubit_maps, min_size=n, max_size=n)),
        final_logical_to_physicals=draw(st.lists(_qubit_maps, min_size=n, max_size=n)),
        logical_qubits=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        physical_qubits=draw(st.lists(_maybe_text, min_size=n, max_size=n)),
        tags=draw(st.lists(_text, max_size=3)),
        metadata=draw(st.dictionaries(_text, _json_scalars, max_size=3)),
    )


# -- jobs the emulator makes ---------------------------------------------------------------


class EmulatedJob(msgspec.Struct, frozen=True):
    """The arguments of one `Emulator.create_job` call."""

    num_circuits: int
    target: str
    shots: int
    durations: tuple[float, ...]
    fail: dict[int, str]
    tags: tuple[str, ...]
    metadata: dict[str, object]
    job_type: str | None
    num_qubits: int
    circuit_type: str
    dry_run: bool
    warn: str | None


@st.composite
def emulated_jobs(draw: st.DrawFn) -> EmulatedJob:
    """Any job the emulator can make: every job and circuit type, durations, failures,
    tags, metadata and a warning."""
    n = draw(st.integers(1, 4))
    return EmulatedJob(
        num_circuits=n,
        target=draw(st.sampled_from(["ss_unconstrained_simulator", "ibmq_brisbane_qpu", "t"])),
        shots=draw(st.integers(0, 10**5)),
        durations=tuple(draw(st.lists(st.floats(0, 50), min_size=n, max_size=n))),
        fail=draw(st.dictionaries(st.integers(0, n - 1), st.text(max_size=12), max_size=n)),
        tags=tuple(draw(st.lists(st.text(max_size=8), max_size=3))),
        metadata=draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
        job_type=draw(st.none() | st.sampled_from(["submit", "simulate", "compile", "convert"])),
        num_qubits=draw(st.integers(1, 9)),
        circuit_type=draw(st.sampled_from(["cirq", "qiskit", "qasm"])),
        dry_run=draw(st.booleans()),
        warn=draw(st.none() | st.text(max_size=12)),
    )
