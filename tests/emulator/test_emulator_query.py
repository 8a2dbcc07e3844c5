"""The emulator answers upstream's `JobQuery` on `GET /client/job/{type}`: the values of one
parameter OR, the parameters AND; no parameter lists every job; a value that is not valid
is a 422 naming the parameter (msgspec words the rest of some sentences: not asserted). A
property holds the answer to a model written here from the jobs' own JSON."""

from __future__ import annotations

import datetime
import urllib.parse

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.emulator.support import FETCH, KEY, WALL, as_dict, call, created_id, detail, new_job
from tests.fakes import FakeClock
from tests.strategies import EmulatedJob, emulated_jobs
from transports.emulator import Emulator

STATUSES = ["received", "awaiting_simulation", "simulating", "completed", "failed", "cancelled"]


@pytest.fixture
def emu(clock: FakeClock) -> Emulator:
    """An emulator whose jobs are submitted a second apart (the wall clock follows the
    fake one)."""
    return Emulator(api_key=KEY, clock=clock, wall_clock=lambda: WALL + clock.now)


def found(emu: Emulator, *pairs: tuple[str, str]) -> list[str]:
    """The ids of the jobs the query finds, in the reply's order."""
    status, _, reply = call(emu, "GET", f"{FETCH}?{urllib.parse.urlencode(pairs)}")
    assert status == 200, reply
    return [key for key in as_dict(reply) if key != "warnings"]


def refused(emu: Emulator, *pairs: tuple[str, str]) -> str:
    status, _, reply = call(emu, "GET", f"{FETCH}?{urllib.parse.urlencode(pairs)}")
    assert status == 422
    return detail(reply)


def iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat()


def test_a_query_without_parameters_lists_every_job_in_the_order_made(
    emu: Emulator, clock: FakeClock
) -> None:
    made = []
    for _ in range(3):
        made.append(emu.create_job())
        clock.advance(1)

    assert found(emu) == made


def test_values_of_one_parameter_or_and_parameters_and(emu: Emulator) -> None:
    a = emu.create_job(tags=("red",), target="ss_unconstrained_simulator")
    b = emu.create_job(tags=("blue", "x"), target="ibmq_brisbane_qpu")
    c = emu.create_job(tags=("red", "blue"), target="ibmq_brisbane_qpu")
    emu.create_job(tags=(), target="ibmq_brisbane_qpu")

    assert found(emu, ("tags", "red")) == [a, c]
    assert found(emu, ("tags", "red"), ("tags", "x")) == [a, b, c]
    assert found(emu, ("tags", "red"), ("target_name", "ibmq_brisbane_qpu")) == [c]
    assert found(emu, ("tags", "none-has-it")) == []


def test_a_job_matches_a_status_when_any_circuit_has_it(emu: Emulator, clock: FakeClock) -> None:
    mixed = emu.create_job(num_circuits=2, durations=[0.0, 60.0])
    done = emu.create_job(durations=0.0)
    clock.advance(1)

    assert found(emu, ("status", "completed")) == [mixed, done]
    assert found(emu, ("status", "received")) == [mixed]
    assert found(emu, ("status", "received"), ("status", "failed")) == [mixed]
    clock.advance(60)
    assert found(emu, ("status", "received")) == []


def test_job_ids_narrow_a_query_and_keep_the_order_asked(emu: Emulator) -> None:
    first = emu.create_job(tags=("t",))
    second = emu.create_job(tags=("t",))
    other = emu.create_job()

    assert found(emu, ("job_id", second), ("job_id", first), ("job_id", other)) == [
        second,
        first,
        other,
    ]
    assert found(emu, ("job_id", other), ("job_id", second), ("tags", "t")) == [second]


def test_submission_times_bound_a_query_from_the_first_instant_up_to_the_last(
    emu: Emulator, clock: FakeClock
) -> None:
    made = {}
    for second in range(3):
        made[second] = emu.create_job()
        clock.advance(1)
    start = WALL + 1000.0  # the fake clock starts at 1000

    assert found(emu, ("submitted_after", iso(start + 1))) == [made[1], made[2]]
    assert found(emu, ("submitted_before", iso(start + 1))) == [made[0]]
    assert found(
        emu, ("submitted_after", iso(start + 0.5)), ("submitted_before", iso(start + 2))
    ) == [made[1]]
    # The time as the reply writes it finds the job (ISO 8601 with "Z" and microseconds).
    _, _, reply = call(emu, "GET", f"{FETCH}?job_id={made[2]}")
    written = as_dict(as_dict(reply)[made[2]])["submission_timestamp"]
    assert isinstance(written, str)
    assert found(emu, ("submitted_after", written)) == [made[2]]


