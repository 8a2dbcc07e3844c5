"""`Job`: upstream `general_superstaq.job.Job`'s documented behaviour, on the in-process
emulator with a fake clock (the emulator counts requests: none once the job is terminal).

Identity, data and its cache, status, `to_dict`, the waits (`wait_until_complete`,
`wait_until_terminal_state`, `Backoff`, progress), cancel, errors, saving and restoring;
then properties through the whole stack, and the Job against a model as a hypothesis state
machine. Bad arguments are tests/shell/test_arguments.py; many jobs at once are
tests/shell/test_batch_waits.py.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import re
import uuid
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from sqcore import (
    Backoff,
    CircuitStatus,
    CircuitType,
    Client,
    Job,
    JobData,
    JobType,
    Progress,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqUnsuccessfulJobException,
    SuperstaqWarning,
    wait_all,
)
from sqcore.core.waiting import MIN_POLLING_SECONDS, Change
from tests.fakes import EPOCH, FakeClock, Guard, SlowTransport, always, json_reply, untyped
from tests.fixtures import JOB_65, job_65, reply_of
from tests.shell.conftest import KEY, ClientFactory, client_on
from transports import Transport
from transports.emulator import Emulator

S = CircuitStatus

#: Upstream `Job.STATUS_PRIORITY_ORDER`, as text (general_superstaq/job.py).
UPSTREAM_ORDER = [
    "received",
    "awaiting_compile",
    "awaiting_submission",
    "awaiting_simulation",
    "compiling",
    "simulating",
    "running",
    "pending",
    "failed",
    "cancelled",
    "unrecognized",
    "completed",
    "deleted",
]
TERMINAL = {"completed", "failed", "cancelled", "unrecognized", "deleted"}


def _overall(names: list[str]) -> str:
    """Upstream's overall status, by brute force; unknown names count as "unrecognized"."""
    known = ["unrecognized" if name not in UPSTREAM_ORDER else name for name in names]
    return next(status for status in UPSTREAM_ORDER if status in known)


def _fetches(emulator: Emulator) -> int:
    return sum(request.method == "GET" for request in emulator.requests)


# -- identity --------------------------------------------------------------------------------


def test_a_job_is_its_id_parsed_compared_hashed_and_shown(client: Client) -> None:
    raw = "00000000-0000-0000-0000-000000000065"
    job = Job(client, raw)
    assert job.job_id() == uuid.UUID(raw)
    assert job == Job(client, uuid.UUID(raw))
    assert hash(job) == hash(Job(client, raw.upper()))
    assert job != Job(client, "00000000-0000-0000-0000-000000000066")
    assert job != raw
    assert str(job) == f"Job with job_id={raw}"
    assert repr(job) == f"Job(job_id='{raw}')"
    assert KEY not in repr(job)
    assert len({job, Job(client, raw)}) == 1


def test_the_status_priority_order_is_upstreams() -> None:
    assert [status.value for status in Job.STATUS_PRIORITY_ORDER] == UPSTREAM_ORDER


# -- data and its cache ----------------------------------------------------------------------


def test_job_data_is_fetched_once_and_cached(client: Client, emulator: Emulator) -> None:
    job_id = emulator.create_job(num_circuits=2, durations=0, tags=("a",), metadata={"k": 1})
    job = Job(client, job_id)
    assert emulator.request_count == 0
    assert job.target() == "ss_unconstrained_simulator"
    assert job.tags == ["a"]
    assert job.metadata == {"k": 1}
    assert isinstance(job.job_data, JobData)
    assert job.job_data.num_circuits == 2
    assert emulator.request_count == 1


def test_job_data_is_read_again_after_a_status_check_fetched_the_job(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 5.0]))
    assert job.job_data.statuses == [S.RECEIVED, S.RECEIVED]
    clock.advance(2)
    assert job.job_data.statuses == [S.RECEIVED, S.RECEIVED]  # cached until a status check
    assert emulator.request_count == 1
    assert job.status(0) is S.COMPLETED
    assert job.job_data.statuses == [S.COMPLETED, S.AWAITING_SIMULATION]
    assert emulator.request_count == 2


