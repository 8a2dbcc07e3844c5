"""Shell: what a client knows and does between sends, shared by `Client` and `AsyncClient`.

A `Session` holds a client's checked settings (host, key, credentials, budgets), builds its
requests, starts the bookkeeping of their attempts (`sqcore._attempts`), reads their replies
and words their failures. Only sending and sleeping are left to the clients, so the
blocking `Client` and the asyncio `AsyncClient` differ in nothing but `await`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType
from typing import Protocol, TypeVar

import msgspec
from returns.result import Failure, Result

from sqcore import _config
from sqcore._arguments import (
    checked_credentials,
    checked_member,
    checked_seconds,
    checked_text,
    new_job,
)
from sqcore._attempts import MIN_ATTEMPT_SECONDS, Attempts, Budget, MakeRequest, TimeSource
from sqcore._endpoints import MAX_URL_LENGTH, base_url, batch_ids
from sqcore._errors import (
    ApiFailure,
    BadBody,
    MissingJob,
    NetworkFault,
    RetriesExhaustedError,
    Retryable,
    ServerError,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
    Unauthorized,
)
from sqcore._fetch_reply import one_job_replies, parse_fetch_reply, parse_poll_reply
from sqcore._models import CircuitStatus, CircuitType, JobData
from sqcore._query import (
    FindAgain,
    JobQuery,
    build_query_request,
    find_again,
    parse_query_reply,
    query_url,
    submission_tag,
)
from sqcore._retry import GiveUp, MaybeSent, OutOfTime
from sqcore._wait import assert_never
from sqcore._wire import (
    build_cancel_request,
    build_create_request,
    build_fetch_request,
    build_headers,
    parse_create_reply,
)

__all__ = ["JobState", "Session", "Submitting"]

logger = logging.getLogger("sqcore")
logger.addHandler(logging.NullHandler())

_SUPPORTED_API_VERSIONS = ("v0.3.0",)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

_V = TypeVar("_V")


class _Identified(Protocol):
    def job_id(self) -> uuid.UUID: ...


_J = TypeVar("_J", bound=_Identified)


class JobState(msgspec.Struct, frozen=True):
    """What a job handle knows of its job after a fetch: the value a client returns and
    the handle keeps.

    Attributes:
        statuses: The circuits' statuses (all a status decision needs).
        reply: A fetch reply that holds the job, kept to decode its data on first read: the
            reply itself when it held this job alone, else the job cut out of a batch reply
            (`one_job_replies`), so the batch can be freed. None when a batched wait did
            not keep it (an open job's data would be stale by the next poll).
        data: The decoded `JobData`, once someone read it.
    """

    statuses: tuple[CircuitStatus, ...]
    reply: bytes | None = None
    data: JobData | None = None


class Submitting(msgspec.Struct, frozen=True):
    """A job submission about to be sent, its arguments checked.

    Attributes:
        what: What it is doing, for messages ("submitting a job to <target>").
        request: Builds its request (`POST client/job`), given a timeout.
        find_again: How to find its job should the reply be lost (its tag, if any).
    """

    what: str
    request: MakeRequest
    find_again: FindAgain


class Session:
    """A client's settings, requests and replies, without the I/O.

    Raises:
        OSError: No API key was given or found.
        ValueError: A bad argument (unsafe or malformed host, negative budget, ...).
        TypeError: An argument of the wrong type, or an unknown keyword.
    """

    def __init__(
        self,
        api_key: str | None,
        remote_host: str | None,
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
        self.remote_host = _config.resolve_remote_host(remote_host)
        url = base_url(self.remote_host, api_version)
        if isinstance(url, Failure):
            raise ValueError(f"remote_host: {url.failure()}")
        self.url = url.unwrap()
        key = _config.find_api_key() if api_key is None else api_key
        self.__api_key = checked_text("api_key", key)
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

    def headers(self, credentials: Mapping[str, str]) -> Mapping[str, str]:
        """The headers of a request, with this call's provider credentials (if any)."""
        if not credentials:
            return self._headers
        given = checked_credentials(credentials)
        self._secrets.update(given.values())  # redacted from now on, as the client's own
        merged = {**self._credentials, **given}
        return build_headers(self.__api_key, self.client_name, self.api_version, merged)

    def fetches(
        self, ids: Sequence[str], credentials: Mapping[str, str]
    ) -> list[tuple[tuple[str, ...], MakeRequest, str]]:
        """The fetches that ask for `ids`: each batch of ids, its request, what it is doing."""
        headers = self.headers(credentials)
        return [
            (
                batch,
                functools.partial(build_fetch_request, self.url, self.circuit_type, batch, headers),
                _fetching(batch),
            )
            for batch in batch_ids(self.url, self.circuit_type, ids)
        ]

    def cancel(self, ids: Sequence[str], credentials: Mapping[str, str]) -> MakeRequest:
        """The request that cancels `ids`."""
        return functools.partial(build_cancel_request, self.url, ids, self.headers(credentials))

    def submission(
        self, circuits: object, given: Mapping[str, object], now_epoch: float
    ) -> Submitting:
        """A submission of `circuits` with `create_job`'s keywords `given`, begun at
        `now_epoch` (wall clock), every argument checked first. With `submission_tag`, its
        body carries one more tag, `sqcore-submission:<uuid4>`; else it is upstream's
        `NewJob` as given.

        Raises:
            TypeError, ValueError: A bad or unknown argument (`sqcore._arguments.new_job`).
        """
        body, credentials = new_job(circuits, given, self.circuit_type)
        tags = body.tags
        tag = submission_tag(uuid.uuid4()) if given.get("submission_tag") else None
        if tag is not None:
            body = msgspec.structs.replace(body, tags=[*tags, tag])
        return Submitting(
            f"submitting a job to {body.target}",
            functools.partial(build_create_request, self.url, body, self.headers(credentials)),
            find_again(tag, tags, body.target, now_epoch),
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
            build_query_request, self.url, self.circuit_type, query, self.headers({})
        )

    def budget(self, now: float, deadline: float | None) -> Budget:
        """The limits of a call begun at `now` under the caller's `deadline` (or None). A
        call of many requests (a fetch in batches) takes one for all of them."""
        end = now + self.max_retry_seconds
        retries_end = end if deadline is None else min(end, deadline)
        return Budget(deadline, retries_end, now + MIN_ATTEMPT_SECONDS)

    def attempts(
        self,
        what: str,
        clock: TimeSource,
        rng: Callable[[], float],
        budget: Budget | None,
        submission: FindAgain | None = None,
    ) -> Attempts:
        """The bookkeeping of one request's attempts within `budget` (None: a call of its
        own, begun now, under no deadline); `submission` for a job submission (not
        idempotent), None for a request that may be repeated."""
        if budget is None:
            budget = self.budget(clock.monotonic(), None)
        return Attempts(self, what, budget, submission, clock, rng)

    # -- replies ---------------------------------------------------------------------------

    def value(self, result: Result[_V, ApiFailure], what: str) -> _V:
        """The value of a parsed reply, or the documented exception for its failure."""
        if isinstance(result, Failure):
            raise self.error_for(GiveUp(result.failure()), what)
        return result.unwrap()

    def jobs(self, body: bytes, batch: Sequence[str]) -> dict[str, JobData]:
        """Each job of a fetch reply, decoded in full (its warnings shown)."""
        fetched = self.value(parse_fetch_reply(body, batch), _fetching(batch))
        self.warn(fetched.warnings)
        return fetched.jobs

    def created(self, body: bytes, submitting: Submitting) -> uuid.UUID:
        """The new job's id from a create reply (its warnings shown). A reply that cannot be
        read still came with a 2xx: the job exists, and the error says how to find it."""
        result = parse_create_reply(body)
        if isinstance(result, Failure):
            error = self.error_for(GiveUp(result.failure()), submitting.what)
            found = submitting.find_again
            raise SuperstaqException(
                f"{error} {found.advice}", may_have_been_created=True, submission_tag=found.tag
            )
        created = result.unwrap()
        self.warn(created.warnings)
        return created.job_id

    def found(self, body: bytes, query: JobQuery) -> dict[str, JobData]:
        """Each job of the reply to `query`, by its canonical id (its warnings shown)."""
        read = self.value(parse_query_reply(body, query.job_ids), "finding jobs")
        self.warn(read.warnings)
        return read.jobs

    def found_again(self, submitting: Submitting, found: Sequence[_J] | Exception) -> _J | None:
        """The job the lookup of a submission by its tag `found` (the jobs, or the failure
        that ended it), logged; None when it found none."""
        tag = submitting.find_again.tag
        if isinstance(found, Exception):
            reason = self.redact(str(found))
            logger.info(
                "%s: looking it up by its submission tag %s failed: %s",
                submitting.what,
                tag,
                reason,
            )
            return None
        if not found:
            logger.info("%s: no job found by its submission tag %s", submitting.what, tag)
            return None
        logger.info(
            "%s: its reply was lost, but the job was created: found job %s by its "
            "submission tag %s",
            submitting.what,
            found[0].job_id(),
            tag,
        )
        return found[0]

    def interrupted(self, error: BaseException, submitting: Submitting) -> None:
        """A submission stopped (cancelled, interrupted) after its request was sent: a
        warning in the log and a note on `error` (re-raised by the caller) say that the job
        may exist, and how to find it."""
        found = submitting.find_again
        tagged = "" if found.tag is None else f" (submission tag {found.tag})"
        message = (
            f"{submitting.what}{tagged} was stopped by {type(error).__name__} after its "
            f"request was sent. {found.advice}"
        )
        logger.warning("%s", message)
        _add_note(error, message)

    def states(
        self, body: bytes, batch: Sequence[str], keep: Callable[[tuple[CircuitStatus, ...]], bool]
    ) -> dict[str, JobState]:
        """Each job of a fetch reply as a `JobState` (its warnings shown); a job's data is
        kept, to decode on first read, only for the jobs whose statuses `keep` selects."""
        what = _fetching(batch)
        poll = self.value(parse_poll_reply(body, batch), what)
        self.warn(poll.warnings)
        kept = [job_id for job_id, statuses in poll.statuses.items() if keep(statuses)]
        replies: dict[str, bytes] = {}
        if len(batch) == 1:
            replies = dict.fromkeys(kept, body)  # the reply is the job's: kept as it is
        elif kept:
            replies = self.value(one_job_replies(body, kept), what)
        return {
            job_id: JobState(statuses, replies.get(job_id))
            for job_id, statuses in poll.statuses.items()
        }

    def decoded(self, job_id: str, state: JobState) -> tuple[JobState, JobData]:
        """`state` with its data decoded (its reply dropped: it would double the memory), and
        the data. The state must hold the data or a reply (a fetch of the job)."""
        if state.data is not None:
            return state, state.data
        if state.reply is None:
            raise AssertionError(f"job {job_id}: a state without a reply has no data to decode")
        read = self.value(parse_fetch_reply(state.reply, (job_id,)), f"reading job {job_id}")
        data = read.jobs[job_id]
        return JobState(state.statuses, None, data), data

    def warn(self, messages: Iterable[str]) -> None:
        """Shows the server's warnings as `SuperstaqWarning`s, pointing at the caller's line."""
        for message in messages:
            warnings.warn(self.redact(message), SuperstaqWarning, stacklevel=_caller_stacklevel())

    def redact(self, text: str) -> str:
        """Removes the API key and credential values from text the server may have echoed:
        as sent, in any letter case, or JSON-escaped ("\\/" for "/", "\\u0041" for "A")."""
        secrets = sorted((s for s in self._secrets if len(s) >= 4), key=len, reverse=True)
        if not secrets:
            return text
        # The longest first, where one secret holds another.
        return re.sub("|".join(map(_echoes, secrets)), "<redacted>", text, flags=re.IGNORECASE)

    def error_for(
        self,
        decision: GiveUp | OutOfTime | MaybeSent,
        what: str,
        submission: FindAgain | None = None,
    ) -> Exception:
        """The documented exception for the final failure of a call; `submission` says how
        to find the job of a submission that may have been taken."""
        match decision:
            case OutOfTime(failure=failure):
                return RetriesExhaustedError(
                    "Reached maximum number of retries. Last error: " + self.redact(failure.reason)
                )
            case MaybeSent(failure=failure):
                if submission is None:  # only a submission is not repeated when maybe sent
                    raise AssertionError(f"{what}: a request that may be repeated was 'maybe sent'")
                found = submission
                if isinstance(failure, ServerError):
                    return SuperstaqServerException(
                        f"{_sentence(self.redact(failure.message))} {found.advice}",
                        failure.status,
                        contact_info=failure.contact_info,
                        may_have_been_created=True,
                        submission_tag=found.tag,
                    )
                return SuperstaqException(
                    f"Request failed while {what}, after it was sent: "
                    f"{self.redact(failure.reason)}. {found.advice}",
                    may_have_been_created=True,
                    submission_tag=found.tag,
                )
            case GiveUp(failure=failure):
                return self._final_error(failure, what)
            case unreachable:
                assert_never(unreachable)

    def _final_error(self, failure: ApiFailure, what: str) -> Exception:
        match failure:
            case Unauthorized(message=message):
                return SuperstaqServerException(self.redact(message), 401)
            case ServerError(status=status, message=message, contact_info=contact_info):
                return SuperstaqServerException(
                    self.redact(message), status, contact_info=contact_info
                )
            case MissingJob(job_id=job_id):
                return SuperstaqException(
                    f"The server's reply has no data for job {job_id}: it may not exist, or "
                    "it may belong to another user."
                )
            case NetworkFault(reason=reason) | Retryable(reason=reason):
                return SuperstaqException(f"Request failed while {what}: {self.redact(reason)}")
            case BadBody(message=message, path=path, job_id=job_id):
                where = f"job {job_id}" if job_id else what
                return SuperstaqException(
                    f"Could not read the server's reply for {where}: "
                    f"{self.redact(message)} (at {path})"
                )
            case unreachable:
                assert_never(unreachable)


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


def _add_note(error: BaseException, note: str) -> None:
    """`error.add_note(note)` (Python 3.11+); on 3.10, the `__notes__` list it would fill."""
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        vars(error).setdefault("__notes__", []).append(note)


def _fetching(batch: Sequence[str]) -> str:
    """What a fetch of `batch` is doing, for its error messages."""
    return f"fetching job(s) {', '.join(batch)}"


def _caller_stacklevel() -> int:
    """The `warnings.warn` stacklevel that points at the first frame outside sqcore."""
    level = 1
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level
