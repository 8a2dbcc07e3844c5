"""`sqcore._cli_output`: on a terminal one progress line is redrawn in place; off one, plain
lines, written only when the counts change; tables aligned in columns."""

from __future__ import annotations

import io

from sqcore import CircuitStatus, Progress
from sqcore._cli_output import ProgressLine, table

S = CircuitStatus


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _progress(done: int, elapsed: float) -> Progress:
    return Progress(((S.RUNNING, 2 - done), (S.COMPLETED, done)), done, 2, elapsed)


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
    line(_progress(0, 0.5))
    line(_progress(0, 1.0))
    line(_progress(1, 2.0))
    line.note("note")
    line.close()
    assert stream.getvalue().splitlines() == [
        "[  0.5s] 0/2 jobs done (2 running, 0 completed)",
        "[  2.0s] 1/2 jobs done (1 running, 1 completed)",
        "note",
    ]


def test_table_aligns_columns_and_trims_trailing_space() -> None:
    stream = io.StringIO()
    table([["JOB", "STATUS"], ["a-long-id", "ok"], ["b", ""]], stream)
    assert stream.getvalue().splitlines() == ["JOB        STATUS", "a-long-id  ok", "b"]
