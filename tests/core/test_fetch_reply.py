"""`sqcore.core.replies`: a fetch reply read from its bytes, in full into `JobData`
(`parse_fetch_reply`, `decode_job`) and as far as a status decision needs
(`parse_poll_reply`: each requested job's statuses, unknown names warned about in the same
pass); and `one_job_replies`, which cuts jobs out of a batch reply as replies of their own,
for a later full decode once the batch is freed.

Fixtures (tests/replies, as upstream's models write them) and the emulator's replies
drive the decoders. Whatever the server sends, a reader gives data or a documented failure
naming the job and the JSON path, never an exception; the poll is held to agree with the
full decode.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from sqcore.core.errors import ApiFailure, BadBody, MissingJob
from sqcore.core.models import CircuitStatus, CircuitType, JobData, JobType
from sqcore.core.replies import (
    PollResult,
    decode_job,
    one_job_replies,
    parse_fetch_reply,
    parse_poll_reply,
)
from sqcore.core.wire import parse_cancel_reply
from tests.fakes import EPOCH, FakeClock
from tests.fixtures import (
    JOB_65,
    JOB_66,
    JOB_67,
    JOB_68,
    fixture,
    job_65,
    job_without_circuits,
    nested,
    nested_reply,
    reply_of,
)
from tests.matchers import Bad
from tests.strategies import EmulatedJob, emulated_jobs, job_data, json_values
from transports.emulator import API_VERSION, Emulator

# -- a fetch reply, decoded in full ----------------------------------------------------------


def test_every_field_of_a_fixture_is_decoded() -> None:
    result = parse_fetch_reply(fixture("fetch_completed_single.json"), [JOB_65]).unwrap()
    assert result.warnings == ()
    utc = datetime.timezone.utc
    assert result.jobs == {
        JOB_65: JobData(
            job_type=JobType.SIMULATE,
            statuses=[CircuitStatus.COMPLETED],
            status_messages=[None],
            user_email="user@example.com",
            target="ss_unconstrained_simulator",
            provider_id=[None],
            num_circuits=1,
            compiled_circuits=['{"cirq_type": "Circuit", "moments": []}'],
            input_circuits=['{"cirq_type": "Circuit", "moments": []}'],
            circuit_type=CircuitType.CIRQ,
            counts=[{"00": 48, "11": 52}],
            results_dicts=[None],
            shots=[100],
            dry_run=False,
            submission_timestamp=datetime.datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=utc),
            last_updated_timestamp=[datetime.datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=utc)],
            initial_logical_to_physicals=[{0: 0, 1: 1}],
            final_logical_to_physicals=[{0: 1, 1: 0}],
            logical_qubits=['[{"cirq_type": "LineQubit", "x": 0}]'],
            physical_qubits=['[{"cirq_type": "LineQubit", "x": 0}]'],
            tags=["sweep-7"],
            metadata={"experiment": "bell", "round": 3},
        )
    }


@pytest.mark.parametrize(
    ("name", "ids", "statuses"),
    [
        (
            "fetch_two_jobs.json",
            [JOB_65, JOB_68],
            {JOB_65: ["completed"], JOB_68: ["pending", "pending"]},
        ),
        (
            "fetch_mixed_three_circuits.json",
            [JOB_66],
            {JOB_66: ["running", "awaiting_submission", "completed"]},
        ),
        ("fetch_failed_one_of_two.json", [JOB_67], {JOB_67: ["completed", "failed"]}),
    ],
)
def test_each_fixture_decodes_with_its_statuses(
    name: str, ids: list[str], statuses: dict[str, list[str]]
) -> None:
    jobs = parse_fetch_reply(fixture(name), ids).unwrap().jobs
    assert {k: [s.value for s in v.statuses] for k, v in jobs.items()} == statuses


def test_a_failed_circuit_keeps_its_message() -> None:
    body = fixture("fetch_failed_one_of_two.json")
    data = parse_fetch_reply(body, [JOB_67]).unwrap().jobs[JOB_67]
    assert data.status_messages == [None, "Circuit has 200 qubits; the target has 127."]
    assert data.counts[1] is None


def test_extra_fields_are_ignored_and_defaults_are_fresh() -> None:
    body = reply_of({JOB_65: job_65(brand_new_field={"x": 1})})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65].target
    entry = job_65()
    del entry["tags"], entry["metadata"]
    jobs = (
        parse_fetch_reply(reply_of({JOB_65: entry, JOB_66: entry}), [JOB_65, JOB_66]).unwrap().jobs
    )
    assert jobs[JOB_65].tags == [] and jobs[JOB_65].metadata == {}
    jobs[JOB_65].tags.append("x")
    assert jobs[JOB_66].tags == []


def test_ids_not_requested_are_ignored() -> None:
    body = reply_of({JOB_65: job_65(), JOB_66: {"not": "a job"}, "other": "surprise"})
    assert list(parse_fetch_reply(body, [JOB_65]).unwrap().jobs) == [JOB_65]


def test_an_unknown_status_is_unrecognized_and_warned_about() -> None:
    result = parse_fetch_reply(reply_of({JOB_65: job_65(statuses=["warping"])}), [JOB_65]).unwrap()
    assert result.jobs[JOB_65].statuses == [CircuitStatus.UNRECOGNIZED]
    assert result.warnings == (
        f"Job {JOB_65}: circuit 0 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )


@pytest.mark.parametrize(("field", "kind"), [("job_type", JobType), ("circuit_type", CircuitType)])
def test_an_unknown_job_or_circuit_type_is_read_and_warned_about_naming_it(
    field: str, kind: type[JobType] | type[CircuitType]
) -> None:
    body = reply_of({JOB_65: job_65(**{field: "teleport - at `$.x`"})})
    expected = (
        f"Job {JOB_65}: its {field} is 'teleport - at `$.x`', which this client does not "
        "know; the job is read as it is.",
    )
    full = parse_fetch_reply(body, [JOB_65]).unwrap()
    value = getattr(full.jobs[JOB_65], field)
    assert isinstance(value, kind) and value == "teleport - at `$.x`"
    assert value not in list(kind)  # a stand-in: the listed members stay upstream's
    assert full.warnings == expected
    assert parse_poll_reply(body, [JOB_65]).unwrap().warnings == expected


def test_a_jaqal_job_is_read_without_a_warning() -> None:
    body = reply_of({JOB_65: job_65(circuit_type="jaqal")})
    result = parse_fetch_reply(body, [JOB_65]).unwrap()
    assert result.jobs[JOB_65].circuit_type is CircuitType.JAQAL
    assert result.warnings == ()


def test_a_job_without_circuits_is_read_with_no_statuses() -> None:
    body = reply_of({JOB_65: job_without_circuits()})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65].statuses == []
    assert parse_poll_reply(body, [JOB_65]).unwrap().statuses == {JOB_65: ()}


def test_only_unknown_statuses_are_warned_about_after_the_servers_warnings() -> None:
    entry = job_65(statuses=["completed", "zzz", "running", "aaa"], num_circuits=4)
    body = reply_of({"warnings": [{"message": "first"}], JOB_65: entry})
    warnings = parse_fetch_reply(body, [JOB_65]).unwrap().warnings
    assert warnings[0] == "first"
    assert [w.split(" has status ")[0] for w in warnings[1:]] == [
        f"Job {JOB_65}: circuit 1",
        f"Job {JOB_65}: circuit 3",
    ]


def test_the_literal_status_unrecognized_is_not_warned_about() -> None:
    body = reply_of({JOB_65: job_65(statuses=["unrecognized"])})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().warnings == ()


def test_the_servers_warnings_are_collected_in_order() -> None:
    warnings = [{"message": "target retiring soon"}, {"message": "and another"}]
    body = reply_of({"warnings": warnings, JOB_65: job_65()})
    result = parse_fetch_reply(body, [JOB_65]).unwrap()
    assert result.warnings == ("target retiring soon", "and another")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"not json",
            Bad(ours="the reply is not valid JSON ("),
        ),
        (
            b"[1, 2]",
            Bad(ours="the reply is not a JSON object of jobs ("),
        ),
        (
            b'"jobs"',
            Bad(ours="the reply is not a JSON object of jobs ("),
        ),
        (
            reply_of({JOB_65: job_65(shots=["many"])}),
            Bad("$.shots[0]", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(submission_timestamp="yesterday")}),
            Bad("$.submission_timestamp", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(initial_logical_to_physicals=[{"zero": 0}])}),
            Bad("$.initial_logical_to_physicals[0]", JOB_65, names="(a key)"),
        ),
        (
            reply_of({JOB_65: [{"message": "not a job"}]}),
            Bad("$", JOB_65),
        ),
        (reply_of({JOB_66: job_65()}), MissingJob(JOB_65)),
        (
            b'{"warnings": [{"msg": 1}]}',
            Bad("$.warnings[0]", names="message"),
        ),
        (
            reply_of({"warnings": job_65(), JOB_65: job_65()}),
            Bad("$.warnings"),
        ),
    ],
)
def test_a_bad_reply_fails_naming_the_job_and_the_path(
    body: bytes, expected: ApiFailure | Bad
) -> None:
    assert parse_fetch_reply(body, [JOB_65]).failure() == expected


def test_the_first_requested_job_missing_is_named() -> None:
    body = reply_of({"other": "not a job", JOB_66: job_65()})
    assert parse_fetch_reply(body, [JOB_66, JOB_65, JOB_67]).failure() == MissingJob(JOB_65)


def test_a_warning_that_is_not_utf8_names_the_warnings() -> None:
    body = b'{"warnings": [{"message": "\xc3"}], "' + JOB_65.encode() + b'": {}}'
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert failure.path == "$.warnings" and failure.job_id is None
    assert failure.message.startswith("a warning is not valid JSON (")


FIELDS = sorted(JobData.__struct_fields__)
REQUIRED = sorted(set(FIELDS) - {"tags", "metadata"})


@given(field=st.sampled_from(REQUIRED))
def test_a_job_missing_a_required_field_names_it(field: str) -> None:
    entry = job_65()
    del entry[field]
    failure = parse_fetch_reply(reply_of({JOB_65: entry}), [JOB_65]).failure()
    assert failure == Bad("$", JOB_65, names=field)


@settings(max_examples=100)
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_a_job_with_one_field_replaced_decodes_or_names_the_job_and_field(
    field: str, value: object
) -> None:
    result = parse_fetch_reply(reply_of({JOB_65: job_65(**{field: value})}), [JOB_65])
    if is_successful(result):
        assert isinstance(result.unwrap().jobs[JOB_65], JobData)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.job_id == JOB_65
    # For a bad dict key msgspec says "- at `key` in `$.x[0]`"; the path is the JSON path.
    assert not failure.path.startswith("key` in `")
    assert failure.path == "$" or failure.path.startswith(f"$.{field}")


@settings(max_examples=100)
@given(document=json_values, requested=st.lists(st.sampled_from([JOB_65, JOB_66]), max_size=2))
def test_any_json_document_gives_data_or_a_documented_failure(
    document: object, requested: list[str]
) -> None:
    result = parse_fetch_reply(json.dumps(document).encode(), requested)
    if is_successful(result):
        assert set(result.unwrap().jobs) == set(requested)
        return
    failure = result.failure()
    assert isinstance(failure, (BadBody, MissingJob))
    assert failure.job_id in (None, *requested)
    if isinstance(failure, BadBody):
        assert failure.path.startswith("$")


@settings(max_examples=100)
@given(warnings=json_values)
def test_any_warnings_value_is_read_or_named(warnings: object) -> None:
    result = parse_fetch_reply(reply_of({"warnings": warnings, JOB_65: job_65()}), [JOB_65])
    if is_successful(result):
        assert isinstance(warnings, list)
        assert result.unwrap().warnings == tuple(w["message"] for w in warnings)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.path.startswith("$.warnings")


@given(st.binary(max_size=200))
def test_any_bytes_give_data_or_a_documented_failure(body: bytes) -> None:
    result = parse_fetch_reply(body, [JOB_65])
    if not is_successful(result):
        assert isinstance(result.failure(), (BadBody, MissingJob))


@given(job_data())
def test_any_job_data_encoded_decodes_to_itself(data: JobData) -> None:
    body = msgspec.json.encode({JOB_65: data})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65] == data
    assert decode_job(JOB_65, msgspec.json.encode(data)).unwrap() == data


# -- one job's JSON, decoded -----------------------------------------------------------------


def test_a_jobs_own_json_decodes_from_bytes_or_raw() -> None:
    own = json.dumps(job_65(target="t2")).encode()
    assert decode_job(JOB_66, own).unwrap().target == "t2"
    assert decode_job(JOB_66, msgspec.Raw(own)).unwrap().target == "t2"


def test_a_jobs_bad_json_names_the_job_and_the_path() -> None:
    bad = json.dumps(job_65(shots=["many"])).encode()
    assert decode_job(JOB_66, bad).failure() == Bad("$.shots[0]", JOB_66)
    failure = decode_job(JOB_65, b"{nope").failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the job's data is not valid JSON (")
    assert (failure.path, failure.job_id) == ("$", JOB_65)


@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_decode_to_a_job_or_a_failure_naming_it(raw: bytes) -> None:
    result = decode_job(JOB_67, raw)
    if not is_successful(result):
        failure = result.failure()
        assert isinstance(failure, BadBody)
        assert failure.job_id == JOB_67


# -- the emulator's replies ------------------------------------------------------------------
# The emulator writes replies from its own definitions (transports/emulator) and sqcore reads
# them: neither imports the other's schema, so a field one of them gets wrong shows.

AUTH = {"Authorization": "any-key"}
UPSTREAM_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # what upstream's pydantic models write


def _create(emulator: Emulator, job: EmulatedJob) -> str:
    return emulator.create_job(**msgspec.structs.asdict(job))


def _get(emulator: Emulator, circuit_type: str, job_ids: list[str]) -> bytes:
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    url = f"/{API_VERSION}/client/job/{circuit_type}?{query}"
    status, _, body = emulator.handle("GET", url, AUTH, None)
    assert status == 200, body
    return body


def _as_object(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def _plain(value: object) -> object:
    """A decoded value in JSON's terms: enums as their values, dict keys as strings."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _instant(text: object) -> datetime.datetime | None:
    if text is None:
        return None
    assert isinstance(text, str)
    moment = datetime.datetime.strptime(text, UPSTREAM_TIMESTAMP)
    return moment.replace(tzinfo=datetime.timezone.utc)


