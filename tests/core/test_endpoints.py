"""`sqcore.core.endpoints`: which hosts may be sent the key, the base URL, the fetch URL and the
batching of job ids by URL length."""

from __future__ import annotations

import itertools
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore.core.endpoints import (
    MAX_URL_LENGTH,
    base_url,
    batch_ids,
    fetch_url,
    unsafe_url_reason,
)
from sqcore.core.models import CircuitType

BASE = "https://superstaq.example/v0.3.0"
JOB_65 = "00000000-0000-0000-0000-000000000065"


# -- hosts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://superstaq-prod.infleqtion.com", True),
        ("HTTPS://example.com/path", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.5.6.7", True),
        ("http://localhost:9", True),
        ("http://[::1]:80", True),
        ("http://example.com", False),
        ("HTTP://example.com", False),
        ("http://127.0.0.1@example.com", False),
        ("http://localhost.example", False),
        ("http://localhost@evil.example:80", False),
        ("https://user:pw@example.com", False),  # user info, whatever the scheme
        ("https://example.com\\@127.0.0.1", False),
        ("http://10.0.0.1", False),
        ("ftp://localhost", False),
        ("example.com", False),
        ("http://", False),
    ],
)
def test_the_key_goes_over_https_anywhere_and_plain_http_only_to_loopback(
    url: str, safe: bool
) -> None:
    reason = unsafe_url_reason(url)
    assert (reason is None) == safe, reason


@pytest.mark.parametrize("host", ["LOCALHOST", "localhost", "[::1]", "127.255.0.1"])
def test_every_spelling_of_loopback_is_safe(host: str) -> None:
    assert unsafe_url_reason(f"http://{host}:80") is None


def test_an_unsafe_url_says_why_and_what_to_do() -> None:
    assert unsafe_url_reason("http://evil.example/x") == (
        "refusing to send the API key over plain http:// to 'evil.example', which is not a "
        "loopback host; use https://"
    )
    assert unsafe_url_reason("ftp://h") == (
        "'ftp://h' is not an http(s) URL with a host, like https://example.com"
    )
    assert unsafe_url_reason("https://user:pw@example.com") == (
        "'https://…@example.com' holds user info (before an @); give the key as api_key instead"
    )
    assert unsafe_url_reason("http://evil.example\\@127.0.0.1") == (
        "'http://…@127.0.0.1' holds a backslash, a space or a control character, which URL "
        "parsers read differently; write the host plainly, like https://example.com"
    )
    broken = unsafe_url_reason("http://[::1")
    assert broken is not None
    assert broken.startswith("'http://[::1' is not a valid URL (")


@given(st.text(max_size=40))
def test_any_text_is_judged_never_raised(url: str) -> None:
    reason = unsafe_url_reason(url)
    if reason is None:
        assert url.strip().lower().startswith(("https://", "http://"))


# -- URLs ------------------------------------------------------------------------------------


def test_the_base_url_is_scheme_host_and_version() -> None:
    assert base_url("https://h.example", "v0.3.0").unwrap() == "https://h.example/v0.3.0"
    assert base_url(" HTTPS://Host.example:8443/ ", "v0.3.0").unwrap() == (
        "https://Host.example:8443/v0.3.0"
    )


@pytest.mark.parametrize(
    ("host", "rest"),
    [
        ("https://h.example/api/v2", "/api/v2"),
        ("https://h.example/v0.3.0", "/v0.3.0"),
        ("https://h.example//", "//"),
        ("https://h.example?x=1", "?x=1"),
        ("https://h.example/#top", "/#top"),
    ],
)
def test_a_host_with_a_path_is_refused_not_silently_dropped(host: str, rest: str) -> None:
    refused = base_url(host, "v0.3.0").failure()

    assert refused == (
        f"{host!r} has {rest!r} after the host, which sqcore would not use: every request goes "
        "to https://h.example/v0.3.0/...; give the scheme and host alone, like https://h.example"
    )


@pytest.mark.parametrize("port", ["0", "99999", "65536", "http", "-1"])
def test_a_port_that_is_not_1_to_65535_is_refused(port: str) -> None:
    refused = base_url(f"https://h.example:{port}", "v0.3.0").failure()

    assert refused == (
        f"'https://h.example:{port}' has port {port!r}, which is not a TCP port (1 to 65535)"
    )


@pytest.mark.parametrize("port", [1, 443, 65535])
def test_every_tcp_port_is_kept(port: int) -> None:
    assert base_url(f"http://127.0.0.1:{port}", "v0.3.0").unwrap() == (
        f"http://127.0.0.1:{port}/v0.3.0"
    )


def test_an_unsafe_host_has_no_base_url() -> None:
    refused = base_url("http://evil.example", "v0.3.0")
    assert not is_successful(refused)
    assert refused.failure() == unsafe_url_reason("http://evil.example")


