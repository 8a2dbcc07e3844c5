"""`sqcore.cli.output`: on a terminal one progress line is redrawn in place; off one, plain
lines, written on the first poll and then only when something changed, naming what; tables
aligned in columns."""

from __future__ import annotations

import io

from sqcore import CircuitStatus, Progress
from sqcore.cli.output import ProgressLine, table
from sqcore.core.waiting import Change

S = CircuitStatus


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _progress(done: int, elapsed: float, *changes: Change) -> Progress:
    return Progress(((S.RUNNING, 2 - done), (S.COMPLETED, done)), done, 2, elapsed, changes)


def test_on_a_terminal_the_line_is_redrawn_and_ended() -> None:
    stream = Terminal()
    line = ProgressLine(stream, "circuits")
    line(_progress(0, 0.5))
    line(_progress(0, 1.5))
    line.note("a warning")
    line.close()
    assert stream.getvalue() == (
        "\r\x1b[2K[  0.5s] 0/2 circuits done (2 running, 0 completed)"
        "\r\x1b[2K[  1.5s] 0/2 circuits done (2 running, 0 completed)"
        "\r\x1b[2Ka warning\n"
        "\n"
    )


def test_a_terminal_line_never_drawn_is_not_ended() -> None:
    stream = Terminal()
    ProgressLine(stream, "jobs").close()
    assert stream.getvalue() == ""


def test_off_a_terminal_only_changes_are_written() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, "jobs")
    moved = Change("0123456789abcdef", None, S.RUNNING, S.COMPLETED)
    circuit = Change("fedcba9876543210", 1, S.RUNNING, S.COMPLETED)
    line(_progress(0, 0.5))
    line(_progress(0, 1.0))  # nothing changed: no line
    line(_progress(1, 2.0, moved, circuit))
    line(_progress(1, 2.5, Change("fedcba9876543210", 0, S.RUNNING, S.FAILED)))
    line.note("note")
    line.close()
    assert stream.getvalue().splitlines() == [
        "[  0.5s] 0/2 jobs done (2 running, 0 completed)",
        "[  2.0s] 1/2 jobs done (1 running, 1 completed): 01234567 running -> completed",
        "[  2.5s] 1/2 jobs done (1 running, 1 completed)",  # a circuit moved: counted, unnamed
        "note",
    ]


def test_a_line_names_three_moves_and_counts_the_rest() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, "jobs")
    moves = [Change(f"job-{n}-id", None, S.RUNNING, S.COMPLETED) for n in range(5)]

    line(_progress(1, 1.0, *moves))

    (written,) = stream.getvalue().splitlines()
    assert written.endswith(
        ": job-0-id running -> completed, job-1-id running -> completed, "
        "job-2-id running -> completed and 2 more"
    )


def test_table_aligns_columns_and_trims_trailing_space() -> None:
    stream = io.StringIO()
    table([["JOB", "STATUS"], ["a-long-id", "ok"], ["b", ""]], stream)
    assert stream.getvalue().splitlines() == ["JOB        STATUS", "a-long-id  ok", "b"]