def test_a_poll_reads_the_statuses_and_the_rest_only_when_read(clock: FakeClock) -> None:
    transport = always(json_reply(200, reply_of({JOB_65: job_65(shots=["many"])})))
    job = Job(client_on(transport, clock), JOB_65)
    assert job.status() is S.COMPLETED  # the statuses are well-formed
    with pytest.raises(SuperstaqException, match=rf"job {JOB_65}.*\$\.shots\[0\]"):
        job.job_data  # noqa: B018 - reading the property is the test
    assert len(transport.requests) == 1


# -- status ----------------------------------------------------------------------------------


def test_status_refreshes_until_terminal_then_never_again(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=3, durations=[1.0, 2.0, 3.0]))
    seen = []
    for _ in range(8):
        seen.append(job.status())
        clock.advance(0.5)
    assert seen[0] is S.RECEIVED
    assert seen[-1] is S.COMPLETED
    assert emulator.request_count == seen.index(S.COMPLETED) + 1
    count = emulator.request_count
    clock.advance(100)
    assert job.status() is S.COMPLETED
    assert job.status(2) is S.COMPLETED
    assert job.to_dict()["statuses"] == ["completed"] * 3
    job.wait_until_complete()
    job.wait_until_terminal_state(check_until_compiled=True)
    assert job.job_data.statuses == [S.COMPLETED] * 3
    assert emulator.request_count == count


def test_the_overall_status_follows_the_priority_order(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(num_circuits=3, durations=[0.0, 1.0, 4.0], fail={0: "boom"})
    job = Job(client, job_id)
    clock.advance(2.0)
    statuses = job.job_data.statuses
    assert statuses[0] is S.FAILED and statuses[1] is S.COMPLETED
    assert statuses[2] not in (S.FAILED, S.COMPLETED)
    assert job.status() is statuses[2]  # open work outranks failed and completed
    clock.advance(10)
    assert job.status() is S.FAILED  # failed outranks completed


def test_a_circuits_status_and_a_bad_index(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 5.0]))
    assert job.status(0) is S.COMPLETED
    assert job.status(1) is not S.COMPLETED
    with pytest.raises(IndexError, match=r"circuit index 2 is out of range.*valid indices 0 to 1"):
        job.status(2)
    with pytest.raises(ValueError, match=r"index must be >= 0 .*, not -1"):  # as upstream
        job.status(-1)
    with pytest.raises(TypeError, match="index must be an int or None, not str"):
        untyped(job.status)("0")
    with pytest.raises(TypeError, match="index must be an int or None, not bool"):
        untyped(job.status)(True)


UNKNOWN = ["teleporting", "RUNNING", "done", ""]


@settings(max_examples=150)
@given(names=st.lists(st.sampled_from(UPSTREAM_ORDER + UNKNOWN), min_size=1, max_size=15))
def test_the_status_through_the_whole_stack_is_upstreams(names: list[str]) -> None:
    """Reply bytes, decoder and status rules together equal a brute-force reference written
    from upstream's documentation; each unknown name is warned about."""
    reply = reply_of({JOB_65: job_65(statuses=names)})
    job = Job(client_on(always(json_reply(200, reply))), JOB_65)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        overall = job.status()
        per_circuit = [job.status(index).value for index in range(len(names))]
    assert overall.value == _overall(names)
    assert per_circuit == [name if name in UPSTREAM_ORDER else "unrecognized" for name in names]
    unknown = [name for name in names if name not in UPSTREAM_ORDER]
    texts = [str(w.message) for w in caught if issubclass(w.category, SuperstaqWarning)]
    assert all(any(repr(name) in text for text in texts) for name in unknown)
    assert bool(texts) == bool(unknown)


# -- to_dict ---------------------------------------------------------------------------------


