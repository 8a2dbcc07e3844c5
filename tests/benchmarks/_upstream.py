"""The upstream side: `general_superstaq`'s client and models, reached at run time.

CI installs neither general-superstaq nor requests, and the stub in `typings/` covers only
what the compat tests use, so the few upstream objects the benchmarks need beyond it (the
client's `requests` session, `model_dump(mode="json")`, `requests.Response`) are reached
through `importlib` modules here, and only typed values (bytes, str, floats) leave this file.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Protocol

__all__ = [
    "CannedAdapter",
    "UpstreamJob",
    "available",
    "gss",
    "jobs",
    "make_client",
    "models",
    "mount_canned",
    "upstream_version",
]


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def available() -> bool:
    """Whether general-superstaq is importable (the `bench` extra is installed)."""
    try:
        _module("general_superstaq")
    except ImportError:
        return False
    return True


def gss() -> ModuleType:
    """The `general_superstaq` package."""
    return _module("general_superstaq")


def models() -> ModuleType:
    """`general_superstaq.models` (pydantic models: JobData, CircuitStatus, ...)."""
    return _module("general_superstaq.models")


def upstream_version() -> str:
    """The installed general-superstaq version."""
    return str(gss().__version__)


def make_client(remote_host: str, api_key: str, *, max_retry_seconds: float = 60) -> object:
    """Upstream's v0.3.0 client, as a user of `general_superstaq` makes it."""
    client_module = _module("general_superstaq.superstaq_client")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # upstream warns that v0.3.0 is "under development"
        client: object = client_module._SuperstaqClientV3(
            client_name="bench",
            api_key=api_key,
            remote_host=remote_host,
            api_version="v0.3.0",
            max_retry_seconds=max_retry_seconds,
        )
    return client


class _Status(Protocol):
    value: str


class UpstreamJob(Protocol):
    """What the benchmarks call on `general_superstaq.job.Job`."""

    @property
    def job_data(self) -> object: ...

    def _status(self, index: int | None = None) -> _Status: ...

    def wait_until_terminal_state(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float = 5,
    ) -> None: ...


def jobs(client: object, job_ids: Sequence[str]) -> list[UpstreamJob]:
    """Upstream's `Job` of each id, read through `client`."""
    job_class = gss().job.Job
    made: list[UpstreamJob] = [job_class(client, job_id) for job_id in job_ids]
    return made


class _PreparedRequest(Protocol):
    url: str | None


class CannedAdapter:
    """A `requests` transport adapter answering every request with canned bytes (no network).

    Duck-types `requests.adapters.BaseAdapter` (`send` and `close`, all `Session.mount`
    needs) and builds the `requests.Response` as `HTTPAdapter.build_response` does, so the
    upstream client does all its usual work above the socket.

    Args:
        reply: Maps the request URL to the reply body.
    """

    def __init__(self, reply: Callable[[str], bytes]) -> None:
        self._reply = reply
        self._models = _module("requests.models")
        self._structures = _module("requests.structures")
        self._utils = _module("requests.utils")
        self.sent = 0

    def send(
        self,
        request: _PreparedRequest,
        stream: bool = False,
        timeout: object = None,
        verify: object = True,
        cert: object = None,
        proxies: object = None,
    ) -> object:
        """Returns a 200 `requests.Response` carrying the canned body for `request.url`."""
        url = request.url or ""
        body = self._reply(url)
        self.sent += 1
        response = self._models.Response()
        response.status_code = 200
        response.headers = self._structures.CaseInsensitiveDict(
            {"Content-Type": "application/json", "Content-Length": str(len(body))}
        )
        response.encoding = self._utils.get_encoding_from_headers(response.headers)
        response.reason = "OK"
        response.url = url
        response.request = request
        response._content = body
        response._content_consumed = True
        return response

    def close(self) -> None:
        """Nothing to release."""


def mount_canned(client: object, adapter: CannedAdapter) -> None:
    """Mounts `adapter` on the client's `requests` session for every URL."""
    session = vars(client)["session"]
    session.mount("http://", adapter)
    session.mount("https://", adapter)