def _assert_same_values(data: JobData, written: dict[str, object]) -> None:
    """Every field the emulator wrote decodes to the value it wrote, and nothing is missing."""
    assert set(written) == set(JobData.__struct_fields__)
    for name, value in written.items():
        decoded = getattr(data, name)
        if name == "submission_timestamp":
            assert decoded == _instant(value), name
        elif name == "last_updated_timestamp":
            assert isinstance(value, list)
            assert decoded == [_instant(item) for item in value], name
        else:
            assert _plain(decoded) == value, name


@settings(max_examples=60)
@given(
    job=emulated_jobs(),
    before_cancel=st.floats(0, 60),
    cancel=st.booleans(),
    after_cancel=st.floats(0, 60),
)
def test_a_job_the_emulator_writes_decodes_to_the_same_values(
    job: EmulatedJob, before_cancel: float, cancel: bool, after_cancel: float
) -> None:
    clock = FakeClock()
    emulator = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    created_at = clock.now
    job_id = _create(emulator, job)
    clock.advance(before_cancel)
    if cancel:
        open_at_cancel = any(clock.now < created_at + d for d in job.durations)
        cancel_body = msgspec.json.encode({"job_id": [job_id]})
        url = f"/{API_VERSION}/client/cancel_jobs"
        status, _, reply = emulator.handle("PUT", url, AUTH, cancel_body)
        assert status == 200
        succeeded = parse_cancel_reply(reply).unwrap().succeeded
        assert succeeded == ((job_id,) if open_at_cancel else ())
        clock.advance(after_cancel)

    body = _get(emulator, job.circuit_type, [job_id])
    result = parse_fetch_reply(body, [job_id])
    assert is_successful(result), result
    data = result.unwrap().jobs[job_id]
    _assert_same_values(data, _as_object(_as_object(msgspec.json.decode(body))[job_id]))

    # And against what the job was created with, independently of both decoders.
    assert data.num_circuits == job.num_circuits == len(data.statuses)
    assert data.shots == [job.shots] * job.num_circuits
    assert data.target == job.target
    assert data.circuit_type.value == job.circuit_type
    assert data.dry_run is job.dry_run
    assert tuple(data.tags) == job.tags
    assert data.metadata == job.metadata
    assert data.submission_timestamp == datetime.datetime.fromtimestamp(
        EPOCH + created_at, tz=datetime.timezone.utc
    )
    for index, status_ in enumerate(data.statuses):
        if status_ is CircuitStatus.FAILED:
            assert data.status_messages[index] == job.fail[index]
        if status_ is CircuitStatus.COMPLETED:
            counts = data.counts[index]
            assert counts is not None and sum(counts.values()) == job.shots
    assert result.unwrap().warnings == (() if job.warn is None else (job.warn,))