def test_to_dict_has_the_shape_of_upstreams_model_dump(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 1.0]))
    first = job.to_dict()
    assert list(first) == list(JobData.__struct_fields__)
    assert first["job_type"] is JobType.SIMULATE  # enum members, as pydantic's model_dump()
    statuses = first["statuses"]
    assert isinstance(statuses, list) and all(type(s) is S for s in statuses)
    assert first["circuit_type"] is CircuitType.CIRQ
    assert isinstance(first["submission_timestamp"], datetime.datetime)
    assert first["tags"] == [] and first["metadata"] == {}
    clock.advance(5)
    second = job.to_dict()  # refreshes: the job was not terminal
    assert second["statuses"] == ["completed", "completed"]
    assert emulator.request_count == 2


# -- waits -----------------------------------------------------------------------------------


def test_wait_until_complete_returns_when_terminal(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 3.2]))
    start = clock.now
    job.wait_until_complete(polling_seconds=1)
    assert job.status() is S.COMPLETED
    assert 3.2 <= clock.now - start <= 4.0 + 1e-9
    assert clock.sleeps == [1, 1, 1, 1]


def test_a_wait_for_one_circuit_ends_with_that_circuit(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 30.0]))
    job.wait_until_complete(index=0, polling_seconds=0.5)
    assert job.status(0) is S.COMPLETED
    assert clock.now - 1000.0 <= 1.5
    with pytest.raises(IndexError, match="valid indices 0 to 1"):
        job.wait_until_complete(index=5)


def test_a_wait_until_compiled_stops_once_the_circuits_are_compiled(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    # A submit job of 6 s: received, awaiting_compile, compiling, awaiting_submission (3 s),
    # pending, running, one second each.
    job = Job(client, emulator.create_job(target="ibmq_brisbane_qpu", durations=6.0))
    job.wait_until_terminal_state(check_until_compiled=True, polling_seconds=0.5)
    assert clock.now - 1000.0 == 3.0
    assert job.status() is S.AWAITING_SUBMISSION
    job.wait_until_terminal_state(polling_seconds=0.5)
    assert clock.now - 1000.0 == 6.0
    assert job.status() is S.COMPLETED


def test_a_wait_until_compiled_for_one_circuit(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[3.0, 30.0], job_type="submit"))
    job.wait_until_terminal_state(index=1, check_until_compiled=True, polling_seconds=1)
    # Circuit 1's six stages take 5 s each: awaiting_submission from 15 s on.
    assert clock.now - 1000.0 == 15.0
    assert job.status(1) is S.AWAITING_SUBMISSION


def test_wait_until_terminal_state_is_wait_until_complete_by_default(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    def progress_of_a_wait(terminal_state: bool) -> list[object]:
        seen: list[Progress] = []
        job = Job(make_client(), emulator.create_job(num_circuits=2, durations=[1.0, 2.5]))
        start = clock.now
        if terminal_state:
            job.wait_until_terminal_state(None, None, 1, False, seen.append)
        else:
            job.wait_until_complete(None, None, 1, seen.append)
        assert clock.now - start == 3.0
        # The same but for the job's id.
        return [
            (p.counts, p.done, p.elapsed_seconds, [(c.index, c.after) for c in p.changes])
            for p in seen
        ]

    assert progress_of_a_wait(terminal_state=True) == progress_of_a_wait(terminal_state=False)


def test_a_timed_out_wait_shows_the_status_value(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(target="ibmq_brisbane_qpu", durations=100.0))
    clock.advance(90)
    with pytest.raises(TimeoutError) as caught:
        job.wait_until_complete(timeout_seconds=3, polling_seconds=1)
    assert str(caught.value) == "Timed out while waiting for results. Final status was 'running'."
    assert sum(clock.sleeps) == pytest.approx(3)


def test_a_timed_out_wait_for_one_circuit_shows_that_circuits_status(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 100.0]))
    with pytest.raises(TimeoutError, match="Final status was 'received'"):
        job.wait_until_complete(index=1, timeout_seconds=1)
    job.wait_until_complete(index=0, timeout_seconds=0)  # circuit 0 is done


