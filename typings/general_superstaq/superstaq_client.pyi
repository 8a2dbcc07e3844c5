import uuid
from collections.abc import Sequence

class _SuperstaqClientV3:
    max_retry_seconds: float
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
