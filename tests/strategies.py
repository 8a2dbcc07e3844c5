"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from sqcore._models import CircuitStatus, CircuitType, JobData, JobType

statuses = st.sampled_from(list(CircuitStatus))
status_lists = st.lists(statuses, min_size=1, max_size=20)
seconds = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
instants = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)

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

    def per_circuit(strategy: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(strategy, min_size=n, max_size=n))

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
