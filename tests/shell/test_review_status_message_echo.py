"""Review: a server that echoes the API key in a circuit's status message gets it into an
exception message unredacted.

SPEC: "the API key never appears in ... an exception message ... even when the server
echoes it back, it is redacted". `JobHandle._unsuccessful` (sqcore/_handle.py) builds
`SuperstaqUnsuccessfulJobException` from `failure_summary(data.statuses,
data.status_messages)`, server text that never goes through `Session.redact` (every other
server text does: error replies, warnings, retry reasons).
"""

from __future__ import annotations

import pytest

from sqcore import Job, SuperstaqUnsuccessfulJobException
from tests.fakes import always, json_reply
from tests.fixtures import JOB_65, job_65, reply_of
from tests.shell.conftest import KEY, client_on


def test_a_key_echoed_in_a_status_message_is_redacted_in_the_exception() -> None:
    failed = job_65(statuses=["failed"], status_messages=[f"rejected key {KEY} for this target"])
    client = client_on(always(json_reply(200, reply_of({JOB_65: failed}))))
    job = Job(client, JOB_65)
    with pytest.raises(SuperstaqUnsuccessfulJobException) as caught:
        job._check_if_unsuccessful()
    assert KEY not in str(caught.value), str(caught.value)
