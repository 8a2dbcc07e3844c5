"""Whether a request accepts gzip, and the reply coded accordingly (`_encoding`, pure)."""

from __future__ import annotations

import gzip

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transports.emulator._encoding import GZIP_MIN_BYTES, accepts_gzip, encode_reply

#: Coding names as a request may spell them -> the coding they name.
CODINGS = {
    "gzip": "gzip",
    "GZip": "gzip",
    "x-gzip": "gzip",
    "X-GZIP": "gzip",
    "*": "*",
    "identity": "identity",
    "deflate": "deflate",
    "br": "br",
    "zstd": "zstd",
}
#: Weights as a request may write them -> their value (malformed ones count as 0).
WEIGHTS = {
    "1": 1.0,
    "1.0": 1.0,
    "1.000": 1.0,
    "0.5": 0.5,
    "0.001": 0.001,
    "0": 0.0,
    "0.0": 0.0,
    "0.000": 0.0,
    "2": 0.0,
    "1.5": 0.0,
    "-1": 0.0,
    "0.0001": 0.0,
    "abc": 0.0,
    "": 0.0,
}


class Element(msgspec.Struct, frozen=True):
    """One list element of an Accept-Encoding value: a coding with an optional weight."""

    name: str
    weight: str | None  # None: no weight written (1)
    q: str  # how the parameter name is spelled
    space: str  # optional whitespace around the separators

    def text(self) -> str:
        if self.weight is None:
            return f"{self.space}{self.name}{self.space}"
        return f"{self.space}{self.name}{self.space};{self.space}{self.q}={self.weight}"


elements = st.builds(
    Element,
    name=st.sampled_from(sorted(CODINGS)),
    weight=st.none() | st.sampled_from(sorted(WEIGHTS)),
    q=st.sampled_from(["q", "Q"]),
    space=st.sampled_from(["", " ", "\t"]),
)


def model(items: list[Element]) -> bool:
    """RFC 9110 §12.5.3 on structured values, the lowest weight of a coding listed twice."""
    weights: dict[str, float] = {}
    for item in items:
        coding = CODINGS[item.name]
        weight = 1.0 if item.weight is None else WEIGHTS[item.weight]
        weights[coding] = min(weights.get(coding, 1.0), weight)
    if "gzip" in weights:
        return weights["gzip"] > 0
    return weights.get("*", 0.0) > 0


def header(items: list[Element], separator: str = ",") -> str:
    return separator.join(item.text() for item in items)


@given(items=st.lists(elements, max_size=6), separator=st.sampled_from([",", ", ", " ,, "]))
def test_the_decision_follows_the_rfc_model(items: list[Element], separator: str) -> None:
    assert accepts_gzip(header(items, separator)) is model(items)


@given(items=st.lists(elements, max_size=6), data=st.data())
def test_the_order_of_the_list_does_not_matter(items: list[Element], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(items))
    assert accepts_gzip(header(shuffled)) is accepts_gzip(header(items))


@given(items=st.lists(elements, max_size=6), data=st.data())
def test_gzip_at_q_zero_anywhere_refuses_gzip(items: list[Element], data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(items)))
    refused = [*items[:at], Element("gzip", "0", "q", ""), *items[at:]]
    assert accepts_gzip(header(refused)) is False


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("gzip, deflate", True),
        ("deflate, br", False),
        ("identity", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("br;q=1, *;q=0.1", True),
        ("GZIP;Q=0.5", True),
        ("gzip;q=0.000", False),
        ("gzip;q=0.001", True),
        ("gzip;q=1.5", False),
        ("x-gzip", True),
        ("gzip;level=9", True),
    ],
)
def test_accept_encoding_examples(value: str | None, accepted: bool) -> None:
    assert accepts_gzip(value) is accepted


PLAIN = {"Content-Type": "application/json", "Content-Length": "0"}


def with_length(body: bytes) -> dict[str, str]:
    return {**PLAIN, "Content-Length": str(len(body))}


def test_a_short_body_goes_out_as_it_is() -> None:
    body = b"x" * (GZIP_MIN_BYTES - 1)
    assert encode_reply("gzip", with_length(body), body) == (with_length(body), body)


def test_a_long_body_is_gzipped_when_gzip_is_accepted() -> None:
    body = b'{"a": "' + b"b" * GZIP_MIN_BYTES + b'"}'
    headers, sent = encode_reply("gzip, deflate", with_length(body), body)
    assert gzip.decompress(sent) == body
    assert headers == {
        "Content-Type": "application/json",
        "Content-Length": str(len(sent)),
        "Vary": "Accept-Encoding",
        "Content-Encoding": "gzip",
    }
    assert len(sent) < len(body)


def test_a_long_body_is_plain_but_varies_when_gzip_is_not_accepted() -> None:
    body = b"z" * GZIP_MIN_BYTES
    headers, sent = encode_reply("gzip;q=0", with_length(body), body)
    assert sent == body
    assert headers == {**with_length(body), "Vary": "Accept-Encoding"}


@given(body=st.binary(max_size=2 * GZIP_MIN_BYTES), items=st.lists(elements, max_size=4))
def test_what_is_sent_decodes_to_the_body_and_its_length_is_declared(
    body: bytes, items: list[Element]
) -> None:
    headers, sent = encode_reply(header(items), with_length(body), body)
    assert headers["Content-Length"] == str(len(sent))
    coded = headers.get("Content-Encoding") == "gzip"
    assert (gzip.decompress(sent) if coded else sent) == body
    assert coded is (len(body) >= GZIP_MIN_BYTES and model(items))
    assert ("Vary" in headers) is (len(body) >= GZIP_MIN_BYTES)
