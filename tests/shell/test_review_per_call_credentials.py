"""Review: a provider credential given per call (`fetch_jobs(..., ibmq_token=...)`,
`create_job(..., cq_token=...)`, `cancel_jobs(...)`) is not redacted when the server echoes
it, while the same credential given to `Client(...)` is.

`Session.redact` (sqcore/_session.py) only knows the key and the client's own
`_credentials`; the call's credentials are merged into the headers (`Session.headers`) but
never into what is redacted. The transport treats all of them as secrets
(`transports._types.CREDENTIAL_HEADERS`), and the same value passed to `Client` is hidden.
"""

from __future__ import annotations

import json

import pytest

from sqcore import SuperstaqServerException
from tests.fakes import always, json_reply
from tests.fixtures import JOB_65
from tests.shell.conftest import client_on
from transports import FunctionTransport

TOKEN = "ibm-SECRET-token-77"


def _echo() -> FunctionTransport:
    body = json.dumps({"message": f"token {TOKEN} is not valid for this instance"}).encode()
    return always(json_reply(403, body))


def test_a_per_call_credential_echoed_by_the_server_is_redacted_in_fetch_jobs() -> None:
    client = client_on(_echo())
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65], ibmq_token=TOKEN)
    assert TOKEN not in str(caught.value), str(caught.value)


def test_a_per_call_credential_echoed_by_the_server_is_redacted_in_create_job() -> None:
    client = client_on(_echo())
    with pytest.raises(SuperstaqServerException) as caught:
        client.create_job("[]", target="ibmq_brisbane_qpu", ibmq_token=TOKEN)
    assert TOKEN not in str(caught.value), str(caught.value)
