"""Ill-typed arguments are refused at once with a TypeError naming the argument and the type
it got (a caller without mypy still learns what went wrong); edge cases of the key search."""

from __future__ import annotations

import pathlib
import uuid

import pytest

from sqcore import Client, Job
from sqcore._config import find_api_key, key_file_candidates
from tests.fakes import FakeClock, json_reply, untyped
from tests.fixtures import JOB_65, fixture
from transports.emulator import Emulator

KEY = "sk-args-KEY-31c5"


def _transport() -> FunctionTransport:
    return FunctionTransport(
        lambda _request: json_reply(200, fixture("fetch_completed_single.json"))
    )


def make() -> tuple[Client, FunctionTransport]:
    transport = _transport()
    client = Client(
        api_key=KEY,
        remote_host="https://superstaq.example",
        transport=transport,
        clock=FakeClock(),
    )
    return client, transport


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"client_name": 7}, "client_name must be a str, not int"),
        ({"ibmq_token": b"bytes"}, "ibmq_token must be a str, not bytes"),
        ({"max_retry_seconds": "60"}, "max_retry_seconds must be a number of seconds, not str"),
        ({"request_timeout_seconds": True}, "request_timeout_seconds must be a number of"),
    ],
)
def test_ill_typed_client_arguments(kwargs: dict[str, object], text: str) -> None:
    options: dict[str, object] = {
        "api_key": KEY,
        "remote_host": "https://superstaq.example",
        "transport": _transport(),
    }
    options.update(kwargs)
    with pytest.raises(TypeError, match=text):
        untyped(Client)(**options)


def test_ill_typed_job_ids_are_refused_before_any_request() -> None:
    client, transport = make()
    with pytest.raises(TypeError, match=r"a job id must be a str or uuid\.UUID, not int"):
        untyped(client.fetch_jobs)([65])
    with pytest.raises(TypeError, match="job_ids must be a sequence of ids, not set"):
        untyped(client.cancel_jobs)({JOB_65})
    with pytest.raises(TypeError, match=r"job_id must be a str or uuid\.UUID, not int"):
        untyped(Job)(client, 65)
    assert transport.requests == []


def test_cancelling_no_jobs_sends_nothing() -> None:
    client, transport = make()
    assert client.cancel_jobs([]) == []
    assert transport.requests == []


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"timeout_seconds": "10"}, "timeout_seconds must be a number of seconds, not str"),
        ({"polling_seconds": False}, "polling_seconds must be a number of seconds, not bool"),
    ],
)
def test_ill_typed_wait_arguments(kwargs: dict[str, object], text: str) -> None:
    client, transport = make()
    job = Job(client, JOB_65)
    with pytest.raises(TypeError, match=text):
        untyped(job.wait_until_complete)(**kwargs)
    assert transport.requests == []


def test_polling_seconds_none_is_refused_before_any_request() -> None:
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock)
    client = Client(
        api_key=KEY,
        remote_host="https://superstaq.example",
        transport=emulator.transport(),
        clock=clock,
    )
    job = Job(client, emulator.create_job(durations=10.0))
    with pytest.raises(TypeError, match="polling_seconds must be a number of seconds, not None"):
        untyped(job.wait_until_complete)(timeout_seconds=5, polling_seconds=None)
    assert emulator.request_count == 0


def test_job_repr_names_the_id_only() -> None:
    client, _ = make()
    job = Job(client, uuid.UUID(JOB_65))
    assert repr(job) == f"Job(job_id='{JOB_65}')"
    assert KEY not in repr(job)


def test_key_files_follow_xdg_data_home_when_set(tmp_path: pathlib.Path) -> None:
    default = key_file_candidates({}, tmp_path)
    assert default[0].parent == tmp_path / ".local" / "share" / "super.tech"
    moved = key_file_candidates({"XDG_DATA_HOME": str(tmp_path / "xdg")}, tmp_path)
    assert moved[0].parent == tmp_path / "xdg" / "super.tech"
    assert key_file_candidates({"XDG_DATA_HOME": ""}, tmp_path) == default


def test_an_empty_key_file_is_skipped_for_the_next(tmp_path: pathlib.Path) -> None:
    first, *rest = key_file_candidates({}, tmp_path)
    first.parent.mkdir(parents=True)
    first.write_text("\n", encoding="utf-8")
    later = rest[-1]
    later.parent.mkdir(parents=True, exist_ok=True)
    later.write_text("  sk-from-file  \nsecond line\n", encoding="utf-8")
    assert find_api_key({}, tmp_path) == "sk-from-file"
    later.write_text("", encoding="utf-8")
    with pytest.raises(OSError, match="SUPERSTAQ_API_KEY"):
        find_api_key({"SUPERSTAQ_API_KEY": "   "}, tmp_path)
