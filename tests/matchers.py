"""Matchers for failures, by what sqcore decides and never by a dependency's wording.

A `BadBody` carries msgspec's description of what was wrong (it helps a person reading the
error), but its text is msgspec's and changes between releases. Tests compare what sqcore
itself decides: the kind of failure, the JSON path, the job, and the words sqcore writes.
"""

from __future__ import annotations

from sqcore.core.errors import BadBody


class Bad:
    """Equal to a `BadBody` at `path`, about `job_id`, whose message starts with `ours` (the
    words sqcore writes, if any) and mentions `names` (a field the message must name)."""

    def __init__(
        self,
        path: str = "$",
        job_id: str | None = None,
        *,
        ours: str | None = None,
        names: str | None = None,
    ) -> None:
        self.path = path
        self.job_id = job_id
        self.ours = ours
        self.names = names

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BadBody):
            return NotImplemented
        return (
            other.kind == "bad_body"
            and (other.path, other.job_id) == (self.path, self.job_id)
            and bool(other.message.strip())
            and (self.ours is None or other.message.startswith(self.ours))
            and (self.names is None or self.names in other.message)
        )

    def __hash__(self) -> int:
        return hash((self.path, self.job_id, self.ours, self.names))

    def __repr__(self) -> str:
        return f"Bad(path={self.path!r}, job_id={self.job_id!r}, ours={self.ours!r})"