@settings(max_examples=30)
@given(jobs=st.lists(emulated_jobs(), min_size=1, max_size=4), elapsed=st.floats(0, 60))
def test_a_batch_reply_decodes_every_job_and_warning_in_order(
    jobs: list[EmulatedJob], elapsed: float
) -> None:
    clock = FakeClock()
    emulator = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    ids = [_create(emulator, job) for job in jobs]
    clock.advance(elapsed)
    body = _get(emulator, "cirq", ids)
    result = parse_fetch_reply(body, ids).unwrap()
    assert list(result.jobs) == ids
    written = _as_object(msgspec.json.decode(body))
    for job_id in ids:
        _assert_same_values(result.jobs[job_id], _as_object(written[job_id]))
    assert result.warnings == tuple(job.warn for job in jobs if job.warn is not None)


# -- the poll: statuses only ----------------------------------------------------------------


S = CircuitStatus
TWO = fixture("fetch_two_jobs.json")


def test_a_poll_reads_the_statuses_of_the_requested_jobs() -> None:
    result = parse_poll_reply(TWO, [JOB_68, JOB_65]).unwrap()
    assert list(result.statuses) == [JOB_68, JOB_65]
    assert result.statuses[JOB_68] == (S.PENDING, S.PENDING)
    assert result.statuses[JOB_65] == (S.COMPLETED,)
    assert result.warnings == ()


