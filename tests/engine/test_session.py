"""`sqcore.engine.session`: what a client knows and says without I/O. Its arguments are
checked (the table `Client`'s own tests use), its requests carry the right headers, its
budgets are fixed when a call begins, and every fault is worded, once, here: the words the
documented exceptions carry, any secret redacted."""

from __future__ import annotations

import re
import uuid

import pytest

from sqcore.core.endpoints import MAX_URL_LENGTH
from sqcore.core.errors import (
    ApiFailure,
    BadBody,
    Fault,
    MissingJob,
    NetworkFault,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore.core.query import FindAgain, JobQuery
from sqcore.core.retry import GiveUp, MaybeSent, OutOfTime
from sqcore.engine.session import MIN_ATTEMPT_SECONDS, Budget, Session
from tests.engine.feed import HOST, KEY, session
from tests.fakes import untyped
from tests.fixtures import JOB_65
from tests.shell.test_arguments import BAD_CLIENT_ARGUMENTS

FIND = FindAgain("The job may have been created: look for it.", "sqcore-submission:t")


@pytest.mark.parametrize(("given", "error", "text"), BAD_CLIENT_ARGUMENTS)
def test_a_bad_argument_is_refused_naming_it(
    given: dict[str, object], error: type[Exception], text: str
) -> None:
    settings: dict[str, object] = {
        "api_key": KEY,
        "remote_host": HOST,
        "api_version": "v0.3.0",
        "circuit_type": "cirq",
        "client_name": "sqcore",
        "max_retry_seconds": 60.0,
        "request_timeout_seconds": 30.0,
    }
    credentials = {name: value for name, value in given.items() if name not in settings}
    settings.update((name, value) for name, value in given.items() if name in settings)
    key, host = settings.pop("api_key"), settings.pop("remote_host")
    with pytest.raises(error, match=text):
        untyped(Session)(key, host, credentials=credentials, **settings)


def test_its_settings_are_read_as_given_and_its_repr_has_no_key() -> None:
    made = session(max_retry_seconds=5, request_timeout_seconds=2, ibmq_token="tok-1234")
    assert (made.remote_host, made.url, made.api_version) == (HOST, HOST + "/v0.3.0", "v0.3.0")
    assert (made.max_retry_seconds, made.request_timeout_seconds) == (5.0, 2.0)
    assert made.circuit_type.value == "cirq" and made.client_name == "sqcore-engine-test"
    assert made.describe(object()) == (
        f"(remote_host={HOST!r}, api_version='v0.3.0', circuit_type='cirq', "
        "client_name='sqcore-engine-test', transport=object)"
    )


def test_every_request_carries_the_key_and_a_calls_credentials_are_secrets_from_then_on() -> None:
    made = session(ibmq_token="client-token")
    own = made.headers({})
    assert own["Authorization"] == KEY and own["ibmq_token"] == "client-token"
    assert made.headers({}) is own  # the client's own, made once
    assert made.redact("call-token") == "call-token"  # not a secret yet

    headers = made.headers({"cq_token": "call-token"})

    assert headers["cq_token"] == "call-token" and headers["ibmq_token"] == "client-token"
    assert made.redact("echo call-token") == "echo <redacted>"
    with pytest.raises(TypeError, match="'bad_token'"):
        made.headers({"bad_token": "x"})


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        KEY.upper(),
        "".join(f"\\u{ord(c):04x}" for c in KEY),
        KEY.replace("-", "\\u002d"),
    ],
    ids=["as sent", "in capitals", "all escaped", "partly escaped"],
)
def test_an_echoed_secret_is_redacted_in_any_form(echo: str) -> None:
    assert session().redact(f"<{echo}>") == "<<redacted>>"


def test_the_longest_secret_is_redacted_first_and_a_short_one_not_at_all() -> None:
    made = session(ibmq_token=KEY + "-longer", cq_token="abc")
    assert made.redact(f"{KEY}-longer and {KEY} and abc") == "<redacted> and <redacted> and abc"


