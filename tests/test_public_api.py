"""The public names are part of the contract (SPEC.md): pin both `__all__`s."""

from __future__ import annotations

import subprocess
import sys

import sqcore
import transports


def test_sqcore_all_is_the_spec() -> None:
    assert set(sqcore.__all__) == {
        "Job",
        "Client",
        "JobData",
        "CircuitStatus",
        "JobType",
        "CircuitType",
        "TERMINAL_CIRCUIT_STATES",
        "UNSUCCESSFUL_CIRCUIT_STATES",
        "SuperstaqException",
        "SuperstaqServerException",
        "SuperstaqUnsuccessfulJobException",
        "SuperstaqWarning",
        "wait_all",
        "Progress",
    }
    for name in sqcore.__all__:
        assert getattr(sqcore, name) is not None


def test_transports_all_is_the_spec() -> None:
    assert set(transports.__all__) == {
        "Transport",
        "Request",
        "Response",
        "TransportError",
        "Urllib3Transport",
    }
    for name in transports.__all__:
        assert getattr(transports, name) is not None


def test_status_values_and_sets() -> None:
    from sqcore import TERMINAL_CIRCUIT_STATES, UNSUCCESSFUL_CIRCUIT_STATES, CircuitStatus

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
    upstream_order = (
        "received awaiting_compile awaiting_submission awaiting_simulation compiling "
        "simulating running pending failed cancelled unrecognized completed deleted"
    )
    assert (
        tuple(CircuitStatus(v) for v in upstream_order.split()) == sqcore.Job.STATUS_PRIORITY_ORDER
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
    from sqcore import _client, _errors, _job, _models

    homes = (_client, _errors, _job, _models)
    for name in sqcore.__all__:
        assert any(getattr(home, name, None) is getattr(sqcore, name) for home in homes), name
    assert set(sqcore.__all__) <= set(dir(sqcore))
    try:
        sqcore.NoSuchName  # noqa: B018
    except AttributeError as error:
        assert "NoSuchName" in str(error)
    else:
        raise AssertionError("expected AttributeError")