def test_a_job_cut_out_of_a_batch_is_a_reply_of_its_own_for_a_later_decode() -> None:
    body = reply_of({JOB_65: job_65(), JOB_66: job_65(target="t2")})
    replies = one_job_replies(body, [JOB_66]).unwrap()
    assert list(replies) == [JOB_66]
    assert json.loads(replies[JOB_66]) == {JOB_66: job_65(target="t2")}
    assert parse_fetch_reply(replies[JOB_66], [JOB_66]).unwrap().jobs[JOB_66].target == "t2"


def test_a_job_cut_out_does_not_hold_the_batch_reply() -> None:
    padding = "x" * 100_000
    raw = json.loads(TWO)
    raw[JOB_68]["input_circuits"] = [padding, padding]
    replies = one_job_replies(json.dumps(raw).encode(), [JOB_65]).unwrap()
    assert len(replies[JOB_65]) < 3_000


def test_cutting_out_a_job_the_reply_lacks_names_it() -> None:
    assert one_job_replies(TWO, [JOB_66]).failure() == MissingJob(JOB_66)
    assert isinstance(one_job_replies(b"[]", [JOB_65]).failure(), BadBody)


def test_a_poll_checks_the_statuses_and_leaves_the_rest_to_the_decode() -> None:
    body = reply_of({JOB_65: job_65(shots=["not checked by a poll"])})
    assert parse_poll_reply(body, [JOB_65]).unwrap().statuses[JOB_65] == (S.COMPLETED,)
    # ...but the full decode, when someone reads the data, names the job and the path.
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert failure == Bad("$.shots[0]", JOB_65)
    # The whole body is still JSON that a poll reads.
    assert not is_successful(parse_poll_reply(body[:-2] + b"]}", [JOB_65]))