def test_the_deadline_counts_request_time_and_is_never_overslept(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    client = make_client(latency=0.7)
    job = Job(client, emulator.create_job(durations=100.0))
    start = clock.now
    with pytest.raises(TimeoutError):
        job.wait_until_complete(timeout_seconds=2.0, polling_seconds=1.0)
    # Each check costs 0.7 s: a check ends at 0.7, a 1.0 s sleep, a check ends at 2.4,
    # past the deadline: time out, with no further sleep. (Upstream counts only slept time.)
    assert clock.sleeps == [1.0]
    assert clock.now - start == pytest.approx(2.4)
    assert emulator.request_count == 2


def test_a_zero_timeout_is_one_check(client: Client, emulator: Emulator, clock: FakeClock) -> None:
    job = Job(client, emulator.create_job(durations=10.0))
    with pytest.raises(TimeoutError, match="Final status was 'received'"):
        job.wait_until_complete(timeout_seconds=0)
    assert emulator.request_count == 1
    assert clock.sleeps == []
    done = Job(client, emulator.create_job(durations=0.0))
    done.wait_until_complete(timeout_seconds=0)
    assert done.status() is S.COMPLETED
    assert emulator.request_count == 2


def test_a_wait_with_zero_polling_still_ends(
    make_client: ClientFactory, emulator: Emulator
) -> None:
    client = make_client(latency=0.25)
    job = Job(client, emulator.create_job(durations=2.0))
    with pytest.warns(SuperstaqWarning, match="polling every 0.1 s instead"):
        job.wait_until_complete(polling_seconds=0)
    assert job.status() is S.COMPLETED
    # Arriving every 0.35 s (0.25 s of latency, then the 0.1 s floor), from 0.25 s to 2.0 s.
    assert emulator.request_count == 6


def test_the_default_timeout_is_max_retry_seconds(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(make_client(max_retry_seconds=7), emulator.create_job(durations=100.0))
    with pytest.raises(TimeoutError):
        job.wait_until_complete(polling_seconds=2)
    assert sum(clock.sleeps) == pytest.approx(7)


def test_a_wait_reports_its_progress_once_per_check(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=3, durations=[0.5, 1.0, 1.5]))
    seen: list[Progress] = []
    job.wait_until_complete(polling_seconds=0.5, on_progress=seen.append)
    assert [p.done for p in seen] == [0, 1, 2, 3]
    assert all(p.total == 3 for p in seen)
    assert seen[-1].counts == ((S.COMPLETED, 3),)
    assert [p.elapsed_seconds for p in seen] == [0, 0.5, 1.0, 1.5]


def test_progress_says_what_changed_since_the_previous_check(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 2.0], fail={1: "x"}))
    job_id = str(job.job_id())
    seen: list[Progress] = []
    job.wait_until_complete(polling_seconds=1.0, on_progress=seen.append)
    # The simulate pipeline: received, awaiting_simulation, simulating, each a third of the
    # duration; at 1 s circuit 0 is completed and circuit 1 is awaiting_simulation.
    assert [p.changes for p in seen] == [
        (),
        (
            Change(job_id, None, S.RECEIVED, S.AWAITING_SIMULATION),
            Change(job_id, 0, S.RECEIVED, S.COMPLETED),
            Change(job_id, 1, S.RECEIVED, S.AWAITING_SIMULATION),
        ),
        (
            Change(job_id, None, S.AWAITING_SIMULATION, S.FAILED),
            Change(job_id, 1, S.AWAITING_SIMULATION, S.FAILED),
        ),
    ]


def test_progress_of_one_circuit_counts_and_changes_only_that_circuit(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[1.0, 2.0]))
    seen: list[Progress] = []
    job.wait_until_complete(index=0, polling_seconds=1.0, on_progress=seen.append)
    assert [(p.done, p.total) for p in seen] == [(0, 1), (1, 1)]
    assert seen[-1].changes == (Change(str(job.job_id()), 0, S.RECEIVED, S.COMPLETED),)


