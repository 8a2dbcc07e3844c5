"""Review: `sqcore wait --timeout nan` ends in a traceback, not a one-line usage error.

sqcore/_cli.py `_cmd_wait` checks only `args.timeout < 0` (False for NaN), then `wait_all`
raises `ValueError("timeout_seconds must be >= 0, got nan")`, which `main` does not catch
(it catches `_UsageError`, `TimeoutError` and the Superstaq exceptions). The module
docstring and README: "Every error is one line on stderr, never a traceback", exit 2 for
"usage or input error".
"""

from __future__ import annotations

import io

from sqcore._cli import EXIT_USAGE, main


def test_a_nan_timeout_is_a_usage_error() -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["wait", "00000000-0000-0000-0000-000000000065", "--timeout", "nan"]
    argv += ["--api-key", "k-review-0001", "--host", "http://127.0.0.1:9"]
    try:
        code = main(argv, out, err, io.StringIO())
    except ValueError as exc:  # escapes main: a traceback for the user
        raise AssertionError(f"main raised {exc!r} instead of a usage error") from exc
    assert code == EXIT_USAGE
    assert err.getvalue().startswith("sqcore: error: ")
