import uuid
from collections.abc import Mapping, Sequence

class _SuperstaqClientV3:
    max_retry_seconds: float
    url: str
    def __init__(
        self,
        client_name: str,
        api_key: str | None = None,
        remote_host: str | None = None,
        api_version: str = ...,
        max_retry_seconds: float = 60,
    ) -> None: ...
    def fetch_jobs(
        self, job_ids: Sequence[str] | Sequence[uuid.UUID], **kwargs: object
    ) -> dict[str, dict[str, object]]: ...
    def cancel_jobs(
        self, job_ids: Sequence[str] | Sequence[uuid.UUID], **kwargs: object
    ) -> list[str]: ...
    def create_job(
        self,
        serialized_circuits: dict[str, str],
        repetitions: int = 1,
        target: str = "ss_unconstrained_simulator",
        *,
        method: str | None = None,
        verbatim: bool = False,
        tag: Sequence[str] | str = (),
        metadata: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> dict[str, object]: ...
