"""Shell: `Client`, the blocking client: arguments in, the blocking driver, results out.

Each public method checks its arguments, has its `Session` build what it sends, and runs the
engine's operation (`sqcore.engine`) on the blocking driver (`sqcore._driver`): the transport
sends, the clock sleeps. The clock and the random source are injectable (`clock=`, `rng=`),
so tests run on a fake clock without real sleeps.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from sqcore._driver import perform
from sqcore._job import Job
from sqcore.core.arguments import JobFilters, Submission, canonical_ids, job_query
from sqcore.core.models import JobData
from sqcore.engine import calls, submit
from sqcore.shell.base import ClientBase
from transports._types import Transport

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Client", "Clock", "SystemClock"]


class Clock(Protocol):
    """Time as the blocking shell sees it: a monotonic clock, the wall clock, a sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines are measured on it)."""
        ...

    def time(self) -> float:
        """Wall-clock epoch seconds (only to read Retry-After dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Blocks for `seconds`."""
        ...


#: The longest single `time.sleep` of `SystemClock.sleep`: a day.
_LONGEST_SLEEP_SECONDS = 86_400.0


class SystemClock:
    """The real clock: `time.monotonic`, `time.time` and `time.sleep`."""

    def monotonic(self) -> float:
        """Returns `time.monotonic()`."""
        return time.monotonic()

    def time(self) -> float:
        """Returns `time.time()`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Sleeps `seconds` with `time.sleep`, a day at most at a time: `time.sleep` refuses
        a time past what the system can count (`OverflowError`), and a wait with no
        deadline may sleep that long, or for ever (`math.inf`)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, _LONGEST_SLEEP_SECONDS))