def test_a_backoff_wait_sleeps_longer_while_nothing_changes_and_starts_over_on_a_change(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    # A simulate job of 30 s: awaiting_simulation from 10 s, simulating from 20 s.
    job = Job(client, emulator.create_job(durations=30.0))
    job.wait_until_complete(polling_seconds=Backoff(initial=1.0, factor=2.0, maximum=8.0))
    # Polls at 0, 1, 3, 7; at 15 it is awaiting_simulation: 1 s again; 16, 18; at 22 it is
    # simulating: 1 s again; 23, 25, 29; at 37 it is completed.
    assert clock.sleeps == [1, 2, 4, 8, 1, 2, 4, 1, 2, 4, 8]
    assert clock.now - 1000.0 == 37.0


def test_a_long_unchanging_wait_polls_about_log_t_times_with_a_backoff(
    make_client: ClientFactory, emulator: Emulator
) -> None:
    hours = 3600.0 * 2
    fixed = Job(make_client(), emulator.create_job(durations=hours))
    fixed.wait_until_complete(timeout_seconds=math.inf, polling_seconds=1.0)
    fixed_polls = emulator.request_count
    backing_off = Job(make_client(), emulator.create_job(durations=hours))
    backing_off.wait_until_complete(
        timeout_seconds=math.inf, polling_seconds=Backoff(1.0, 2.0, maximum=hours)
    )
    polls = emulator.request_count - fixed_polls
    assert fixed_polls >= hours
    # Three stages, each about log2(7200) + 1 polls long, and the final one.
    assert polls <= 3 * (math.log2(hours / 3) + 2) + 1


# -- cancel and failures ---------------------------------------------------------------------


def test_cancel_cancels_every_open_circuit(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 10.0]))
    job.cancel()
    assert emulator.statuses(str(job.job_id())) == ["completed", "cancelled"]
    assert job.status() is S.CANCELLED
    job._check_if_unsuccessful()  # upstream 0.5.70 raises for a failed job only


def test_cancel_with_an_index_is_refused_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=10.0))
    with pytest.raises(ValueError, match="cancels whole jobs"):
        job.cancel(index=1)
    assert emulator.request_count == 0
    assert emulator.statuses(str(job.job_id())) == ["received", "received"]


def test_a_failed_circuit_is_reported_with_its_message(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=0, fail={1: "too big"}))
    assert job.status() is S.FAILED
    with pytest.raises(SuperstaqUnsuccessfulJobException) as caught:
        job._check_if_unsuccessful()
    assert str(caught.value) == (
        f"Job {job.job_id()} terminated with status Failure: [Circuit 1 - too big]."
    )
    job._check_if_unsuccessful(0)  # circuit 0 completed: no exception
    assert job.status(0) is S.COMPLETED


def test_a_key_the_server_echoes_in_a_status_message_is_redacted_in_the_failure() -> None:
    failed = job_65(statuses=["failed"], status_messages=[f"rejected key {KEY} for this target"])
    job = Job(client_on(always(json_reply(200, reply_of({JOB_65: failed})))), JOB_65)
    with pytest.raises(SuperstaqUnsuccessfulJobException) as caught:
        job._check_if_unsuccessful()
    assert str(caught.value) == (
        f"Job {JOB_65} terminated with status Failure: [Circuit 0 - rejected key <redacted> "
        "for this target]."
    )


# -- errors and warnings ---------------------------------------------------------------------


def test_an_unknown_job_names_the_id(client: Client) -> None:
    job = Job(client, "00000000-0000-0000-0000-0000000000ff")
    with pytest.raises(SuperstaqException, match="00000000-0000-0000-0000-0000000000ff"):
        job.status()


def test_a_wrong_key_is_not_authorized_and_not_retried(
    make_client: ClientFactory, emulator: Emulator
) -> None:
    job = Job(make_client(api_key="wrong-key-123"), emulator.create_job())
    with pytest.raises(SuperstaqServerException, match="Not authorized") as caught:
        job.status()
    assert caught.value.status_code == 401
    assert emulator.request_count == 1
    assert "wrong-key-123" not in str(caught.value) and KEY not in str(caught.value)


def test_a_server_warning_points_at_the_callers_line(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(durations=0, warn="target is retiring"))
    with pytest.warns(SuperstaqWarning, match="target is retiring") as record:
        job.status()
    assert record[0].filename == __file__
    other = Job(client, emulator.create_job(durations=5, warn="still retiring"))
    with pytest.warns(SuperstaqWarning, match="still retiring") as record:
        other.wait_until_complete(polling_seconds=5)
    assert {w.filename for w in record} == {__file__}


