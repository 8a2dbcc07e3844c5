"""`sqcore.core.errors`: the public exceptions carry upstream's exact texts
(general_superstaq.superstaq_exceptions); the internal failure values are frozen data."""

from __future__ import annotations

import pickle

import pytest

from sqcore.core.errors import (
    BadBody,
    Fault,
    MissingJob,
    NetworkFault,
    RetriesExhaustedError,
    Retryable,
    ServerError,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqUnsuccessfulJobException,
    SuperstaqWarning,
    Unauthorized,
    exception_of,
)
from tests.fakes import untyped

CONTACT = (
    "\n\nIf you would like to contact a member of our team, email us at superstaq@infleqtion.com."
)


def test_superstaq_exception_keeps_its_message() -> None:
    error = SuperstaqException("bad reply")
    assert error.message == "bad reply"
    assert str(error) == "bad reply"
    assert error.args == ("bad reply",)


@pytest.mark.parametrize(
    "error",
    [
        SuperstaqException("x"),
        SuperstaqServerException("x", 500),
        SuperstaqUnsuccessfulJobException("00000000-0000-0000-0000-000000000065", "failed"),
    ],
    ids=["SuperstaqException", "SuperstaqServerException", "SuperstaqUnsuccessfulJobException"],
)
def test_every_exception_says_by_default_that_no_job_may_have_been_created(
    error: SuperstaqException,
) -> None:
    assert error.may_have_been_created is False
    assert error.submission_tag is None


def test_an_exception_after_a_possible_delivery_carries_it_and_the_tag_through_a_pickle() -> None:
    tag = "sqcore-submission:0b3f7a51-8a2c-4e55-9d53-1f0e8b2a4c11"
    for error in (
        SuperstaqException("lost", may_have_been_created=True, submission_tag=tag),
        SuperstaqServerException("kaput", 500, may_have_been_created=True, submission_tag=tag),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.may_have_been_created, copy.submission_tag) == (True, tag)


def test_server_exception_defaults_to_a_non_retriable_400() -> None:
    error = SuperstaqServerException("nope")
    assert error.status_code == 400
    assert str(error) == (
        "nope (Status code: 400, non-retriable error making request to Superstaq API)"
    )
    assert error.message == str(error)
    assert isinstance(error, SuperstaqException)


@pytest.mark.parametrize("status", [401, 404, 500, 504])
def test_server_exception_other_codes_are_shown_as_numbers(status: int) -> None:
    error = SuperstaqServerException("x", status)
    assert error.status_code == status
    assert str(error) == f"x (Status code: {status})"


def test_server_exception_contact_info_is_appended_on_request() -> None:
    assert str(SuperstaqServerException("x", 500, contact_info=True)) == (
        "x (Status code: 500)" + CONTACT
    )
    assert str(SuperstaqServerException("x", 400, True)).endswith("Superstaq API)" + CONTACT)
    assert CONTACT not in str(SuperstaqServerException("x", 500, contact_info=False))


def test_unsuccessful_job_exception_text() -> None:
    error = SuperstaqUnsuccessfulJobException("job-1", "failed")
    assert str(error) == "Job job-1 terminated with status failed."
    assert error.message == str(error)


def test_the_warning_is_a_warning_and_running_out_of_retries_a_timeout() -> None:
    warning = SuperstaqWarning("target retiring")
    assert str(warning) == "target retiring"
    assert warning.args == ("target retiring",)
    assert isinstance(warning, Warning)
    assert issubclass(RetriesExhaustedError, TimeoutError)


def test_failure_values_default_to_the_whole_body_and_carry_their_kind() -> None:
    assert BadBody("m") == BadBody("m", "$", None)
    assert ServerError(500, "m").contact_info is True
    assert Retryable("503").retry_after is None
    kinds = {
        Unauthorized("m").kind,
        Retryable("r").kind,
        NetworkFault("timeout", "r").kind,
        ServerError(500, "m").kind,
        BadBody("m").kind,
        MissingJob("j").kind,
    }
    assert kinds == {"unauthorized", "retryable", "network", "server", "bad_body", "missing_job"}


def test_failure_values_are_frozen() -> None:
    with pytest.raises(AttributeError):
        untyped(setattr)(BadBody("m"), "path", "$.x")


# -- faults: the one mapping to exceptions ---------------------------------------------------


def test_a_server_fault_is_a_server_exception_with_its_status_contact_and_submission() -> None:
    fault = Fault(
        "server", "kaput", 502, contact_info=True, may_have_been_created=True, submission_tag="t"
    )
    error = exception_of(fault)
    assert type(error) is SuperstaqServerException
    assert str(error) == "kaput (Status code: 502)" + CONTACT
    assert (error.status_code, error.may_have_been_created, error.submission_tag) == (
        502,
        True,
        "t",
    )


def test_a_superstaq_fault_is_a_superstaq_exception_with_its_submission() -> None:
    error = exception_of(Fault("superstaq", "lost", may_have_been_created=True, submission_tag="t"))
    assert type(error) is SuperstaqException
    assert (str(error), error.may_have_been_created, error.submission_tag) == ("lost", True, "t")


@pytest.mark.parametrize(
    ("kind", "kind_of_error"),
    [("retries", RetriesExhaustedError), ("timeout", TimeoutError), ("index", IndexError)],
)
def test_the_other_faults_are_the_builtin_errors_the_api_documents(
    kind: str, kind_of_error: type[Exception]
) -> None:
    error = exception_of(untyped(Fault)(kind, "why"))
    assert type(error) is kind_of_error
    assert str(error) == "why"
