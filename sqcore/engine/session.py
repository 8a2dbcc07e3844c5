"""Pure: what a client knows and says, without I/O: its checked settings, the requests it
builds, the limits of its calls, and the words of its faults.

A `Session` is made once per client (`Client`, `AsyncClient`) from arguments the shell has
resolved (the key and host it found in the environment or key files). The engine's
operations read it; every message they return passes through `redact`, so no secret the
client has sent shows in one.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence

import msgspec
from returns.result import Failure

from sqcore.core.arguments import (
    checked_credentials,
    checked_member,
    checked_seconds,
    checked_text,
    new_job,
)
from sqcore.core.endpoints import MAX_URL_LENGTH, base_url, batch_ids
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
from sqcore.core.models import CircuitType
from sqcore.core.query import FindAgain, JobQuery, build_query_request, query_url, submission_tag
from sqcore.core.retry import GiveUp, MaybeSent, OutOfTime
from sqcore.core.waiting import assert_never
from sqcore.core.wire import (
    build_cancel_request,
    build_create_request,
    build_fetch_request,
    build_headers,
)
from transports._types import Request

__all__ = [
    "MIN_ATTEMPT_SECONDS",
    "Budget",
    "MakeRequest",
    "Session",
    "Submitting",
    "fetching",
]

_SUPPORTED_API_VERSIONS = ("v0.3.0",)

#: Every call's first attempt gets at least this long, even when the retry budget is nearly
#: spent, so a zero budget still allows one try (as upstream, which always makes a request).
MIN_ATTEMPT_SECONDS = 1.0

#: Builds the request of one attempt, given its timeout.
MakeRequest = Callable[[float], Request]


class Budget(msgspec.Struct, frozen=True):
    """The time limits of one call (a fetch in batches, a cancel, a submission), fixed when
    it begins (monotonic seconds).

    Attributes:
        deadline: The caller's wait deadline, or None.
        retries_end: No retry is made, and no retry's request runs, past this:
            `max_retry_seconds` after the call began, or the deadline if that is sooner.
        floor_end: `MIN_ATTEMPT_SECONDS` after the call began: a first request may run to
            here even past the deadline, so that a zero timeout still makes one check.
    """

    deadline: float | None
    retries_end: float
    floor_end: float


class Submitting(msgspec.Struct, frozen=True):
    """A job submission about to be sent, its arguments checked.

    Attributes:
        what: What it is doing, for messages ("submitting a job to <target>").
        request: Builds its request (`POST client/job`), given a timeout.
        tag: Its submission tag (`create_job(..., submission_tag=True)`), or None.
        tags: The user's own tags.
        target: Its target.
    """

    what: str
    request: MakeRequest
    tag: str | None
    tags: tuple[str, ...]
    target: str


class Session:
    """A client's settings, requests and words, without the I/O.

    Args:
        api_key: The key (found by the shell when not given).
        remote_host: The host (found by the shell when not given).
        api_version, circuit_type, client_name, max_retry_seconds,
        request_timeout_seconds, credentials: As `sqcore.Client` takes them.

    Raises:
        ValueError: A bad argument (unsafe or malformed host, negative budget, ...).
        TypeError: An argument of the wrong type, or an unknown credential.
    """

    def __init__(
        self,
        api_key: object,
        remote_host: str,
        *,
        api_version: str,
        circuit_type: CircuitType | str,
        client_name: str,
        max_retry_seconds: float,
        request_timeout_seconds: float,
        credentials: Mapping[str, object],
    ) -> None:
        if api_version not in _SUPPORTED_API_VERSIONS:
            raise ValueError(
                f"api_version {api_version!r} is not supported; sqcore speaks "
                f"{', '.join(_SUPPORTED_API_VERSIONS)}"
            )
        self.circuit_type = checked_member(CircuitType, "circuit_type", circuit_type)
        self.max_retry_seconds = checked_seconds("max_retry_seconds", max_retry_seconds)
        self.request_timeout_seconds = checked_seconds(
            "request_timeout_seconds", request_timeout_seconds, positive=True
        )
        self.api_version = api_version
        self.client_name = checked_text("client_name", client_name)
        self._credentials = checked_credentials(credentials)
        self.remote_host = remote_host
        url = base_url(remote_host, api_version)
        if isinstance(url, Failure):
            raise ValueError(f"remote_host: {url.failure()}")
        self.url = url.unwrap()
        self.__api_key = checked_text("api_key", api_key)
        #: Every secret this client has sent (the key, its credentials, any a call gave):
        #: none is ever shown, even when the server echoes it back.
        self._secrets: set[str] = {self.__api_key, *self._credentials.values()}
        self._headers = build_headers(self.__api_key, client_name, api_version, self._credentials)

    def describe(self, transport: object) -> str:
        """The client's repr: settings, never the key."""
        return (
            f"(remote_host={self.remote_host!r}, api_version={self.api_version!r}, "
            f"circuit_type={self.circuit_type.value!r}, client_name={self.client_name!r}, "
            f"transport={type(transport).__name__})"
        )

    # -- requests --------------------------------------------------------------------------

    def headers(self, credentials: Mapping[str, object]) -> Mapping[str, str]:
        """The headers of a request, with a call's provider credentials (if any), which
        are redacted from then on, as the client's own.

        Raises:
            TypeError, ValueError: A bad credential (`checked_credentials`).
        """
        if not credentials:
            return self._headers
        given = checked_credentials(credentials)
        self._secrets.update(given.values())
        merged = {**self._credentials, **given}
        return build_headers(self.__api_key, self.client_name, self.api_version, merged)

    def fetches(
        self, ids: Sequence[str], headers: Mapping[str, str]
    ) -> list[tuple[tuple[str, ...], MakeRequest, str]]:
        """The fetches that ask for `ids`: each batch of ids, its request, what it is doing."""
        return [
            (
                batch,
                functools.partial(build_fetch_request, self.url, self.circuit_type, batch, headers),
                fetching(batch),
            )
            for batch in batch_ids(self.url, self.circuit_type, ids)
        ]

    def cancel(self, ids: Sequence[str], headers: Mapping[str, str]) -> MakeRequest:
        """The request that cancels `ids`."""
        return functools.partial(build_cancel_request, self.url, ids, headers)

    def submission(
        self, circuits: object, given: Mapping[str, object], random_id: uuid.UUID
    ) -> Submitting:
        """A submission of `circuits` with `create_job`'s keywords `given`, every argument
        checked first. With `submission_tag`, its body carries one more tag,
        `sqcore-submission:<random_id>`; else it is upstream's `NewJob` as given.

        Raises:
            TypeError, ValueError: A bad or unknown argument (`sqcore.core.arguments.new_job`).
        """
        body, credentials = new_job(circuits, given, self.circuit_type)
        tags = tuple(body.tags)
        tag = submission_tag(random_id) if given.get("submission_tag") else None
        if tag is not None:
            body = msgspec.structs.replace(body, tags=[*tags, tag])
        headers = self.headers(credentials)
        return Submitting(
            f"submitting a job to {body.target}",
            functools.partial(build_create_request, self.url, body, headers),
            tag,
            tags,
            body.target,
        )

    def find(self, query: JobQuery) -> MakeRequest:
        """The request that finds the jobs `query` selects.

        Raises:
            ValueError: The query does not fit in a URL (too many ids or tags).
        """
        length = len(query_url(self.url, self.circuit_type, query))
        if length > MAX_URL_LENGTH:
            raise ValueError(
                f"the query is {length} characters long as a URL, over the {MAX_URL_LENGTH} "
                "that fit: give fewer job_ids, tags or other values (or fetch_jobs for many ids)"
            )
        return functools.partial(
            build_query_request, self.url, self.circuit_type, query, self._headers
        )

    def budget(self, now: float, deadline: float | None) -> Budget:
        """The limits of a call begun at `now` under the caller's `deadline` (or None). A
        call of many requests (a fetch in batches) takes one for all of them."""
        end = now + self.max_retry_seconds
        retries_end = end if deadline is None else min(end, deadline)
        return Budget(deadline, retries_end, now + MIN_ATTEMPT_SECONDS)

    # -- words -----------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """Removes the API key and credential values from text the server may have echoed:
        as sent, in any letter case, or JSON-escaped ("\\/" for "/", "\\u0041" for "A")."""
        secrets = sorted((s for s in self._secrets if len(s) >= 4), key=len, reverse=True)
        if not secrets:
            return text
        # The longest first, where one secret holds another.
        return re.sub("|".join(map(_echoes, secrets)), "<redacted>", text, flags=re.IGNORECASE)

    def fault(
        self,
        decision: GiveUp | OutOfTime | MaybeSent,
        what: str,
        submission: FindAgain | None = None,
    ) -> Fault:
        """The fault that ends a call doing `what`: the retries ran out, a failure no retry
        can fix, or a submission that may have been taken (`submission` says how to find
        its job)."""
        match decision:
            case OutOfTime(failure=failure):
                return Fault(
                    "retries",
                    "Reached maximum number of retries. Last error: " + self.redact(failure.reason),
                )
            case MaybeSent(failure=failure):
                if submission is None:  # only a submission is not repeated when maybe sent
                    raise AssertionError(f"{what}: a request that may be repeated was 'maybe sent'")
                if isinstance(failure, ServerError):
                    return Fault(
                        "server",
                        f"{_sentence(self.redact(failure.message))} {submission.advice}",
                        failure.status,
                        contact_info=failure.contact_info,
                        may_have_been_created=True,
                        submission_tag=submission.tag,
                    )
                return Fault(
                    "superstaq",
                    f"Request failed while {what}, after it was sent: "
                    f"{self.redact(failure.reason)}. {submission.advice}",
                    may_have_been_created=True,
                    submission_tag=submission.tag,
                )
            case GiveUp(failure=failure):
                return self.given_up(failure, what)
            case unreachable:
                assert_never(unreachable)

    def given_up(self, failure: ApiFailure, what: str) -> Fault:
        """The fault of a failure no retry can fix, met while doing `what`."""
        match failure:
            case Unauthorized(message=message):
                return Fault("server", self.redact(message), 401)
            case ServerError(status=status, message=message, contact_info=contact_info):
                return Fault("server", self.redact(message), status, contact_info=contact_info)
            case MissingJob(job_id=job_id):
                return Fault(
                    "superstaq",
                    f"The server's reply has no data for job {job_id}: it may not exist, or "
                    "it may belong to another user.",
                )
            case NetworkFault(reason=reason) | Retryable(reason=reason):
                return Fault("superstaq", f"Request failed while {what}: {self.redact(reason)}")
            case BadBody(message=message, path=path, job_id=job_id):
                where = f"job {job_id}" if job_id else what
                return Fault(
                    "superstaq",
                    f"Could not read the server's reply for {where}: "
                    f"{self.redact(message)} (at {path})",
                )
            case unreachable:
                assert_never(unreachable)


def fetching(batch: Sequence[str]) -> str:
    """What a fetch of `batch` is doing, for its error messages."""
    return f"fetching job(s) {', '.join(batch)}"


def _echoes(secret: str) -> str:
    """A regular expression matching `secret` as a server may echo it: each character as
    itself or JSON-escaped (`\\uXXXX`, and `\\/`, `\\"`, `\\\\` for those three)."""
    pattern = []
    for char in secret:
        forms = [re.escape(char), re.escape(f"\\u{ord(char):04x}")]
        if char in '/"\\':
            forms.append(re.escape("\\" + char))
        pattern.append(f"(?:{'|'.join(forms)})")
    return "".join(pattern)


def _sentence(text: str) -> str:
    """`text` ending as a sentence does (a full stop added when it has none)."""
    return text if text.endswith((".", "!", "?")) else f"{text}."