def test_slashes_and_quotes_escaped_by_json_are_redacted() -> None:
    made = session(ibmq_token='a/b"c\\d')
    assert made.redact('x a\\/b\\"c\\\\d y') == "x <redacted> y"


def test_a_budget_ends_its_retries_at_the_sooner_of_its_own_end_and_the_deadline() -> None:
    made = session(max_retry_seconds=10)
    assert made.budget(100.0, None) == Budget(None, 110.0, 100.0 + MIN_ATTEMPT_SECONDS)
    assert made.budget(100.0, 105.0) == Budget(105.0, 105.0, 101.0)
    assert made.budget(100.0, 200.0) == Budget(200.0, 110.0, 101.0)


def test_fetches_are_batches_with_their_requests_and_what_they_do() -> None:
    made = session()
    ids = [str(uuid.UUID(int=n)) for n in range(100)]

    fetches = made.fetches(ids, made.headers({}))

    assert [len(batch) for batch, _, _ in fetches] == [89, 11]
    batch, make_request, what = fetches[1]
    request = make_request(2.5)
    assert (request.method, request.timeout, request.headers["Authorization"]) == ("GET", 2.5, KEY)
    assert request.url.endswith("&job_id=".join(batch))
    assert what == "fetching job(s) " + ", ".join(batch)


def test_a_cancel_puts_its_ids() -> None:
    made = session()
    request = made.cancel([JOB_65], made.headers({}))(1.0)
    assert (request.method, request.body) == ("PUT", f'{{"job_id":["{JOB_65}"]}}'.encode())
    assert request.url == f"{HOST}/v0.3.0/client/cancel_jobs"


def test_a_submission_adds_its_tag_only_when_asked() -> None:
    made = session()
    given: dict[str, object] = {"target": "t", "tags": ["mine"]}
    random_id = uuid.UUID(int=9)

    plain = made.submission("c", given, random_id)
    tagged = made.submission("c", {**given, "submission_tag": True}, random_id)

    assert (plain.what, plain.tag, plain.tags, plain.target) == (
        "submitting a job to t",
        None,
        ("mine",),
        "t",
    )
    assert tagged.tag == f"sqcore-submission:{random_id}" and tagged.tags == ("mine",)
    assert b'"tags":["mine"]' in (plain.request(1.0).body or b"")
    body = tagged.request(1.0).body or b""
    assert f'"tags":["mine","sqcore-submission:{random_id}"]'.encode() in body


def test_a_query_too_long_for_a_url_is_refused_saying_how_long() -> None:
    made = session()
    many = tuple(str(uuid.UUID(int=n)) for n in range(120))
    with pytest.raises(ValueError, match=r"^the query is \d+ characters long as a URL, over"):
        made.find(JobQuery(job_ids=many))
    request = made.find(JobQuery(tags=("a",)))(3.0)
    assert request.url == f"{HOST}/v0.3.0/client/job/cirq?tags=a"


# -- the words of faults ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "fault"),
    [
        (Unauthorized(f"no {KEY}"), Fault("server", "no <redacted>", 401)),
        (
            ServerError(500, f"kaput {KEY}"),
            Fault("server", "kaput <redacted>", 500, contact_info=True),
        ),
        (
            ServerError(504, "slow", contact_info=False),
            Fault("server", "slow", 504, contact_info=False),
        ),
        (
            MissingJob(JOB_65),
            Fault(
                "superstaq",
                f"The server's reply has no data for job {JOB_65}: it may not exist, or it may "
                "belong to another user.",
            ),
        ),
        (
            NetworkFault("tls", f"tls: bad {KEY}"),
            Fault("superstaq", "Request failed while fetching: tls: bad <redacted>"),
        ),
        (Retryable("503 busy"), Fault("superstaq", "Request failed while fetching: 503 busy")),
        (
            BadBody("Expected `int`", "$.shots[0]", JOB_65),
            Fault(
                "superstaq",
                f"Could not read the server's reply for job {JOB_65}: Expected `int` "
                "(at $.shots[0])",
            ),
        ),
        (
            BadBody(f"not JSON {KEY}"),
            Fault(
                "superstaq",
                "Could not read the server's reply for fetching: not JSON <redacted> (at $)",
            ),
        ),
    ],
    ids=["401", "500", "504", "missing", "network", "retryable", "bad job", "bad body"],
)
def test_a_failure_no_retry_can_fix_is_worded_once(failure: ApiFailure, fault: Fault) -> None:
    made = session()
    assert made.given_up(failure, "fetching") == fault
    assert made.fault(GiveUp(failure), "fetching") == fault


