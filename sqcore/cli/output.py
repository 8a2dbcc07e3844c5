"""Shell: terminal output for the command line and the demo (tables, live progress)."""

from __future__ import annotations

from typing import TextIO

from sqcore.core.waiting import Change, Progress

__all__ = ["ProgressLine", "table"]


def table(rows: list[list[str]], out: TextIO) -> None:
    """Writes `rows` (the first is the header) as left-aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        out.write("\n")


class ProgressLine:
    """Live progress on a stream: one redrawn line on a terminal, plain lines otherwise.

    Off a terminal (a log, a pipe) a line is written on the first poll and then only when
    something changed, naming what changed, so a log says each thing once.
    """

    #: Changes named on one line; more are counted.
    SHOWN_CHANGES = 3

    def __init__(self, stream: TextIO, noun: str) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._noun = noun
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        """Shows `progress`."""
        counts = ", ".join(f"{n} {status.value}" for status, n in progress.counts)
        text = f"{progress.done}/{progress.total} {self._noun} done ({counts})"
        if self._tty:
            self._stream.write(f"\r\x1b[2K[{progress.elapsed_seconds:5.1f}s] {text}")
        elif not self._drawn or progress.changes:
            moved = _moves(progress.changes, self.SHOWN_CHANGES)
            self._stream.write(f"[{progress.elapsed_seconds:5.1f}s] {text}{moved}\n")
        self._stream.flush()
        self._drawn = True

    def note(self, message: str) -> None:
        """Writes a line of its own without garbling the progress line."""
        prefix = "\r\x1b[2K" if self._tty else ""
        self._stream.write(f"{prefix}{message}\n")
        self._stream.flush()

    def close(self) -> None:
        """Ends the redrawn line (on a terminal)."""
        if self._tty and self._drawn:
            self._stream.write("\n")
            self._stream.flush()


def _moves(changes: tuple[Change, ...], shown: int) -> str:
    """ ": <job> <before> -> <after>, ..." for the jobs' overall statuses that moved."""
    moved = [change for change in changes if change.index is None]
    if not moved:
        return ""
    named = ", ".join(
        f"{change.job_id[:8]} {change.before.value} -> {change.after.value}"
        for change in moved[:shown]
    )
    more = f" and {len(moved) - shown} more" if len(moved) > shown else ""
    return f": {named}{more}"
