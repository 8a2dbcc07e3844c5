"""Shell: `Client`, which builds requests, sends them, decides on retries and raises.

Each public method runs build → send → classify → parse in the pure core, retries per
`sqcore._retry.decide_retry`, and maps a final failure to a public exception in one place
(`_raise_for`). The clock, the sleep and the random source are injectable (`clock=`,
`rng=`), so tests run on a fake clock without real sleeps.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import random
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, NoReturn, Protocol, TypeVar

import msgspec
from returns.result import Failure, Result, Success

from sqcore import _config
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
from sqcore._models import CircuitStatus, CircuitType, JobData
from sqcore._result import is_successful
from sqcore._retry import GiveUp, decide_retry
from sqcore._wait import assert_never, batch_ids, unique
from sqcore._wire import (
    CREDENTIAL_NAMES,
    MAX_URL_LENGTH,
    EncodedJob,
    base_url,
    build_cancel_request,
    build_fetch_request,
    build_headers,
    classify_response,
    decode_job,
    detach_jobs,
    fetch_url_base_length,
    parse_cancel_reply,
    parse_fetch_reply,
    parse_poll_reply,
)
from transports._types import Request, Transport, TransportError

if TYPE_CHECKING:
    from transports._urllib3 import Urllib3Transport

__all__ = ["Client", "Clock", "SystemClock"]

logger = logging.getLogger("sqcore")
logger.addHandler(logging.NullHandler())

_T = TypeVar("_T")

#: Every attempt gets at least this long, even when the retry budget is nearly spent, so a
#: zero budget still allows the first try (as upstream, which always makes one request).
MIN_ATTEMPT_SECONDS = 1.0
#: A retry is only made when its backoff fits in the budget; what is left after the sleep
#: may be tiny, so it still gets this long (the budget can be overrun by at most this).
MIN_RETRY_ATTEMPT_SECONDS = 0.1

_SUPPORTED_API_VERSIONS = ("v0.3.0",)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class Clock(Protocol):
    """Time as the shell sees it: a monotonic clock, wall-clock time and a sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines are measured on it)."""
        ...

    def time(self) -> float:
        """Wall-clock epoch seconds (only to read Retry-After dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Blocks for `seconds`."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `time.time` and `time.sleep`."""

    def monotonic(self) -> float:
        """Returns `time.monotonic()`."""
        return time.monotonic()

    def time(self) -> float:
        """Returns `time.time()`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Calls `time.sleep(seconds)`."""
        time.sleep(seconds)


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    if any(ch in value for ch in "\r\n\x00"):
        # Without this a value could smuggle extra headers into the request.
        raise ValueError(f"{name} must not contain line breaks or NUL characters")
    return value


def _check_credentials(credentials: Mapping[str, object]) -> dict[str, str]:
    unknown = sorted(set(credentials) - set(CREDENTIAL_NAMES))
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) {', '.join(map(repr, unknown))}; the credentials "
            f"sqcore sends are {', '.join(CREDENTIAL_NAMES)}"
        )
    return {
        name: _check_text(name, value) for name, value in credentials.items() if value is not None
    }


def _canonical_id(job_id: object) -> str:
    if isinstance(job_id, uuid.UUID):
        return str(job_id)
    if not isinstance(job_id, str):
        raise TypeError(f"a job id must be a str or uuid.UUID, not {type(job_id).__name__}")
    try:
        return str(uuid.UUID(job_id))
    except ValueError:
        raise ValueError(f"{job_id!r} is not a valid job id (expected a UUID)") from None


def _caller_stacklevel() -> int:
    """The `warnings.warn` stacklevel that points at the first frame outside sqcore."""
    level = 1
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _PACKAGE_DIR:
        frame = frame.f_back
        level += 1
    return level