def test_retries_run_out_in_upstreams_words() -> None:
    fault = session().fault(OutOfTime(Retryable(f"503 {KEY}")), "fetching")
    assert fault == Fault(
        "retries", "Reached maximum number of retries. Last error: 503 <redacted>"
    )


def test_a_submission_maybe_taken_says_so_with_its_tag_and_how_to_find_it() -> None:
    made = session()
    lost = made.fault(MaybeSent(NetworkFault("timeout", "timeout: slow")), "submitting", FIND)
    failed = made.fault(MaybeSent(ServerError(502, "bad gateway")), "submitting", FIND)
    sentence = made.fault(MaybeSent(ServerError(500, "Oops!")), "submitting", FIND)

    assert lost == Fault(
        "superstaq",
        "Request failed while submitting, after it was sent: timeout: slow. " + FIND.advice,
        may_have_been_created=True,
        submission_tag=FIND.tag,
    )
    assert failed == Fault(
        "server",
        "bad gateway. " + FIND.advice,
        502,
        contact_info=True,
        may_have_been_created=True,
        submission_tag=FIND.tag,
    )
    assert sentence.message == "Oops! " + FIND.advice


def test_only_a_submission_can_be_maybe_sent() -> None:
    with pytest.raises(AssertionError, match=re.escape("fetching: a request that may be")):
        session().fault(MaybeSent(NetworkFault("timeout", "t")), "fetching")


def test_every_request_says_who_is_asking_and_in_which_version() -> None:
    made = session()
    for headers in (made.headers({}), made.headers({"cq_token": "call-token"})):
        assert headers["Authorization"] == KEY
        assert headers["X-Client-Name"] == "sqcore-engine-test"
        assert headers["X-Client-Version"] == "v0.3.0"
    (_, make_request, _), *_ = made.fetches([JOB_65], made.headers({}))
    assert make_request(1.0).url == f"{HOST}/v0.3.0/client/job/cirq?job_id={JOB_65}"


def test_a_submission_posts_to_its_endpoint_with_its_calls_credentials() -> None:
    made = session()
    submitting = made.submission("c", {"target": "t", "cq_token": "call-token"}, uuid.UUID(int=1))
    request = submitting.request(1.0)
    assert (request.method, request.url) == ("POST", f"{HOST}/v0.3.0/client/job")
    assert request.headers["cq_token"] == "call-token"


def test_a_query_fits_up_to_the_longest_url_and_not_a_character_more() -> None:
    made = session()
    base = len(f"{HOST}/v0.3.0/client/job/cirq?tags=")
    fits = "a" * (MAX_URL_LENGTH - base)
    made.find(JobQuery(tags=(fits,)))
    with pytest.raises(ValueError) as caught:
        made.find(JobQuery(tags=(fits + "a",)))
    assert str(caught.value) == (
        f"the query is {MAX_URL_LENGTH + 1} characters long as a URL, over the "
        f"{MAX_URL_LENGTH} that fit: give fewer job_ids, tags or other values (or fetch_jobs "
        "for many ids)"
    )


def test_a_secret_of_four_characters_is_redacted_and_a_longer_one_first() -> None:
    made = session(ibmq_token="azzzzb", cq_token="zzzz")
    assert made.redact("azzzzb zzzz") == "<redacted> <redacted>"


@pytest.mark.parametrize("message", ["Done.", "Why?", "Stop!"])
def test_a_servers_sentence_is_not_ended_twice(message: str) -> None:
    fault = session().fault(MaybeSent(ServerError(500, message)), "submitting", FIND)
    assert fault.message == f"{message} {FIND.advice}"
