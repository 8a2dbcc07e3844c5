"""`sqcore.core.query`: finding jobs again. A `JobQuery` as the URL upstream's client would send
(`query_url`), the reply read into each job found by its canonical id (`parse_query_reply`),
and the advice a submission that may have been created gives (`find_again`).

The URL is read back with the standard library, never compared as text with itself; the
advice is run as Python, so the call it names is held to find the job.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
import uuid

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from sqcore.core.endpoints import fetch_url
from sqcore.core.errors import BadBody
from sqcore.core.models import CircuitStatus, CircuitType, JobData
from sqcore.core.query import (
    CLOCK_SKEW_SECONDS,
    SUBMISSION_TAG_PREFIX,
    JobQuery,
    build_query_request,
    find_again,
    parse_query_reply,
    query_pairs,
    query_url,
    submission_tag,
)
from sqcore.core.replies import one_job_reply
from tests.fixtures import JOB_65, fixture
from tests.strategies import job_data, statuses

BASE = "https://superstaq.example/v0.3.0"
#: Upstream `JobQuery`'s fields, in its order (written out here, not read from the code).
UPSTREAM_ORDER = [
    "user_email",
    "job_id",
    "target_name",
    "status",
    "tags",
    "min_priority",
    "max_priority",
    "submitted_before",
    "submitted_after",
]

_zones = st.builds(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)),
    st.integers(-14 * 60, 14 * 60),
)
aware_times = st.datetimes(
    min_value=datetime.datetime(1970, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=_zones,
)
_texts = st.lists(st.text(max_size=12), max_size=3).map(tuple)
_ids = st.lists(st.uuids().map(str), max_size=3).map(tuple)
queries = st.builds(
    JobQuery,
    user_emails=st.lists(st.emails(), max_size=2).map(tuple),
    job_ids=_ids,
    targets=_texts,
    statuses=st.lists(statuses, max_size=3).map(tuple),
    tags=_texts,
    min_priority=st.none() | st.integers(-(10**6), 10**6),
    max_priority=st.none() | st.integers(-(10**6), 10**6),
    submitted_before=st.none() | aware_times,
    submitted_after=st.none() | aware_times,
)


def read_back(url: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


# -- the URL ---------------------------------------------------------------------------------


@given(queries, st.sampled_from(list(CircuitType)))
def test_a_query_url_reads_back_as_one_pair_per_value_in_upstreams_order(
    query: JobQuery, circuit_type: CircuitType
) -> None:
    url = query_url(BASE, circuit_type, query)

    assert url.split("?")[0] == f"{BASE}/client/job/{circuit_type.value}"
    pairs = read_back(url)
    assert pairs == query_pairs(query)
    names = [name for name, _ in pairs]
    assert names == sorted(names, key=UPSTREAM_ORDER.index)
    values = {name: [value for key, value in pairs if key == name] for name in UPSTREAM_ORDER}
    assert values["user_email"] == list(query.user_emails)
    assert values["job_id"] == list(query.job_ids)
    assert values["target_name"] == list(query.targets)
    assert values["status"] == [status.value for status in query.statuses]
    assert values["tags"] == list(query.tags)
    assert values["min_priority"] == (
        [] if query.min_priority is None else [str(query.min_priority)]
    )
    assert values["max_priority"] == (
        [] if query.max_priority is None else [str(query.max_priority)]
    )


@given(queries)
def test_times_are_sent_in_iso_8601_utc_and_name_the_same_instant(query: JobQuery) -> None:
    sent = dict(query_pairs(query))
    for name, given_time in (
        ("submitted_before", query.submitted_before),
        ("submitted_after", query.submitted_after),
    ):
        if given_time is None:
            assert name not in sent
            continue
        assert sent[name].endswith("+00:00")
        assert datetime.datetime.fromisoformat(sent[name]) == given_time


@given(_ids)
def test_a_query_of_job_ids_alone_is_the_fetch_url(job_ids: tuple[str, ...]) -> None:
    query = JobQuery(job_ids=job_ids)
    assert query_url(BASE, CircuitType.QISKIT, query) == fetch_url(
        BASE, CircuitType.QISKIT, job_ids
    )


def test_an_empty_query_has_no_query_string_and_the_request_is_a_get() -> None:
    request = build_query_request(BASE, CircuitType.CIRQ, JobQuery(), {"Authorization": "k"}, 7.0)

    assert request.method == "GET"
    assert request.url == f"{BASE}/client/job/cirq"
    assert request.body is None
    assert request.timeout == 7.0


def test_values_are_form_encoded_as_upstreams_client_encodes_them() -> None:
    query = JobQuery(
        tags=("a b", "x&y=z", "é"),
        statuses=(CircuitStatus.RUNNING,),
        submitted_after=datetime.datetime(2027, 1, 15, 9, 30, tzinfo=datetime.timezone.utc),
    )

    assert query_url(BASE, CircuitType.CIRQ, query).split("?")[1] == (
        "status=running&tags=a+b&tags=x%26y%3Dz&tags=%C3%A9"
        "&submitted_after=2027-01-15T09%3A30%3A00%2B00%3A00"
    )


# -- the reply -------------------------------------------------------------------------------


def reply_with(jobs: dict[str, JobData], extra: bytes = b"") -> bytes:
    entries = [one_job_reply(key, msgspec.json.encode(data))[1:-1] for key, data in jobs.items()]
    return b"{" + b",".join(entries) + extra + b"}"


@given(st.dictionaries(st.uuids(), job_data(), max_size=4), st.booleans())
def test_every_job_of_a_reply_is_read_by_its_canonical_id(
    jobs: dict[uuid.UUID, JobData], upper: bool
) -> None:
    keyed = {(str(key).upper() if upper else str(key)): data for key, data in jobs.items()}
    found = parse_query_reply(reply_with(keyed), ()).unwrap()

    assert found.jobs == {str(key): data for key, data in jobs.items()}
    assert found.warnings == ()


def fixture_entry() -> bytes:
    """The one job of the fixture reply, as its JSON object."""
    entries = msgspec.json.decode(fixture("fetch_completed_single.json"), type=RawEntries)
    return bytes(entries[JOB_65])


RawEntries = dict[str, msgspec.Raw]


def test_the_warnings_of_a_reply_are_kept_and_not_taken_for_a_job() -> None:
    with_warning = b'{"%s": %s, "warnings": [{"message": "slow"}]}' % (
        JOB_65.encode(),
        fixture_entry(),
    )

    found = parse_query_reply(with_warning, ()).unwrap()

    assert list(found.jobs) == [JOB_65]
    assert found.warnings == ("slow",)


def test_a_key_that_is_not_a_job_id_is_a_bad_reply_that_quotes_it_cut_short() -> None:
    entry = fixture_entry()
    for key, shown in (("nope", "'nope'"), ("x" * 500, "'" + "x" * 80 + "…'")):
        failure = parse_query_reply(b'{"%s": %s}' % (key.encode(), entry), ()).failure()
        assert failure == BadBody(f"the key {shown} is not a job id (a UUID)", "$")


def test_a_bad_field_names_the_job_and_the_path() -> None:
    body = fixture("fetch_completed_single.json").replace(b'"shots": [', b'"shots": ["x", ')

    failure = parse_query_reply(body, ()).failure()

    assert isinstance(failure, BadBody)
    assert (failure.job_id, failure.path) == (JOB_65, "$.shots[0]")


@given(st.dictionaries(st.uuids().map(str), job_data(), min_size=1, max_size=4), st.data())
def test_with_job_ids_given_a_job_not_asked_for_is_left_out(
    jobs: dict[str, JobData], data: st.DataObject
) -> None:
    asked = data.draw(st.lists(st.sampled_from(sorted(jobs)), unique=True))

    found = parse_query_reply(reply_with(jobs), tuple(asked)).unwrap()

    assert set(found.jobs) == (set(asked) if asked else set(jobs))


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_reading_a_reply_never_raises_and_keys_every_job_by_a_canonical_id(body: bytes) -> None:
    found = parse_query_reply(body, ())
    for job_id in found.map(lambda result: list(result.jobs)).value_or([]):
        assert str(uuid.UUID(job_id)) == job_id


# -- finding a submission again --------------------------------------------------------------


def test_a_submission_tag_is_the_prefix_and_a_uuid() -> None:
    random_id = uuid.UUID("0b3f7a51-8a2c-4e55-9d53-1f0e8b2a4c11")
    assert submission_tag(random_id) == f"{SUBMISSION_TAG_PREFIX}{random_id}"
    assert SUBMISSION_TAG_PREFIX == "sqcore-submission:"


def named_call(advice: str) -> dict[str, object]:
    """Runs the `find_jobs(...)` call the advice names, and returns its arguments."""
    match = re.search(r"look for it with (find_jobs\(.*\)) before submitting again\.$", advice)
    assert match is not None, advice
    seen: dict[str, object] = {}
    namespace = {"find_jobs": seen.update, "datetime": datetime.datetime}
    eval(match.group(1), namespace)
    return seen


@given(st.uuids(), _texts, st.floats(0, 4e9))
def test_a_tagged_submission_is_found_by_its_tag_alone(
    random_id: uuid.UUID, tags: tuple[str, ...], started: float
) -> None:
    tag = submission_tag(random_id)

    found = find_again(tag, tags, "ss_unconstrained_simulator", started)

    assert found.tag == tag
    assert found.advice.startswith("The job may have been created: ")
    assert named_call(found.advice) == {"tags": [tag]}


@given(_texts, st.text(min_size=1, max_size=20), st.floats(0, 4e9))
def test_an_untagged_submission_is_found_by_its_tags_or_target_and_when_it_began(
    tags: tuple[str, ...], target: str, started: float
) -> None:
    found = find_again(None, tags, target, started)

    call = named_call(found.advice)
    after = call.pop("submitted_after")
    assert isinstance(after, datetime.datetime)
    assert after.utcoffset() == datetime.timedelta(0)
    assert started - CLOCK_SKEW_SECONDS - 1 < after.timestamp() <= started - CLOCK_SKEW_SECONDS
    assert call == ({"tags": list(tags)} if tags else {"targets": [target]})
    assert found.tag is None