# -- saving and restoring --------------------------------------------------------------------


def test_a_saved_job_comes_back_with_its_id_and_cache(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=1.0, tags=("kept",)))
    clock.advance(5)
    assert job.tags == ["kept"]
    saved = job.dump()
    assert KEY not in saved.decode()
    count = emulator.request_count
    restored = Job.load(client, saved)
    assert restored == job
    assert restored.status() is S.COMPLETED
    assert restored.to_dict() == job.to_dict()
    assert restored.job_data == job.job_data
    restored.wait_until_complete()
    assert emulator.request_count == count  # terminal, restored: no request
    assert Job.load(client, saved.decode()) == job  # str too


def test_a_restored_job_whose_data_was_only_fetched_decodes_it_without_a_request(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(durations=0.0, tags=("raw",)))
    assert job.status() is S.COMPLETED  # fetched, not decoded yet
    restored = Job.load(client, job.dump())
    assert restored.tags == ["raw"]
    assert emulator.request_count == 1


def test_a_restored_open_job_fetches_again(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job = Job(client, emulator.create_job(durations=2.0))
    assert job.status() is S.RECEIVED
    restored = Job.load(client, job.dump())
    clock.advance(3)
    assert restored.status() is S.COMPLETED
    assert emulator.request_count == 2


def test_a_job_never_fetched_is_saved_as_its_id(client: Client, emulator: Emulator) -> None:
    job_id = emulator.create_job(durations=0.0)
    saved = Job(client, job_id).dump()
    assert json.loads(saved) == {
        "sqcore_job": 1,
        "job_id": job_id,
        "statuses": None,
        "data": None,
    }
    assert Job.load(client, saved).status() is S.COMPLETED
    assert emulator.request_count == 1


def test_an_open_job_after_a_batched_wait_is_saved_with_its_statuses_only(
    client: Client, emulator: Emulator
) -> None:
    job = Job(client, emulator.create_job(durations=10.0))
    with pytest.raises(TimeoutError):
        wait_all([job], timeout_seconds=0)
    saved = json.loads(job.dump())
    assert (saved["statuses"], saved["data"]) == (["received"], None)
    assert Job.load(client, job.dump()).job_data.statuses == [S.RECEIVED]
    assert emulator.request_count == 2  # the data was not kept: reading it fetches


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", r"^not a saved sqcore job: it is not valid JSON \("),
        (
            f'{{"job_id": "{JOB_65}"}}'.encode(),
            r"^not a saved sqcore job: .*sqcore_job.*\(at \$\)$",
        ),
        (b'{"sqcore_job": 1, "job_id": "nope"}', r"^not a saved sqcore job: .* \(at \$\.job_id\)$"),
        (
            f'{{"sqcore_job": 1, "job_id": "{JOB_65}", "extra": 1}}'.encode(),
            r"^not a saved sqcore job: .*extra.*\(at \$\)$",
        ),
        (
            f'{{"sqcore_job": 2, "job_id": "{JOB_65}"}}'.encode(),
            r"^a saved sqcore job of format 2; this version reads format 1$",
        ),
        (b"\xff", r"^not a saved sqcore job: it is not valid JSON \("),
    ],
)
def test_what_is_not_a_saved_job_is_refused_saying_where(
    client: Client, data: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Job.load(client, data)


# -- a wait through the whole stack ----------------------------------------------------------


def _guarded(latency: float, limit: int) -> tuple[FakeClock, Emulator, Client]:
    """An emulator and a client whose transport costs `latency` a request and fails the test
    past `limit` requests (a wait that never ends)."""
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock, wall_clock=lambda: EPOCH + clock.now)
    inner: Transport = emulator.transport()
    if latency:
        inner = SlowTransport(inner, clock, latency)
    return clock, emulator, client_on(Guard(inner, limit), clock)


