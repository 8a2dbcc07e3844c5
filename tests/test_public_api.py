"""The public names are part of the contract (SPEC.md): pin the three `__all__`s (sqcore,
sqcore.aio, transports), and the tables and fields behind them. Names beyond the SPEC's
(`ThreadedTransport`, the asyncio clocks) are pinned too, so that none comes or goes
unnoticed."""

from __future__ import annotations

import subprocess
import sys

import sqcore
import transports


def test_sqcore_exports_exactly_the_spec_names() -> None:
    assert set(sqcore.__all__) == {
        "Job",
        "Client",
        "JobData",
        "CircuitStatus",
        "JobType",
        "CircuitType",
        "Endian",
        "TERMINAL_CIRCUIT_STATES",
        "TERMINAL_COMPILE_STATES",
        "UNSUCCESSFUL_CIRCUIT_STATES",
        "SuperstaqException",
        "SuperstaqServerException",
        "SuperstaqUnsuccessfulJobException",
        "SuperstaqWarning",
        "wait_all",
        "as_completed",
        "Progress",
        "Backoff",
        "Change",
        "Clock",
    }
    for name in sqcore.__all__:
        assert getattr(sqcore, name) is not None


def test_transports_exports_exactly_the_spec_names() -> None:
    assert set(transports.__all__) == {
        "Transport",
        "Request",
        "Response",
        "TransportError",
        "Urllib3Transport",
        "FunctionTransport",
        "AsyncTransport",
        "ThreadedTransport",
    }
    for name in transports.__all__:
        assert getattr(transports, name) is not None


def test_sqcore_aio_exports_the_spec_names_and_its_clocks() -> None:
    import sqcore.aio

    assert set(sqcore.aio.__all__) == {
        "AsyncClient",
        "AsyncJob",
        "wait_all",
        "as_completed",
        "AsyncClock",
        "SystemAsyncClock",
    }
    for name in sqcore.aio.__all__:
        assert getattr(sqcore.aio, name) is not None


def test_the_status_values_sets_and_order_are_upstreams() -> None:
    from sqcore import (
        TERMINAL_CIRCUIT_STATES,
        TERMINAL_COMPILE_STATES,
        UNSUCCESSFUL_CIRCUIT_STATES,
        CircuitStatus,
    )

    assert [s.value for s in CircuitStatus] == [
        "received",
        "awaiting_compile",
        "awaiting_submission",
        "awaiting_simulation",
        "compiling",
        "running",
        "simulating",
        "pending",
        "failed",
        "unrecognized",
        "completed",
        "cancelled",
        "deleted",
    ]
    as_text: str = CircuitStatus.COMPLETED  # a str enum: it compares equal to its value
    assert as_text == "completed"
    assert {s.value for s in TERMINAL_CIRCUIT_STATES} == {
        "completed",
        "failed",
        "cancelled",
        "unrecognized",
        "deleted",
    }
    assert {s.value for s in UNSUCCESSFUL_CIRCUIT_STATES} == {"cancelled", "failed", "deleted"}
    assert {s.value for s in TERMINAL_COMPILE_STATES} == {
        "awaiting_simulation",
        "awaiting_submission",
        "running",
        "simulating",
        "pending",
        "completed",
        "failed",
        "cancelled",
        "unrecognized",
        "deleted",
    }
    upstream_order = (
        "received awaiting_compile awaiting_submission awaiting_simulation compiling "
        "simulating running pending failed cancelled unrecognized completed deleted"
    )
    assert (
        tuple(CircuitStatus(v) for v in upstream_order.split()) == sqcore.Job.STATUS_PRIORITY_ORDER
    )


def test_job_and_circuit_types_and_job_data_fields_are_upstreams() -> None:
    from sqcore import CircuitType, JobData, JobType

    assert [t.value for t in JobType] == ["submit", "simulate", "compile", "convert"]
    assert [t.value for t in CircuitType] == ["cirq", "qiskit", "qasm", "jaqal"]
    assert JobData.__struct_fields__ == (
        "job_type",
        "statuses",
        "status_messages",
        "user_email",
        "target",
        "provider_id",
        "num_circuits",
        "compiled_circuits",
        "input_circuits",
        "circuit_type",
        "counts",
        "results_dicts",
        "shots",
        "dry_run",
        "submission_timestamp",
        "last_updated_timestamp",
        "initial_logical_to_physicals",
        "final_logical_to_physicals",
        "logical_qubits",
        "physical_qubits",
        "tags",
        "metadata",
    )


def test_import_sqcore_does_not_import_urllib3() -> None:
    """A custom transport never pays for urllib3 (nor anything heavy)."""
    code = (
        "import sys, sqcore, transports; "
        "heavy = {'urllib3', 'ssl', 'http.client', 'asyncio'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_every_lazy_name_resolves_to_its_home() -> None:
    from sqcore import _client, _job
    from sqcore.core import errors, models, waiting

    homes = (_client, errors, _job, models, waiting)
    for name in sqcore.__all__:
        assert any(getattr(home, name, None) is getattr(sqcore, name) for home in homes), name
    assert set(sqcore.__all__) <= set(dir(sqcore))
    try:
        sqcore.NoSuchName  # noqa: B018
    except AttributeError as error:
        assert "NoSuchName" in str(error)
    else:
        raise AssertionError("expected AttributeError")
