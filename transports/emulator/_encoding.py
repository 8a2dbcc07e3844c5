"""Pure: whether a request accepts a gzip-coded reply, and the reply coded accordingly.

The loopback server compresses as production front ends do (nginx's `gzip on` with
`gzip_vary on`): a reply body of at least `GZIP_MIN_BYTES` goes out gzip-coded, with
`Content-Encoding: gzip` and the coded Content-Length, when the request's Accept-Encoding
accepts gzip; such a reply carries `Vary: Accept-Encoding` either way, since its coding
depended on that header (RFC 9110 §12.5.5). A smaller body, or a request that does not
accept gzip, gets the body as it is (identity).

Reading Accept-Encoding (RFC 9110 §12.5.3): a comma-separated list of codings, each with an
optional weight `;q=` from 0 to 1 (three decimals at most); names and the `q` are
case-insensitive, `x-gzip` is gzip (§8.4.1.3) and `*` stands for any coding not listed.
gzip is accepted when it is listed with a weight above 0, or, unlisted, when `*` is. When
unsure, identity: a coding listed more than once takes its lowest weight, and a malformed
weight counts as 0. No header at all means identity too (RFC 9110 would allow any coding,
but front ends compress only on request).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping

__all__ = ["GZIP_MIN_BYTES", "accepts_gzip", "encode_reply"]

#: Bodies shorter than this go out uncoded: gzip adds 18 bytes of header and trailer, and
#: the API's short replies (a create reply, an error, one small job) shrink by little or
#: grow. 256 bytes covers those and compresses every fetch reply with a few circuits.
GZIP_MIN_BYTES = 256

_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
_ALIASES = {"x-gzip": "gzip"}


def _weight(parameters: list[str]) -> float:
    """The weight in a list element's parameters: 1 if none is given, 0 if it is malformed."""
    weight = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "q":
            continue
        value = value.strip()
        weight = float(value) if _QVALUE.fullmatch(value) else 0.0
    return weight


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether a request with this Accept-Encoding value (None: no header) accepts gzip.

    Invariant (the property test's model): with `w(c)` the lowest weight given to coding
    `c` (x-gzip counted as gzip), True exactly when gzip is listed and `w(gzip) > 0`, or
    gzip is not listed, `*` is, and `w(*) > 0`.
    """
    if accept_encoding is None:
        return False
    weights: dict[str, float] = {}
    for element in accept_encoding.split(","):
        coding, *parameters = element.split(";")
        name = coding.strip().lower()
        if not name:
            continue  # empty list elements are allowed (RFC 9110 §5.6.1)
        name = _ALIASES.get(name, name)
        weights[name] = min(weights.get(name, 1.0), _weight(parameters))
    if "gzip" in weights:
        return weights["gzip"] > 0
    return weights.get("*", 0.0) > 0


def encode_reply(
    accept_encoding: str | None, headers: Mapping[str, str], body: bytes
) -> tuple[dict[str, str], bytes]:
    """The reply's headers and body as the server sends them.

    Args:
        accept_encoding: The request's Accept-Encoding (its lines joined by ", "), or None.
        headers: The reply headers, with Content-Length for `body`.
        body: The uncoded reply body.

    Returns:
        `headers` and `body` unchanged when `body` is shorter than `GZIP_MIN_BYTES`; else
        with `Vary: Accept-Encoding`, and, if gzip is accepted, the body gzip-coded (fixed
        mtime 0, so the same body always codes the same) with Content-Encoding and the
        coded Content-Length. Invariant: decompressing the body gives the uncoded body.
    """
    if len(body) < GZIP_MIN_BYTES:
        return dict(headers), body
    coded = {**headers, "Vary": "Accept-Encoding"}
    if not accepts_gzip(accept_encoding):
        return coded, body
    compressed = gzip.compress(body, mtime=0)
    coded["Content-Encoding"] = "gzip"
    coded["Content-Length"] = str(len(compressed))
    return coded, compressed
