import enum

class CircuitStatus(str, enum.Enum):
    RECEIVED = "received"
    COMPLETED = "completed"
    RUNNING = "running"
    CANCELLED = "cancelled"
    FAILED = "failed"

class JobData:
    statuses: list[CircuitStatus]
    counts: list[dict[str, int | float] | None]
    def __init__(self, **data: object) -> None: ...
    def model_dump(self) -> dict[str, object]: ...
    @classmethod
    def model_validate_json(cls, json_data: str | bytes) -> JobData: ...

class NewJob:
    def model_dump(self, *, mode: str = ...) -> dict[str, object]: ...
    @classmethod
    def model_validate_json(cls, json_data: str | bytes) -> NewJob: ...

class JobQuery:
    def __init__(self, **data: object) -> None: ...
    def model_dump(self, *, exclude_none: bool = ...) -> dict[str, object]: ...
    @classmethod
    def model_validate(cls, obj: object) -> JobQuery: ...