FINAL = re.compile(r"^Timed out while waiting for results\. Final status was '([a-z_]+)'\.$")
# `start + timeout` and a sum of sleeps may differ in the last place.
ULP = 1e-9


@settings(max_examples=60)
@given(
    circuit_durations=st.lists(st.floats(0, 60), min_size=1, max_size=3),
    latency=st.just(0.0) | st.floats(0.05, 3),
    polling=st.just(0.0) | st.floats(0.1, 20),
    timeout=st.floats(0, 60),
    data=st.data(),
)
@pytest.mark.filterwarnings("ignore:polling_seconds=0.0:sqcore.SuperstaqWarning")
def test_a_wait_ends_never_oversleeps_and_sees_the_end_in_time(
    circuit_durations: list[float],
    latency: float,
    polling: float,
    timeout: float,
    data: st.DataObject,
) -> None:
    step = interval = max(polling, MIN_POLLING_SECONDS)  # 0 polls at the floor
    clock, emulator, client = _guarded(latency, math.ceil(timeout / step) + 3)
    index = data.draw(st.none() | st.integers(0, len(circuit_durations) - 1), label="index")
    start = clock.now
    job = Job(client, emulator.create_job(len(circuit_durations), durations=circuit_durations))
    awaited = circuit_durations if index is None else [circuit_durations[index]]
    ends_at = start + max(awaited)
    deadline = start + timeout

    try:
        job.wait_until_complete(index=index, timeout_seconds=timeout, polling_seconds=polling)
    except TimeoutError as error:
        match = FINAL.match(str(error))
        assert match is not None, str(error)
        assert match.group(1) not in TERMINAL
        assert clock.now >= deadline
        assert clock.now < ends_at
    else:
        assert clock.now >= ends_at
    assert all(end <= deadline + ULP * max(1.0, abs(deadline)) for end in clock.sleep_ends)
    if ends_at + interval + latency < deadline:
        assert clock.now >= ends_at
        assert clock.now <= max(start + latency, ends_at + interval + latency) + ULP * clock.now


def test_the_guard_stops_a_runaway_wait() -> None:
    """The guard itself can fail: a wait with more requests than allowed is reported."""
    clock, emulator, client = _guarded(0.5, 2)
    job = Job(client, emulator.create_job(durations=100.0))
    with pytest.raises(AssertionError, match="more than 2 requests"):
        job.wait_until_complete(timeout_seconds=50, polling_seconds=1)
    assert clock.sleep_ends


# -- Job against a model ---------------------------------------------------------------------