@pytest.mark.parametrize(
    ("body", "requested", "expected"),
    [
        (
            reply_of({JOB_65: job_65(statuses=[7])}),
            [JOB_65],
            Bad("$.statuses[0]", JOB_65),
        ),
        (
            reply_of({JOB_65: {"target": "no statuses"}}),
            [JOB_65],
            Bad("$", JOB_65, names="statuses"),
        ),
        (b'{"x": 1}', ["x"], Bad("$", "x")),
        (
            reply_of({JOB_65: [{"message": "not a job"}]}),
            [JOB_65],
            Bad("$", JOB_65),
        ),
        (TWO, [JOB_65, JOB_66], MissingJob(JOB_66)),
        (
            b"[]",
            [JOB_65],
            Bad(ours="the reply is not a JSON object of jobs ("),
        ),
        (
            b"{nope",
            [JOB_65],
            Bad(ours="the reply is not valid JSON ("),
        ),
        (
            reply_of({"warnings": {"statuses": ["running"]}, JOB_65: job_65()}),
            [JOB_65],
            Bad("$.warnings"),
        ),
        (
            reply_of({"warnings": [{"msg": "x"}], JOB_65: job_65()}),
            [JOB_65],
            Bad("$.warnings[0]", names="message"),
        ),
    ],
)
def test_a_bad_poll_fails_naming_the_job_and_the_path_as_the_full_parse_does(
    body: bytes, requested: list[str], expected: ApiFailure | Bad
) -> None:
    assert parse_poll_reply(body, requested).failure() == expected
    assert parse_fetch_reply(body, requested).failure() == expected


