"""Review: `REQUESTS_CA_BUNDLE` naming a directory of hashed certificates, which requests
accepts (its adapter passes a directory as `ca_cert_dir`), makes `Client()` itself raise.

SPEC and the issue read the CA variables "as requests does". `transports/_urllib3.py`
`_verifying_context` refuses anything but a file, so a user who moves from
general-superstaq with such a setting cannot even build a client (the default transport is
made in `Client.__init__`).
"""

from __future__ import annotations

import os

import pytest

from sqcore import Client

CERT_DIR = "/etc/ssl/certs"  # the system's hashed directory (c_rehash), as on Debian


@pytest.mark.skipif(not os.path.isdir(CERT_DIR), reason="no system certificate directory")
def test_a_ca_directory_in_requests_ca_bundle_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", CERT_DIR)
    for name in ("CURL_CA_BUNDLE", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        client = Client(api_key="k-review-ca-0001")
    except ValueError as exc:
        pytest.fail(f"Client() refused a directory requests accepts: {exc}")
    client.close()
