"""Helpers for the emulator's tests: requests through `Emulator.handle`, JSON read back."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from returns.pipeline import is_successful

from transports import Request
from transports.emulator import API_VERSION, Emulator

KEY = "test-key-7f2c91d4e0"
AUTH = {"Authorization": KEY}
WALL = 1_800_000_000.0
FETCH = f"/{API_VERSION}/client/job/cirq"
CANCEL = f"/{API_VERSION}/client/cancel_jobs"
CREATE = f"/{API_VERSION}/client/job"
UNKNOWN_ID = "00000000-0000-4000-8000-0000000000ff"
CIRQ_CIRCUIT = '{"cirq_type": "Circuit", "moments": []}'


def decode(body: bytes) -> object:
    return msgspec.json.decode(body, type=object)


def as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def as_list(value: object) -> list[object]:
    assert isinstance(value, list)
    return list(value)


def call(
    emu: Emulator,
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] = AUTH,
) -> tuple[int, dict[str, str], object]:
    """Sends one request through the emulator's Transport; returns status, headers, JSON."""
    result = emu.transport().send(Request(method, url, headers, body, timeout=5.0))
    assert is_successful(result)
    response = result.unwrap()
    assert response.header("Content-Type") == "application/json"
    assert response.header("Content-Length") == str(len(response.body))
    return response.status, dict(response.headers), decode(response.body)


def detail(reply: object) -> str:
    """The sentence of a plain error reply, checking that the reply is exactly that."""
    fields = as_dict(reply)
    assert list(fields) == ["detail"]
    sentence = fields["detail"]
    assert isinstance(sentence, str)
    return sentence


def fetch(emu: Emulator, *job_ids: str) -> dict[str, object]:
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    status, _, reply = call(emu, "GET", f"{FETCH}?{query}")
    assert status == 200
    return as_dict(reply)


def job_of(emu: Emulator, job_id: str) -> dict[str, object]:
    return as_dict(fetch(emu, job_id)[job_id])


def new_job(**overrides: object) -> bytes:
    """A valid `POST /client/job` body (required fields, 100 shots), with `overrides`."""
    body: dict[str, object] = {
        "job_type": "simulate",
        "target": "ss_unconstrained_simulator",
        "circuits": CIRQ_CIRCUIT,
        "circuit_type": "cirq",
        "shots": 100,
    }
    body.update(overrides)
    return msgspec.json.encode(body)


def post(emu: Emulator, body: bytes | None) -> tuple[int, object]:
    """POSTs `body` to the create endpoint; returns the status and the JSON reply."""
    status, _, reply = call(emu, "POST", CREATE, body)
    return status, reply


def created_id(emu: Emulator, body: bytes) -> str:
    """POSTs a body that must be accepted; returns the new job's id."""
    status, reply = post(emu, body)
    assert status == 200, reply
    job_id = as_dict(reply)["job_id"]
    assert isinstance(job_id, str)
    return job_id