@pytest.mark.parametrize(
    ("body", "path", "job_id", "start"),
    [
        (b'{"\x80": {"statuses": ["running"]}}', "$", None, "the reply is not valid JSON ("),
        (b'{"warnings": [{"message": "\xc3"}]}', "$.warnings", None, "a warning is not valid"),
        (
            b'{"' + JOB_65.encode() + b'": {"statuses": ["\x80"]}}',
            "$",
            JOB_65,
            "a status is not valid JSON (",
        ),
    ],
)
def test_text_that_is_not_utf8_is_a_failure_naming_where_it_is(
    body: bytes, path: str, job_id: str | None, start: str
) -> None:
    failure = parse_poll_reply(body, [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert (failure.path, failure.job_id) == (path, job_id)
    assert failure.message.startswith(start)


def test_unknown_statuses_are_warned_about_in_the_same_pass_after_the_servers() -> None:
    raw = json.loads(TWO)
    raw[JOB_65]["statuses"] = ["warping"]
    raw[JOB_68]["statuses"] = ["pending", "zzz"]
    raw["warnings"] = [{"message": "maintenance at noon"}]
    result = parse_poll_reply(json.dumps(raw).encode(), [JOB_68, JOB_65]).unwrap()
    assert result.statuses[JOB_68] == (S.PENDING, S.UNRECOGNIZED)
    assert result.statuses[JOB_65] == (S.UNRECOGNIZED,)
    assert result.warnings == (
        "maintenance at noon",
        f"Job {JOB_68}: circuit 1 has status 'zzz', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
        f"Job {JOB_65}: circuit 0 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )
    full = parse_fetch_reply(json.dumps(raw).encode(), [JOB_68, JOB_65]).unwrap()
    assert result.warnings == full.warnings


def test_a_poll_does_not_warn_about_the_literal_status_unrecognized() -> None:
    body = reply_of({JOB_65: job_65(statuses=["unrecognized", "completed"])})
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result.statuses[JOB_65] == (S.UNRECOGNIZED, S.COMPLETED)
    assert result.warnings == ()


def test_entries_not_requested_may_be_anything() -> None:
    body = reply_of({"warnings": [{"message": "w"}], "other": "surprise", JOB_65: job_65()})
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result.statuses == {JOB_65: (S.COMPLETED,)}
    assert result.warnings == ("w",)


def test_an_unknown_status_read_job_by_job_is_warned_about_naming_the_job() -> None:
    """ "other" is no job: the one pass fails and each requested job is read alone."""
    body = reply_of({"other": "surprise", JOB_65: job_65(statuses=["teleporting"])})
    for read in (parse_poll_reply, parse_fetch_reply):
        assert read(body, [JOB_65]).unwrap().warnings == (
            f"Job {JOB_65}: circuit 0 has status 'teleporting', which this client does not "
            "know; it is treated as 'unrecognized' (terminal).",
        )


def test_a_poll_of_no_jobs_reads_only_the_warnings() -> None:
    assert parse_poll_reply(b'{"warnings": [{"message": "w"}]}', []).unwrap() == PollResult(
        {}, ("w",)
    )


# -- properties ------------------------------------------------------------------------------

_requested = st.lists(st.sampled_from([JOB_65, JOB_66]), min_size=1, max_size=2, unique=True)


@given(
    st.binary(max_size=100) | json_values.map(lambda v: json.dumps(v).encode()),
    _requested,
)
def test_any_bytes_give_statuses_or_a_documented_failure(body: bytes, requested: list[str]) -> None:
    result = parse_poll_reply(body, requested)
    if is_successful(result):
        assert list(result.unwrap().statuses) == requested
        return
    failure = result.failure()
    assert isinstance(failure, (BadBody, MissingJob))
    assert failure.job_id in (None, *requested)


@settings(max_examples=100)
@given(
    st.dictionaries(st.sampled_from([JOB_65, JOB_66, JOB_68]), job_data(), min_size=1),
    st.lists(st.text(max_size=10), max_size=2),
)
def test_a_poll_agrees_with_the_full_parse_on_any_jobs(
    jobs: dict[str, JobData], server_warnings: list[str]
) -> None:
    body = msgspec.json.encode({**jobs, "warnings": [{"message": w} for w in server_warnings]})
    poll = parse_poll_reply(body, list(jobs)).unwrap()
    full = parse_fetch_reply(body, list(jobs)).unwrap()
    assert poll.warnings == full.warnings == tuple(server_warnings)
    replies = one_job_replies(body, list(jobs)).unwrap()
    for job_id, data in jobs.items():
        assert poll.statuses[job_id] == tuple(data.statuses) == tuple(full.jobs[job_id].statuses)
        assert parse_fetch_reply(replies[job_id], [job_id]).unwrap().jobs[job_id] == data


@settings(max_examples=100)
@given(field=st.sampled_from(sorted(JobData.__struct_fields__)), value=json_values)
def test_a_poll_fails_only_on_the_statuses(field: str, value: object) -> None:
    result = parse_poll_reply(reply_of({JOB_65: job_65(**{field: value})}), [JOB_65])
    if field != "statuses":
        assert result.unwrap().statuses[JOB_65] == (S.COMPLETED,)
    elif not is_successful(result):
        failure = result.failure()
        assert isinstance(failure, BadBody)
        assert (failure.job_id, failure.path.startswith("$")) == (JOB_65, True)
    else:
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)


@settings(max_examples=100)
@given(st.binary(max_size=60) | json_values.map(lambda v: json.dumps(v).encode()), _requested)
def test_the_one_pass_and_the_job_by_job_reading_agree_on_any_bytes(
    body: bytes, requested: list[str]
) -> None:
    # An entry nobody asked for may be anything: a reply with one is read job by job.
    polluted = (
        body[:-1] + b', "other": "surprise"}' if body.endswith(b"}") and len(body) > 2 else body
    )
    for reply in (body, polluted):
        poll, full = parse_poll_reply(reply, requested), parse_fetch_reply(reply, requested)
        if is_successful(full):
            assert poll.unwrap().statuses == {
                job_id: tuple(data.statuses) for job_id, data in full.unwrap().jobs.items()
            }


# -- bytes that are not UTF-8 ----------------------------------------------------------------
# msgspec before 0.23 raised UnicodeDecodeError for a JSON string that is not UTF-8, and a
# DecodeError from 0.23 on: either is a failure value here, never an exception.


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_fetch_reply(b'{"\x80": 1}', [JOB_65]),
        lambda: parse_fetch_reply(b'{"warnings": [{"message": "\xc3"}]}', []),
        lambda: parse_poll_reply(b'{"warnings": [{"message": "\xc3"}]}', []),
        lambda: decode_job(JOB_65, b'{"target": "\x80"}'),
    ],
    ids=["fetch, a key", "fetch, a warning", "poll, a warning", "job, a field"],
)
def test_a_json_string_that_is_not_utf8_is_a_failure_not_an_exception(
    call: Callable[[], Result[object, ApiFailure]],
) -> None:
    assert not is_successful(call())


