"""Pure: the public exceptions and warning, and the internal failure values of the core.

Exception tree (the public, documented API raises only these and the builtins named in
each method's `Raises:`)::

    SuperstaqException                  anything that went wrong talking to Superstaq
    ├── SuperstaqServerException        the server refused (has .status_code)
    └── SuperstaqUnsuccessfulJobException  a job failed, was cancelled or deleted
    SuperstaqWarning (Warning)          a warning the server sent with a reply
    TimeoutError (builtin)              retries or a wait ran out of time

Inside the core, failures are values (`ApiFailure`), never exceptions; the engine words the
final one as a `Fault`, and the shells raise it through one function, `exception_of`.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from transports._types import TransportErrorKind

__all__ = [
    "ApiFailure",
    "BadBody",
    "Fault",
    "MissingJob",
    "NetworkFault",
    "RetriesExhaustedError",
    "Retryable",
    "ServerError",
    "SuperstaqException",
    "SuperstaqServerException",
    "SuperstaqUnsuccessfulJobException",
    "SuperstaqWarning",
    "Unauthorized",
    "exception_of",
]


class SuperstaqException(Exception):  # noqa: N818 - upstream's public name
    """An error from Superstaq's API or from reading its reply.

    Attributes:
        message: The message, as given.
        may_have_been_created: Whether a submission failed after its request may have
            reached the server, so the job may exist: look for it before submitting again
            (False for every other error, and for a submission certainly not taken).
        submission_tag: The submission's `sqcore-submission:<uuid>` tag, when it was sent
            with one (`create_job(..., submission_tag=True)`), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        may_have_been_created: bool = False,
        submission_tag: str | None = None,
    ) -> None:
        self.message = message
        self.may_have_been_created = may_have_been_created
        self.submission_tag = submission_tag
        super().__init__(message)


class SuperstaqServerException(SuperstaqException):
    """The server answered with an error status that retrying will not fix.

    Attributes:
        status_code: The HTTP status code of the reply.
    """

    def __init__(
        self,
        message: str,
        status_code: int = 400,
        contact_info: bool = False,
        *,
        may_have_been_created: bool = False,
        submission_tag: str | None = None,
    ) -> None:
        status = (
            "400, non-retriable error making request to Superstaq API"
            if status_code == 400
            else str(status_code)
        )
        text = f"{message} (Status code: {status})"
        if contact_info:
            text += (
                "\n\nIf you would like to contact a member of our team, email us at "
                "superstaq@infleqtion.com."
            )
        self.status_code = status_code
        super().__init__(
            text, may_have_been_created=may_have_been_created, submission_tag=submission_tag
        )


class SuperstaqUnsuccessfulJobException(SuperstaqException):
    """A job (or one of its circuits) failed: raised by `Job._check_if_unsuccessful`,
    which, as upstream 0.5.70's, lets a cancelled or deleted job pass."""

    def __init__(self, job_id: str, status: str) -> None:
        super().__init__(f"Job {job_id} terminated with status {status}.")


class SuperstaqWarning(Warning):
    """A warning the server sent along with a reply."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class RetriesExhaustedError(TimeoutError):
    """Retries of 503/429 replies or network faults ran past `max_retry_seconds`.

    A `TimeoutError`, as documented; its own class lets the command line tell a server or
    network failure (exit 4) from a wait that ran out of time (exit 3).
    """


# ---------------------------------------------------------------------------------------
# Internal failure values (the core returns these inside `Failure`, never raises them).


class Unauthorized(msgspec.Struct, frozen=True):
    """401: the key was refused, or terms of use / email validation are pending."""

    message: str
    kind: Literal["unauthorized"] = "unauthorized"


class Retryable(msgspec.Struct, frozen=True):
    """A reply that may succeed if asked again later (503, 429).

    Attributes:
        reason: What the server said, for the final error message.
        retry_after: Seconds the server asked us to wait (Retry-After), if it said.
    """

    reason: str
    retry_after: float | None = None
    kind: Literal["retryable"] = "retryable"


class NetworkFault(msgspec.Struct, frozen=True):
    """The transport failed (`transports.TransportError`); `sqcore.core.retry` decides by its
    kind whether asking again can help.

    Attributes:
        fault: The transport's kind of fault ("timeout", "connect", ...).
        reason: What happened, for the final error message ("<kind>: <message>").
    """

    fault: TransportErrorKind
    reason: str
    kind: Literal["network"] = "network"


class ServerError(msgspec.Struct, frozen=True):
    """Any other non-2xx reply: not retried."""

    status: int
    message: str
    contact_info: bool = True
    kind: Literal["server"] = "server"


class BadBody(msgspec.Struct, frozen=True):
    """A 2xx reply whose body is not what the wire format promises.

    Attributes:
        message: What was wrong, e.g. "Expected `int`, got `str`".
        path: The JSON path of the offending value, e.g. "$.shots[0]" ("$" for the whole body).
        job_id: The job whose data was bad, when the fault is inside one job's entry.
    """

    message: str
    path: str = "$"
    job_id: str | None = None
    kind: Literal["bad_body"] = "bad_body"


class MissingJob(msgspec.Struct, frozen=True):
    """A fetch reply that lacks a job id we asked for."""

    job_id: str
    kind: Literal["missing_job"] = "missing_job"


#: Every way a request can fail, as a value.
ApiFailure = Unauthorized | Retryable | NetworkFault | ServerError | BadBody | MissingJob


# ---------------------------------------------------------------------------------------
# The end of a public call that failed, worded, and the exception it raises.


class Fault(msgspec.Struct, frozen=True):
    """Why a public call failed, in the words its exception will carry (any secret already
    redacted): the value the engine returns; `exception_of` makes the exception the shells
    raise.

    Attributes:
        kind: Which exception: "server" (`SuperstaqServerException`), "superstaq"
            (`SuperstaqException`), "retries" (`RetriesExhaustedError`), "timeout" (a wait's
            `TimeoutError`), "index" (`IndexError`: a circuit index out of range).
        message: The message.
        status_code: For "server": the reply's status code.
        contact_info: For "server": whether the message ends with how to contact Superstaq.
        may_have_been_created: A submission that may have reached the server.
        submission_tag: That submission's tag, if it had one.
    """

    kind: Literal["server", "superstaq", "retries", "timeout", "index"]
    message: str
    status_code: int = 400
    contact_info: bool = False
    may_have_been_created: bool = False
    submission_tag: str | None = None


def exception_of(fault: Fault) -> Exception:
    """The documented exception for `fault` (the one mapping from faults to exceptions).

    Invariant: its message is the fault's (with `SuperstaqServerException`'s status suffix),
    and its `may_have_been_created` and `submission_tag` are the fault's.
    """
    if fault.kind == "server":
        return SuperstaqServerException(
            fault.message,
            fault.status_code,
            fault.contact_info,
            may_have_been_created=fault.may_have_been_created,
            submission_tag=fault.submission_tag,
        )
    if fault.kind == "superstaq":
        return SuperstaqException(
            fault.message,
            may_have_been_created=fault.may_have_been_created,
            submission_tag=fault.submission_tag,
        )
    if fault.kind == "retries":
        return RetriesExhaustedError(fault.message)
    if fault.kind == "timeout":
        return TimeoutError(fault.message)
    return IndexError(fault.message)