def test_a_time_without_a_zone_is_taken_as_utc(emu: Emulator) -> None:
    job = emu.create_job()
    naive = datetime.datetime.fromtimestamp(WALL + 1000.0, datetime.timezone.utc)

    assert found(emu, ("submitted_after", naive.replace(tzinfo=None).isoformat())) == [job]
    assert found(emu, ("submitted_before", naive.replace(tzinfo=None).isoformat())) == []


def test_priority_bounds_are_inclusive(emu: Emulator) -> None:
    low, mid, high = (created_id(emu, new_job(priority=p)) for p in (1, 5, 9))

    assert found(emu, ("min_priority", "5")) == [mid, high]
    assert found(emu, ("max_priority", "5")) == [low, mid]
    assert found(emu, ("min_priority", "2"), ("max_priority", "8")) == [mid]


def test_user_emails_match_the_owner(emu: Emulator) -> None:
    job = emu.create_job()

    assert found(emu, ("user_email", "emulator@example.com")) == [job]
    assert found(emu, ("user_email", "someone@else.org")) == []


def test_unknown_parameters_are_ignored_as_upstreams_server_does(emu: Emulator) -> None:
    job = emu.create_job()
    assert found(emu, ("page", "2"), ("colour", "red")) == [job]


@pytest.mark.parametrize(
    ("pairs", "sentence"),
    [
        ((("status", "completed"), ("status", "done")), "query status[1]: 'done' is not one of "),
        ((("min_priority", "high"),), "query min_priority: "),
        ((("max_priority", "1.5"),), "query max_priority: "),
        ((("submitted_after", "yesterday"),), "query submitted_after: "),
        ((("user_email", "nobody"),), "query user_email[0]: 'nobody' is not an email address"),
        ((("job_id", "not-a-uuid"),), "query job_id[0]: 'not-a-uuid' is not a valid UUID"),
    ],
)
def test_a_value_that_is_not_valid_is_a_422_naming_the_parameter(
    emu: Emulator, pairs: tuple[tuple[str, str], ...], sentence: str
) -> None:
    assert refused(emu, *pairs).startswith(sentence)


# --- the answer, held to a model ------------------------------------------------------------


@settings(max_examples=40)
@given(st.lists(emulated_jobs(), min_size=1, max_size=5), st.data())
def test_a_query_finds_exactly_the_jobs_the_model_finds(
    made: list[EmulatedJob], data: st.DataObject
) -> None:
    clock = FakeClock()
    emu = Emulator(api_key=KEY, clock=clock, wall_clock=lambda: WALL + clock.now)
    for job in made:
        emu.create_job(
            num_circuits=job.num_circuits,
            target=job.target,
            durations=job.durations,
            fail=job.fail,
            tags=job.tags,
            job_type=job.job_type,
        )
        clock.advance(data.draw(st.floats(0, 5)))
    every = {job_id: as_dict(value) for job_id, value in _reply(emu, ()).items()}
    assert len(every) == len(made)  # no parameter: every job
    tags = sorted({tag for job in made for tag in job.tags} | {"nobody's"})
    targets = sorted({job.target for job in made})
    query: list[tuple[str, str]] = []
    query += [("tags", tag) for tag in data.draw(st.lists(st.sampled_from(tags), max_size=2))]
    query += [("target_name", t) for t in data.draw(st.lists(st.sampled_from(targets), max_size=2))]
    query += [("status", s) for s in data.draw(st.lists(st.sampled_from(STATUSES), max_size=2))]
    after = data.draw(st.none() | st.floats(WALL + 999, WALL + 1030))
    if after is not None:
        query.append(("submitted_after", iso(after)))

    def model(job: dict[str, object]) -> bool:
        def one_of(name: str, values: list[object]) -> bool:
            wanted = [value for key, value in query if key == name]
            return not wanted or any(value in wanted for value in values)

        written = msgspec.convert(job["submission_timestamp"], datetime.datetime)
        return (
            one_of("tags", list(_listed(job["tags"])))
            and one_of("target_name", [job["target"]])
            and one_of("status", list(_listed(job["statuses"])))
            and (after is None or written >= datetime.datetime.fromisoformat(iso(after)))
        )

    assert list(_reply(emu, tuple(query))) == [key for key, job in every.items() if model(job)]


def _listed(value: object) -> list[object]:
    assert isinstance(value, list)
    return value


def _reply(emu: Emulator, pairs: tuple[tuple[str, str], ...]) -> dict[str, object]:
    status, _, reply = call(emu, "GET", f"{FETCH}?{urllib.parse.urlencode(pairs)}")
    assert status == 200, reply
    return {key: value for key, value in as_dict(reply).items() if key != "warnings"}
