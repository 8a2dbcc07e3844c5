class SuperstaqException(Exception):
    message: str
    def __init__(self, message: str) -> None: ...

class SuperstaqServerException(SuperstaqException):
    status_code: int
    def __init__(
        self, message: str, status_code: int = 400, contact_info: bool = False
    ) -> None: ...
