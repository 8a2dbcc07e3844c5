"""`transports._types`: the values that cross the Transport protocol are frozen, look headers
up case-insensitively, and never show a credential."""

from __future__ import annotations

import operator
from types import MappingProxyType

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes import untyped
from transports._types import (
    CREDENTIAL_HEADERS,
    PROVIDER_CREDENTIALS,
    Request,
    Response,
    TransportError,
    freeze_headers,
    header_value,
)

KEY = "sk-SECRET-0123456789"
CREDENTIALS = {"Authorization": KEY, **{name: f"{name}-V4LUE" for name in PROVIDER_CREDENTIALS}}


def test_the_credentials_are_the_key_and_the_provider_tokens() -> None:
    assert PROVIDER_CREDENTIALS == ("ibmq_token", "ibmq_instance", "ibmq_channel", "cq_token")
    assert {"authorization", *PROVIDER_CREDENTIALS} == CREDENTIAL_HEADERS


@pytest.mark.parametrize("spelling", ["Authorization", "AUTHORIZATION", "authorization"])
def test_a_request_never_shows_a_credential_in_any_spelling(spelling: str) -> None:
    headers = {**CREDENTIALS, spelling: KEY, "X-Client-Name": "sqcore"}
    request = Request("PUT", "https://h.example/x", headers, b'{"job_id": []}', 5.0)
    shown = [repr(request), str(request), repr(request.__rich_repr__())]
    for text in shown:
        assert KEY not in text
        assert "V4LUE" not in text
        assert "<redacted>" in text
        assert "sqcore" in text  # other headers are shown
    assert repr(request) == (
        "Request(method='PUT', url='https://h.example/x', headers={"
        + ", ".join(
            f"{name!r}: {'<redacted>' if name.lower() in CREDENTIAL_HEADERS else value!r}"
            for name, value in request.headers.items()
        )
        + "}, body=<14 bytes>, timeout=5.0)"
    )


def test_a_request_without_a_body_says_none() -> None:
    request = Request("GET", "https://h.example/x", {}, None, 1.5)
    assert repr(request) == (
        "Request(method='GET', url='https://h.example/x', headers={}, body=None, timeout=1.5)"
    )
    assert dict(request.__rich_repr__())["body"] is None


def test_requests_and_responses_are_frozen_with_read_only_headers() -> None:
    request = Request("GET", "https://h.example/x", {"A": "1"}, None, 1.0)
    response = Response(200, {"B": "2"}, b"")
    for value in (request, response):
        with pytest.raises(AttributeError):
            untyped(setattr)(value, "headers", {})
        with pytest.raises(TypeError):
            untyped(operator.setitem)(value.headers, "C", "3")


def test_frozen_headers_are_kept_as_given() -> None:
    headers = MappingProxyType({"Retry-After": "3"})
    response = Response(503, headers, b"")
    assert response.headers is headers
    assert response.header("retry-after") == "3"
    assert Response(503, {"A": "1"}, b"").headers == {"A": "1"}


def test_headers_freeze_from_a_mapping_or_pairs() -> None:
    assert freeze_headers({"A": "1"}) == {"A": "1"}
    assert freeze_headers([("A", "1"), ("B", "2")]) == {"A": "1", "B": "2"}
    assert isinstance(freeze_headers({}), MappingProxyType)


@given(st.dictionaries(st.text("abcABC-", min_size=1, max_size=4), st.text(max_size=3)))
def test_a_header_is_the_first_whose_name_matches_in_any_case(headers: dict[str, str]) -> None:
    for name in headers:
        for asked in (name, name.upper(), name.lower()):
            first = next(value for key, value in headers.items() if key.lower() == asked.lower())
            assert header_value(headers, asked) == first
            assert Response(200, headers, b"").header(asked) == first
    assert header_value(headers, "not-there") is None


def test_a_transport_error_reads_as_kind_and_message() -> None:
    error = TransportError("timeout", "no reply headers within 1.0 s")
    assert str(error) == "timeout: no reply headers within 1.0 s"
    assert msgspec.structs.asdict(error) == {
        "kind": "timeout",
        "message": "no reply headers within 1.0 s",
    }