class JobAgainstAModel(RuleBasedStateMachine):
    """A Job on the emulator, driven by any sequence of its methods and of the clock.

    The model is what the job last fetched (`seen`, the emulator's statuses at that moment):
    a method that needs the statuses fetches exactly while `seen` is not terminal, and what
    it returns agrees with what the emulator said; once `seen` is terminal, no method fetches
    again (the emulator's GET count stays put), whatever the clock does.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.emulator = Emulator(
            api_key=KEY, clock=self.clock, wall_clock=lambda: EPOCH + self.clock.now
        )
        self.client = client_on(self.emulator.transport(), self.clock)
        self.seen: list[str] | None = None

    @initialize(
        durations=st.lists(st.floats(0, 20), min_size=1, max_size=3),
        failures=st.lists(st.booleans(), min_size=3, max_size=3),
        job_type=st.sampled_from(["submit", "simulate", "compile", "convert"]),
    )
    def create(self, durations: list[float], failures: list[bool], job_type: str) -> None:
        fail = {
            index: f"circuit {index} broke" for index in range(len(durations)) if failures[index]
        }
        self.job_id = self.emulator.create_job(
            len(durations), durations=durations, fail=fail, job_type=job_type
        )
        self.job = Job(self.client, self.job_id)

    # -- the model -------------------------------------------------------------------------

    @property
    def terminal(self) -> bool:
        return self.seen is not None and set(self.seen) <= TERMINAL

    def fetching(self) -> tuple[bool, int]:
        """Before a call that needs the statuses: whether it will fetch, and the GET count."""
        return not self.terminal, _fetches(self.emulator)

    def fetched(self, expected: tuple[bool, int]) -> None:
        """After such a call: it fetched as the model said; what it saw is the model now."""
        will_fetch, before = expected
        assert _fetches(self.emulator) == before + will_fetch
        if will_fetch:
            self.seen = self.emulator.statuses(self.job_id)

    # -- rules -----------------------------------------------------------------------------

    @rule(seconds=st.floats(0, 10))
    def advance_the_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule()
    def status(self) -> None:
        expected = self.fetching()
        status = self.job.status()
        self.fetched(expected)
        assert self.seen is not None
        assert status.value == _overall(self.seen)

    @rule(data=st.data())
    def status_of_a_circuit(self, data: st.DataObject) -> None:
        expected = self.fetching()
        count = len(self.emulator.statuses(self.job_id))
        index = data.draw(st.integers(0, count), label="index")
        if index == count:
            with pytest.raises(IndexError, match="out of range"):
                self.job.status(index)
            self.fetched(expected)
            return
        status = self.job.status(index)
        self.fetched(expected)
        assert self.seen is not None
        assert status.value == self.seen[index]

    @rule(
        timeout=st.floats(0, 15),
        polling=st.floats(0.5, 3)
        | st.builds(Backoff, st.floats(0.5, 2), st.just(2.0), st.just(4.0)),
    )
    def wait_until_complete(self, timeout: float, polling: float | Backoff) -> None:
        before = _fetches(self.emulator)
        was_terminal = self.terminal
        try:
            self.job.wait_until_complete(timeout_seconds=timeout, polling_seconds=polling)
        except TimeoutError as error:
            assert not was_terminal
            self.seen = self.emulator.statuses(self.job_id)
            assert str(error).endswith(f"Final status was '{_overall(self.seen)}'.")
            assert not self.terminal
        else:
            if not was_terminal:
                self.seen = self.emulator.statuses(self.job_id)
            assert self.terminal
        if was_terminal:
            assert _fetches(self.emulator) == before
        else:
            assert _fetches(self.emulator) > before

    @rule()
    def cancel(self) -> None:
        """Always a PUT (as upstream); it changes the emulator, not what the job has seen."""
        before = _fetches(self.emulator)
        self.job.cancel()
        assert _fetches(self.emulator) == before
        assert set(self.emulator.statuses(self.job_id)) <= TERMINAL

    @rule()
    def job_data(self) -> None:
        will_fetch = self.seen is None  # the data of any fetch is kept until read
        before = _fetches(self.emulator)
        data = self.job.job_data
        assert _fetches(self.emulator) == before + will_fetch
        if will_fetch:
            self.seen = self.emulator.statuses(self.job_id)
        assert [status.value for status in data.statuses] == self.seen

    @rule()
    def to_dict(self) -> None:
        expected = self.fetching()
        as_dict = self.job.to_dict()
        self.fetched(expected)
        before = _fetches(self.emulator)
        data = self.job.job_data
        assert _fetches(self.emulator) == before  # to_dict left the data cached
        assert as_dict["statuses"] == self.seen
        assert list(as_dict) == list(JobData.__struct_fields__)
        for name, value in as_dict.items():
            field = getattr(data, name)
            if name == "statuses":
                assert value == [status.value for status in field]
            elif isinstance(field, enum.Enum):
                assert value == field.value
            else:
                assert value == field, name

    @rule()
    def save_and_restore(self) -> None:
        before = _fetches(self.emulator)
        self.job = Job.load(self.client, self.job.dump())
        assert _fetches(self.emulator) == before

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def a_terminal_job_stays_as_the_emulator_says(self) -> None:
        if self.terminal:
            assert self.emulator.statuses(self.job_id) == self.seen

    @precondition(lambda self: self.terminal)
    @invariant()
    def a_terminal_job_never_fetches_again(self) -> None:
        before = _fetches(self.emulator)
        assert self.seen is not None
        assert self.job.status().value == _overall(self.seen)
        assert _fetches(self.emulator) == before


JobAgainstAModel.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestJobAgainstAModel = JobAgainstAModel.TestCase