class Client(ClientBase[Transport, Clock]):
    """A connection to the Superstaq API (v0.3.0): submit, read and cancel jobs.

    Args:
        api_key: The API key. If None: `SUPERSTAQ_API_KEY`, else the key files upstream
            reads (`$XDG_DATA_HOME/super.tech/superstaq_api_key`, ...).
        remote_host: The server. If None: `SUPERSTAQ_REMOTE_HOST`, else
            https://superstaq-prod.infleqtion.com. A scheme and a host (and port), nothing
            after them: a path is refused, not dropped as upstream drops it. Plain
            `http://` is accepted only for a loopback host, so the key never crosses a
            network unencrypted.
        transport: What sends the HTTP requests; default `Urllib3Transport()`.
        api_version: The wire format; only "v0.3.0" is supported.
        circuit_type: The circuit language; it selects the fetch endpoint, and is the
            default of `create_job`.
        client_name: Sent as `X-Client-Name`.
        max_retry_seconds: Time budget for retrying 503/429 replies and network faults,
            and the default `timeout_seconds` of waits.
        request_timeout_seconds: Longest time one HTTP attempt may take.
        clock: Any object with `monotonic()`, `time()` (epoch seconds) and
            `sleep(seconds)`; default the real clock (tests pass a fake one).
        rng: A source of random floats in [0, 1) for the retry jitter.
        **credentials: Provider credentials sent as headers: ibmq_token, ibmq_instance,
            ibmq_channel, cq_token.

    Raises:
        OSError: No API key was given or found.
        ValueError: A bad argument (unsafe or malformed host, negative budget, ...).
        TypeError: An argument of the wrong type, or an unknown keyword; a transport
            without `send`, or whose `send` is a coroutine function (an AsyncTransport).
    """

    def _defaults(self) -> tuple[Callable[[], Transport], Callable[[], Clock]]:
        from transports.urllib3 import Urllib3Transport

        return Urllib3Transport, SystemClock

    # -- public API ----------------------------------------------------------------------

    def fetch_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> dict[str, JobData]:
        """Fetches the data of jobs, in as few requests as the URL length allows.

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
        ids, headers = canonical_ids(job_ids), self._session.headers(kwargs)
        return perform(calls.fetch_jobs(self._session, ids, headers), [self])

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
        ids, headers = canonical_ids(job_ids), self._session.headers(kwargs)
        return perform(calls.cancel(self._session, ids, headers), [self])

    def create_job(self, circuits: str, **submission: Unpack[Submission]) -> Job:
        """Submits a job (`POST client/job`) and returns its `Job`.

        A submission is not idempotent: it is retried only when the server provably did
        not take it (503, 429, or no connection made). After a fault that may follow its
        delivery (a timeout or a broken reply after the request was sent, a 500, 502 or
        504, a 2xx reply that cannot be read) the job may have been created: with
        `submission_tag=True` it is looked up once by its tag, and returned if found (a
        line on the `sqcore` logger says so); else the `SuperstaqException` raised has
        `may_have_been_created=True` and says how to find the job (`find_jobs`).

        Args (keywords after `circuits`, typed by `sqcore.core.arguments.Submission`):
            circuits: The SDK's serialized circuits, one string, sent as is.
            target: The target, e.g. "ss_unconstrained_simulator" (required).
            shots: Shots per circuit (>= 0; default 1).
            circuit_type: cirq, qiskit, qasm or jaqal; None (the default) means the
                client's.
            job_type: submit (the default), simulate, compile or convert.
            sim_method: For simulation jobs: "sim" or "noise-sim" (None: the server's).
            dry_run: Ask for a dry run.
            verbatim: Skip the compile step.
            priority: The job's priority (the server caps it by role).
            tags: Tags to find the job by later.
            metadata: Anything JSON-serializable, kept with the job.
            options: Further options (upstream's `options_dict`).
            submission_tag: Add the tag `sqcore-submission:<uuid4>` to `tags`, so that the
                job can be found again if the reply is lost (default False: the body is
                upstream's `NewJob` as given).
            ibmq_token, ibmq_instance, ibmq_channel, cq_token: Provider credentials for
                this call.

        Raises:
            TypeError, ValueError: A bad or unknown argument (named in the message), before
                any request.
            SuperstaqServerException: The server refused the job (e.g. 422 for a bad body;
                after a 500, 502 or 504 `may_have_been_created` is True).
            SuperstaqException: The reply could not be read, or the connection failed after
                the request was sent: `may_have_been_created` is True, `submission_tag` the
                tag, and the message says how to find the job.
            TimeoutError: 503/429 or connection failures went on past `max_retry_seconds`
                (the job was not created).
        """
        submitting = self._session.submission(circuits, submission, uuid.uuid4())
        return Job.knowing(self, perform(submit.create(self._session, submitting), [self]))

    def find_jobs(self, **filters: Unpack[JobFilters]) -> list[Job]:
        """Finds jobs by what they are (upstream's `JobQuery`): `GET client/job/{type}`
        with filters. A job is found when it matches one value of every filter given (the
        values of one filter OR, the filters AND); no filter finds every job of the user.

        Args (keywords, each optional, typed by `sqcore.core.arguments.JobFilters`):
            tags: Jobs with any of these tags.
            statuses: Jobs with a circuit in any of these statuses.
            targets: Jobs submitted to any of these targets.
            user_emails: Jobs of any of these users.
            job_ids: Any of these jobs.
            min_priority, max_priority: Jobs whose priority is within these bounds.
            submitted_before, submitted_after: Jobs submitted before / at or after these
                times (timezone-aware datetimes; sent in ISO 8601).

        Returns:
            The jobs found, in the order of the server's reply, each with its data cached:
            reading it makes no request.

        Raises:
            TypeError, ValueError: A bad filter (named in the message), before any request:
                a naive datetime, an unknown status, a single str for a sequence, ...
            SuperstaqServerException, SuperstaqException, TimeoutError: as `fetch_jobs`; a
                reply whose keys are not job ids is a `SuperstaqException` naming the key.
        """
        query = job_query(filters)
        found = calls.find(self._session, self._session.find(query), query.job_ids)
        return [Job.knowing(self, state) for state in perform(found, [self])]