# -- replies nested past the decoder's recursion limit ----------------------------------------

TOO_DEEP = "nests arrays or objects too deeply to be read"


@pytest.mark.parametrize("key", ["metadata", "unknown_field"])
@pytest.mark.parametrize(
    "read",
    [parse_poll_reply, parse_fetch_reply, one_job_replies],
    ids=["poll", "fetch", "cut out"],
)
def test_a_reply_nested_too_deeply_is_a_failure_at_the_root_not_a_recursion_error(
    read: Callable[[bytes, list[str]], Result[object, ApiFailure]], key: str
) -> None:
    body = nested_reply(JOB_65, key=key)

    failure = read(body, [JOB_65]).failure()

    assert failure == BadBody(f"the reply {TOO_DEEP}", "$")


def test_one_jobs_data_nested_too_deeply_is_a_failure_naming_the_job() -> None:
    document = b'{"metadata": ' + nested() + b"}"

    failure = decode_job(JOB_66, document).failure()

    assert failure == BadBody(f"the job's data {TOO_DEEP}", "$", JOB_66)


@pytest.mark.parametrize("parse", [parse_poll_reply, parse_fetch_reply], ids=["poll", "full"])
def test_a_job_that_is_an_array_and_warnings_that_are_an_object_are_named(
    parse: Callable[[bytes, list[str]], Result[object, ApiFailure]],
) -> None:
    array = parse(reply_of({JOB_65: []}), [JOB_65])
    # "warnings" that read as a job in the one pass: sqcore's own check, and its words
    warnings = parse(reply_of({JOB_65: job_65(), "warnings": job_65()}), [JOB_65])
    assert array.failure() == BadBody("Expected `object`, got `array`", "$", JOB_65)
    assert warnings.failure() == BadBody("Expected `array`, got `object`", "$.warnings")
