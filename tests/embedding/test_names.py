"""The names an SDK's job class inherits from `sqcore.Job`: upstream's private names keep
upstream's meaning, and sqcore's own internals are names no SDK class defines, so neither
side can overwrite the other's."""

from __future__ import annotations

import uuid

from sqcore import Client, Job
from tests.embedding.sdks import sdk
from transports import FunctionTransport, Response

css = sdk("cirq_superstaq")
qss = sdk("qiskit_superstaq")
qiskit = sdk("qiskit")
gss_job = sdk("general_superstaq.job")


def _names(cls: type, instance: object = None) -> set[str]:
    """The names `cls` and its bases define, and those `instance` sets."""
    found = {name for klass in cls.__mro__ if klass is not object for name in vars(klass)}
    return found | set(getattr(instance, "__dict__", {}))


def test_no_sdk_class_defines_a_name_of_sqcores_internals() -> None:
    client = Client(
        api_key="k",
        remote_host="https://x.example",
        transport=FunctionTransport(lambda _request: Response(500, {}, b"")),
    )
    job_id = uuid.uuid4()
    ours = _names(Job, Job(client, job_id))
    upstream = _names(gss_job.Job, gss_job.Job(None, job_id))
    internals = {name for name in ours - upstream if name.startswith("_")}
    internals -= {name for name in internals if name.startswith("__")}
    assert {"_id", "_state", "_refresh", "_fetch"} <= internals  # what the check is about
    sdk_names = set(vars(css.JobV3)) | set(vars(qss.SuperstaqJobV3))
    # qiskit's JobV1.__init__ (which these classes never call) would set these three.
    sdk_names |= _names(qiskit.providers.JobV1) | {"_backend", "_job_id", "metadata"}
    assert not internals & sdk_names


def test_upstreams_private_names_mean_what_they_mean_upstream() -> None:
    assert Job.endianness.value == gss_job.Job.endianness.value == "big"
    assert {"_status", "_repetitions", "_refresh_job", "_check_if_unsuccessful"} <= set(dir(Job))
    assert {"_terminal_measurement_qubit_indices", "set_counts", "set_counts_for_circuit"} <= set(
        dir(Job)
    )