def test_a_fetch_url_names_every_id_for_the_circuit_type() -> None:
    assert fetch_url(BASE, CircuitType.QISKIT, [JOB_65, JOB_65.upper()]) == (
        f"{BASE}/client/job/qiskit?job_id={JOB_65}&job_id={JOB_65.upper()}"
    )
    assert fetch_url(BASE, CircuitType.QASM, []) == f"{BASE}/client/job/qasm"


def test_a_fetch_url_escapes_anything_but_plain_ids() -> None:
    assert fetch_url(BASE, CircuitType.CIRQ, ["a b&c=d", JOB_65]) == (
        f"{BASE}/client/job/cirq?job_id=a%20b%26c%3Dd&job_id={JOB_65}"
    )
    assert fetch_url(BASE, CircuitType.CIRQ, ["é"]) == f"{BASE}/client/job/cirq?job_id=%C3%A9"
    assert fetch_url(BASE, CircuitType.CIRQ, ["a/b"]) == f"{BASE}/client/job/cirq?job_id=a%2Fb"


@given(st.lists(st.text(max_size=10), max_size=5))
def test_any_ids_survive_the_query_string(ids: list[str]) -> None:
    parts = urllib.parse.urlsplit(fetch_url(BASE, CircuitType.CIRQ, ids))
    assert parts.path == "/v0.3.0/client/job/cirq"
    assert urllib.parse.parse_qsl(parts.query, keep_blank_values=True) == [
        ("job_id", job_id) for job_id in ids
    ]


# -- batches ---------------------------------------------------------------------------------

_ids = st.lists(st.uuids().map(str) | st.text(max_size=50), max_size=300)
_bases = st.sampled_from([BASE, "http://127.0.0.1:8080/v0.3.0", "https://h/" + "p" * 150])
_types = st.sampled_from(list(CircuitType))


@given(_bases, _types, _ids, st.integers(50, 5000))
def test_batches_keep_every_id_in_order_and_each_url_fits(
    base: str, circuit_type: CircuitType, ids: list[str], limit: int
) -> None:
    batches = batch_ids(base, circuit_type, ids, limit)
    assert [job_id for batch in batches for job_id in batch] == ids
    for batch in batches:
        assert batch
        assert len(fetch_url(base, circuit_type, batch)) <= limit or len(batch) == 1


@given(_bases, _types, _ids, st.integers(300, 5000))
def test_batches_are_as_few_as_the_limit_allows(
    base: str, circuit_type: CircuitType, ids: list[str], limit: int
) -> None:
    """No batch could have taken the next batch's first id."""
    batches = batch_ids(base, circuit_type, ids, limit)
    for batch, following in itertools.pairwise(batches):
        assert len(fetch_url(base, circuit_type, (*batch, following[0]))) > limit


def test_a_batch_may_fill_the_limit_exactly() -> None:
    ids = [JOB_65, JOB_65]
    exact = len(fetch_url(BASE, CircuitType.CIRQ, ids))
    assert batch_ids(BASE, CircuitType.CIRQ, ids, exact) == ((JOB_65, JOB_65),)
    assert batch_ids(BASE, CircuitType.CIRQ, ids, exact - 1) == ((JOB_65,), (JOB_65,))


def test_batches_are_as_full_as_the_limit_allows() -> None:
    ids = [f"{i:010d}" for i in range(7)]
    limit = len(fetch_url(BASE, CircuitType.CIRQ, ids[:3]))
    assert batch_ids(BASE, CircuitType.CIRQ, ids, limit) == (
        tuple(ids[0:3]),
        tuple(ids[3:6]),
        tuple(ids[6:7]),
    )


def test_an_id_too_long_for_any_batch_gets_its_own() -> None:
    long_id = "x" * 500
    assert batch_ids(BASE, CircuitType.CIRQ, [JOB_65, long_id, JOB_65], 100) == (
        (JOB_65,),
        (long_id,),
        (JOB_65,),
    )


def test_no_ids_make_no_batches() -> None:
    assert batch_ids(BASE, CircuitType.CIRQ, []) == ()


def test_by_default_a_batch_fills_up_to_4000_characters() -> None:
    ids = [JOB_65] * 250
    batches = batch_ids(BASE, CircuitType.CIRQ, ids)
    assert MAX_URL_LENGTH == 4000
    # 48 characters of base URL, then 44 per id ("&job_id=" and 36): 89 fit in 4000.
    assert [len(batch) for batch in batches] == [89, 89, 72]
    assert all(len(fetch_url(BASE, CircuitType.CIRQ, b)) <= MAX_URL_LENGTH for b in batches)


def test_the_port_of_an_ipv6_host_is_named_after_its_last_colon() -> None:
    refused = base_url("https://[::1]:99999", "v0.3.0").failure()
    assert refused == "'https://[::1]:99999' has port '99999', which is not a TCP port (1 to 65535)"