class Client:
    """A connection to the Superstaq API (v0.3.0) for reading and cancelling jobs.

    Args:
        api_key: The API key. If None: `SUPERSTAQ_API_KEY`, else the key files upstream
            reads (`$XDG_DATA_HOME/super.tech/superstaq_api_key`, ...).
        remote_host: The server. If None: `SUPERSTAQ_REMOTE_HOST`, else
            https://superstaq-prod.infleqtion.com. Only scheme and host are used. Plain
            `http://` is accepted only for a loopback host, so the key never crosses a
            network unencrypted.
        transport: What sends the HTTP requests; default `Urllib3Transport()`.
        api_version: The wire format; only "v0.3.0" is supported.
        circuit_type: The circuit language; it selects the fetch endpoint.
        client_name: Sent as `X-Client-Name`.
        max_retry_seconds: Time budget for retrying 503/429 replies and network faults,
            and the default `timeout_seconds` of waits.
        request_timeout_seconds: Longest time one HTTP attempt may take.
        clock: Monotonic clock, wall clock and sleep (tests pass a fake one).
        rng: A source of random floats in [0, 1) for the retry jitter.
        **credentials: Provider credentials sent as headers: ibmq_token, ibmq_instance,
            ibmq_channel, cq_token.

    Raises:
        OSError: No API key was given or found.
        ValueError: A bad argument (unsafe or malformed host, negative budget, ...).
        TypeError: An argument of the wrong type, or an unknown keyword.
    """

    def __init__(
        self,
        api_key: str | None = None,
        remote_host: str | None = None,
        *,
        transport: Transport | None = None,
        api_version: str = "v0.3.0",
        circuit_type: CircuitType | str = CircuitType.CIRQ,
        client_name: str = "sqcore",
        max_retry_seconds: float = 60.0,
        request_timeout_seconds: float = 30.0,
        clock: Clock | None = None,
        rng: Callable[[], float] | None = None,
        **credentials: str,
    ) -> None:
        if api_version not in _SUPPORTED_API_VERSIONS:
            raise ValueError(
                f"api_version {api_version!r} is not supported; sqcore speaks "
                f"{', '.join(_SUPPORTED_API_VERSIONS)}"
            )
        try:
            self.circuit_type = CircuitType(circuit_type)
        except ValueError:
            raise ValueError(
                f"circuit_type {circuit_type!r} is not one of "
                f"{', '.join(t.value for t in CircuitType)}"
            ) from None
        self.max_retry_seconds = _check_seconds("max_retry_seconds", max_retry_seconds)
        self.request_timeout_seconds = _check_seconds(
            "request_timeout_seconds", request_timeout_seconds, positive=True
        )
        self.api_version = api_version
        self.client_name = _check_text("client_name", client_name)
        self._credentials = _check_credentials(credentials)
        self.remote_host = _config.resolve_remote_host(remote_host)
        url = base_url(self.remote_host, api_version)
        if not is_successful(url):
            raise ValueError(f"remote_host: {url.failure()}")
        self.url = url.unwrap()
        self._fetch_url_length = fetch_url_base_length(self.url, self.circuit_type)
        key = _config.find_api_key() if api_key is None else api_key
        self.__api_key = _check_text("api_key", key)
        self._headers = build_headers(self.__api_key, client_name, api_version, self._credentials)
        # The default transport is the client's own, closed by `close()`; one passed in
        # belongs to the caller, who closes it.
        self._owned_transport: Urllib3Transport | None = None
        if transport is None:
            from transports._urllib3 import Urllib3Transport

            transport = self._owned_transport = Urllib3Transport()
        self.transport = transport
        self.clock: Clock = SystemClock() if clock is None else clock
        self._rng = random.Random().random if rng is None else rng

    def __repr__(self) -> str:
        return (
            f"Client(remote_host={self.remote_host!r}, api_version={self.api_version!r}, "
            f"circuit_type={self.circuit_type.value!r}, client_name={self.client_name!r}, "
            f"transport={type(self.transport).__name__})"
        )

    __str__ = __repr__

    def close(self) -> None:
        """Closes the default transport's connections; a transport passed in is left open
        (it belongs to the caller). Requests after this fail with `SuperstaqException`."""
        if self._owned_transport is not None:
            self._owned_transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public API ----------------------------------------------------------------------

    def fetch_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> dict[str, JobData]:
        """Fetches the data of jobs.

        Args:
            job_ids: The jobs' ids (UUIDs, as str or `uuid.UUID`).
            **kwargs: Provider credentials for this call (ibmq_token, ...).

        Returns:
            Each job's data, keyed by its id in canonical UUID form.

        Raises:
            ValueError: A job id is not a UUID.
            SuperstaqServerException: The server refused (401, 504, other 4xx/5xx).
            SuperstaqException: The reply could not be read, or lacks a requested job.
            TimeoutError: 503/429/network faults went on past `max_retry_seconds`.
        """
        ids = unique(_canonical_id(job_id) for job_id in _as_sequence(job_ids))
        return self._fetch(ids, kwargs, deadline=None)

    def cancel_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> list[str]:
        """Cancels jobs (every circuit of each that is not terminal yet).

        Args:
            job_ids: The jobs' ids.
            **kwargs: Provider credentials for this call.

        Returns:
            The ids the server reports as cancelled.

        Raises:
            ValueError: A job id is not a UUID.
            SuperstaqServerException: The server refused.
            SuperstaqException: The reply could not be read.
            TimeoutError: 503/429/network faults went on past `max_retry_seconds`.
        """
        ids = unique(_canonical_id(job_id) for job_id in _as_sequence(job_ids))
        if not ids:
            return []
        headers = self._headers_for(kwargs)
        result = self._call(
            lambda timeout: build_cancel_request(self.url, ids, headers, timeout),
            parse_cancel_reply,
            deadline=None,
            what=f"cancelling job(s) {', '.join(ids)}",
        )
        self._emit_warnings(result.warnings)
        return list(result.succeeded)

    # -- internals used by Job and wait_all ----------------------------------------------

    def _fetch(
        self, ids: Sequence[str], kwargs: Mapping[str, str], deadline: float | None
    ) -> dict[str, JobData]:
        """Fetches `ids` (canonical) in as few requests as the URL length allows."""
        headers = self._headers_for(kwargs)
        jobs: dict[str, JobData] = {}
        for batch in batch_ids(ids, self._fetch_url_length, MAX_URL_LENGTH):
            result = self._call(
                functools.partial(build_fetch_request, self.url, self.circuit_type, batch, headers),
                functools.partial(parse_fetch_reply, requested=batch),
                deadline=deadline,
                what=f"fetching job(s) {', '.join(batch)}",
            )
            self._emit_warnings(result.warnings)
            jobs.update(result.jobs)
        return jobs

    def _poll(
        self,
        ids: Sequence[str],
        kwargs: Mapping[str, str],
        deadline: float | None,
        keep: Callable[[list[CircuitStatus]], bool],
    ) -> dict[str, Polled]:
        """Fetches the statuses of `ids` (canonical), in as few requests as the URL allows.

        The rest of each job's data stays encoded, and is kept only for the jobs `keep`
        selects (by their statuses); a job kept from a batch reply gets its own copy of its
        JSON, so the batch reply is not held in memory.
        """
        headers = self._headers_for(kwargs)
        polled: dict[str, Polled] = {}
        for batch in batch_ids(ids, self._fetch_url_length, MAX_URL_LENGTH):
            body = self._call(
                functools.partial(build_fetch_request, self.url, self.circuit_type, batch, headers),
                _body_of,
                deadline=deadline,
                what=f"fetching job(s) {', '.join(batch)}",
            )
            result = parse_poll_reply(body, batch)
            if not is_successful(result):
                self._raise_for(result.failure(), False, f"fetching job(s) {', '.join(batch)}")
            poll = result.unwrap()
            self._emit_warnings(poll.warnings)
            kept = [job_id for job_id in batch if keep(poll.statuses[job_id])]
            encoded: dict[str, EncodedJob] = {}
            if len(batch) == 1:
                encoded = {job_id: EncodedJob(body, whole_reply=True) for job_id in kept}
            elif kept:
                # The poll parse of this very body succeeded, so this cannot fail.
                encoded = detach_jobs(body, kept).unwrap()
            for job_id in batch:
                polled[job_id] = Polled(poll.statuses[job_id], encoded.get(job_id))
        return polled

    def _decode(self, encoded: EncodedJob, job_id: str) -> JobData:
        """Decodes a job's full data, raising the documented exception if it is malformed."""
        result = decode_job(encoded, job_id)
        if not is_successful(result):
            self._raise_for(result.failure(), False, f"reading job {job_id}")
        return result.unwrap()

    def _headers_for(self, kwargs: Mapping[str, str]) -> Mapping[str, str]:
        if not kwargs:
            return self._headers
        merged = {**self._credentials, **_check_credentials(kwargs)}
        return build_headers(self.__api_key, self.client_name, self.api_version, merged)

    def _call(
        self,
        make_request: Callable[[float], Request],
        parse: Callable[[bytes], Result[_T, ApiFailure]],
        *,
        deadline: float | None,
        what: str,
    ) -> _T:
        """Sends until success or a final failure; returns the parsed value or raises.

        The retry budget is `max_retry_seconds` from the first attempt, further cut to
        `deadline` (a monotonic instant) when the caller is waiting under one.
        """
        clock = self.clock
        end = clock.monotonic() + self.max_retry_seconds
        if deadline is not None:
            end = min(end, deadline)
        attempt = 0
        while True:
            started = clock.monotonic()
            # The first attempt always gets a fair chance; a retry only ever gets the time
            # left, so retrying never runs past the budget.
            floor = MIN_ATTEMPT_SECONDS if attempt == 0 else MIN_RETRY_ATTEMPT_SECONDS
            timeout = min(self.request_timeout_seconds, max(end - started, floor))
            request = make_request(timeout)
            sent = self.transport.send(request)
            outcome: Result[_T, ApiFailure] = (
                classify_response(sent.unwrap(), clock.time()).bind(parse)
                if is_successful(sent)
                else Failure(_network_fault(sent.failure()))
            )
            now = clock.monotonic()
            if logger.isEnabledFor(logging.DEBUG):
                status = sent.map(lambda r: str(r.status)).value_or("no reply")
                logger.debug(
                    "%s %s -> %s in %.3f s",
                    request.method,
                    request.url.split("?", 1)[0],
                    status,
                    now - started,
                )
            if is_successful(outcome):
                return outcome.unwrap()
            failure = outcome.failure()
            decision = decide_retry(attempt, failure, end - now, self._rng())
            if isinstance(decision, GiveUp):
                self._raise_for(decision.failure, decision.out_of_time, what)
            assert isinstance(failure, (Retryable, NetworkFault)), "only these are retried"
            logger.info(
                "retrying %s in %.2f s after: %s",
                what,
                decision.seconds,
                self._redact(failure.reason),
            )
            clock.sleep(decision.seconds)
            attempt += 1

    def _redact(self, text: str) -> str:
        """Removes the API key and credential values from text the server may have echoed."""
        for secret in (self.__api_key, *self._credentials.values()):
            if len(secret) >= 4:
                text = text.replace(secret, "<redacted>")
        return text

    def _raise_for(self, failure: ApiFailure, out_of_time: bool, what: str) -> NoReturn:
        """Maps the final failure of a call to the documented exception."""
        if isinstance(failure, Retryable) or (isinstance(failure, NetworkFault) and out_of_time):
            # A 503/429 is only ever given up on when the retry budget has run out.
            raise RetriesExhaustedError(
                "Reached maximum number of retries. Last error: " + self._redact(failure.reason)
            )
        if isinstance(failure, Unauthorized):
            raise SuperstaqServerException(self._redact(failure.message), 401)
        if isinstance(failure, ServerError):
            raise SuperstaqServerException(
                self._redact(failure.message), failure.status, contact_info=failure.contact_info
            )
        if isinstance(failure, MissingJob):
            raise SuperstaqException(
                f"The server's reply has no data for job {failure.job_id}: it may not exist, or "
                "it may belong to another user."
            )
        if isinstance(failure, NetworkFault):
            raise SuperstaqException(f"Request failed while {what}: {self._redact(failure.reason)}")
        if isinstance(failure, BadBody):
            where = f"job {failure.job_id}" if failure.job_id else what
            raise SuperstaqException(
                f"Could not read the server's reply for {where}: "
                f"{self._redact(failure.message)} (at {failure.path})"
            )
        assert_never(failure)

    def _emit_warnings(self, messages: Iterable[str]) -> None:
        for message in messages:
            warnings.warn(self._redact(message), SuperstaqWarning, stacklevel=_caller_stacklevel())


#: Transport faults that asking again cannot fix: the reply is too large, or the transport
#: would not send the request (closed, or a header it cannot encode). A TLS failure is a
#: certificate problem, also not fixed by retrying.
_FINAL_TRANSPORT_KINDS = frozenset({"too_large", "refused", "tls"})


class Polled(msgspec.Struct, frozen=True):
    """One job as a poll saw it: its statuses, and its data still encoded (if kept)."""

    statuses: list[CircuitStatus]
    encoded: EncodedJob | None


def _body_of(body: bytes) -> Result[bytes, ApiFailure]:
    return Success(body)


def _network_fault(error: TransportError) -> ApiFailure:
    return NetworkFault(
        f"{error.kind}: {error.message}", retryable=error.kind not in _FINAL_TRANSPORT_KINDS
    )


def _check_seconds(name: str, value: float, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if math.isnan(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def _as_sequence(job_ids: object) -> Sequence[str | uuid.UUID]:
    if isinstance(job_ids, (str, uuid.UUID)):
        raise TypeError("job_ids must be a sequence of ids, not a single id; wrap it in a list")
    if not isinstance(job_ids, Sequence):
        raise TypeError(f"job_ids must be a sequence of ids, not {type(job_ids).__name__}")
    return job_ids
