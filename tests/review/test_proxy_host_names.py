"""Review: a proxy whose host name cannot be looked up is a clear error, never a crash.

A host name with a label longer than 63 characters cannot be encoded for DNS (IDNA). As the
API host, `Urllib3Transport` refuses it ("refused"); as the proxy's host (`proxy_url=` or
`HTTPS_PROXY`) it is refused when the transport is made, naming where it came from, so the
command line says so in one line (exit 2) instead of printing a traceback."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from returns.pipeline import is_successful

from transports import Request, Urllib3Transport

ROOT = pathlib.Path(__file__).resolve().parents[2]
LONG_LABEL_PROXY = "http://" + "a" * 64 + ".example:3128"
JOB = "00000000-0000-0000-0000-000000000065"


def test_a_proxy_host_that_cannot_be_encoded_is_refused_or_a_failure_never_raised() -> None:
    try:
        transport = Urllib3Transport(proxy_url=LONG_LABEL_PROXY, trust_env=False)
    except ValueError as refused:  # refused when made, like other invalid proxy host names
        assert "proxy_url" in str(refused)
        return
    with transport:
        result = transport.send(Request("GET", "https://example.com/x", {}, None, 2.0))

    assert not is_successful(result)
    assert result.failure().kind in {"resolve", "refused", "proxy"}


def test_the_command_line_reports_a_proxy_host_that_cannot_be_encoded_in_one_line(
    tmp_path: pathlib.Path,
) -> None:
    environment = {
        name: value for name, value in os.environ.items() if not name.lower().endswith("_proxy")
    }
    environment.update(
        {
            "HTTPS_PROXY": LONG_LABEL_PROXY,
            "SUPERSTAQ_API_KEY": "sk-review-proxy-1",
            "HOME": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "sqcore", "status", JOB, "--host", "https://example.com"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )

    assert result.returncode in {2, 4}, result.stderr[-300:]
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("sqcore: error: ")
