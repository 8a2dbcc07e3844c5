"""Pure: the API's URLs, and which hosts may be sent the API key.

- `base_url`: the URL every endpoint path hangs from, `scheme://host/api_version`, refused
  when the host is not a usable URL or is unsafe for the key (`unsafe_url_reason`).
- `unsafe_url_reason`: the key goes over `https://` anywhere, and over plain `http://` only
  to a loopback host (`transports._urls.is_loopback_host`, the one loopback rule). Decided
  from the text alone, before any DNS lookup or connection.
- `fetch_url` and `batch_ids`: the fetch URL carries one `job_id=` per job, so many jobs are
  fetched in batches whose URL stays within `MAX_URL_LENGTH`.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence

from returns.result import Failure, Result, Success

from sqcore.core.models import CircuitType
from transports._urls import is_loopback_host, url_for_message

__all__ = ["MAX_URL_LENGTH", "base_url", "batch_ids", "fetch_url", "unsafe_url_reason"]

#: Longest fetch URL we build. 8 KiB is the default request-line limit of common front ends
#: (nginx `large_client_header_buffers`; gunicorn's `limit_request_line` is 4094 + method);
#: 4000 stays under both with room for the method and protocol.
MAX_URL_LENGTH = 4000

#: What URL parsers disagree on: a backslash, white space, a control character.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")

#: Characters a query value keeps as they are (RFC 3986 §2.3 "unreserved").
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


def unsafe_url_reason(url: str) -> str | None:
    """Why sending an API key to `url` is unsafe, or None when it is safe.

    Safe: `https://` anywhere, or `http://` to a loopback host. Refused whatever the
    scheme: user info (`http://127.0.0.1@host`: the key goes in `api_key`), and a backslash,
    white space or control character anywhere, which URL parsers read differently (urllib
    ends the host at the last "@", urllib3 and browsers at a backslash: the host judged here
    would not be the host connected to). A name that merely starts with "localhost"
    (`localhost.example`) is not loopback. Messages quote the URL without any user info.
    Invariant: None only for https, or http with a loopback host, with neither of those.
    """
    shown = url_for_message(url)
    text = url.strip()
    if _AMBIGUOUS.search(text):
        return (
            f"{shown} holds a backslash, a space or a control character, which URL parsers "
            "read differently; write the host plainly, like https://example.com"
        )
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
    except ValueError as error:
        return f"{shown} is not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return f"{shown} is not an http(s) URL with a host, like https://example.com"
    if "@" in parts.netloc:
        return f"{shown} holds user info (before an @); give the key as api_key instead"
    if scheme == "https" or is_loopback_host(host):
        return None
    return (
        f"refusing to send the API key over plain http:// to {host!r}, which is not a "
        "loopback host; use https://"
    )


def base_url(remote_host: str, api_version: str) -> Result[str, str]:
    """The URL every endpoint path is appended to: `scheme://netloc/api_version`.

    `remote_host` is a scheme and a network location, with at most a "/" after them.
    Upstream (0.5.70) keeps only those two and drops anything else (`https://host/api/v2`
    is asked at `https://host/v0.3.0/...`); sqcore refuses a path, query or fragment instead
    of dropping it silently. Fails with a message when the host is not a usable URL, is
    unsafe for the key, has anything after the host, or a port that is not 1 to 65535.
    """
    reason = unsafe_url_reason(remote_host)
    if reason is not None:
        return Failure(reason)
    shown = url_for_message(remote_host)
    parts = urllib.parse.urlsplit(remote_host.strip())
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        # Written out: urlunsplit adds "//" before a path that starts with "//" on 3.13.
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        rest += f"#{parts.fragment}" if parts.fragment else ""
        return Failure(
            f"{shown} has {rest!r} after the host, which sqcore would not use: every request "
            f"goes to "
            f"{parts.scheme.lower()}://{parts.netloc}/{api_version}/...; give the scheme and "
            f"host alone, like {parts.scheme.lower()}://{parts.netloc}"
        )
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = 0
    if port == 0:
        return Failure(
            f"{shown} has port {parts.netloc.rpartition(':')[2]!r}, which is not a TCP port "
            "(1 to 65535)"
        )
    return Success(f"{parts.scheme.lower()}://{parts.netloc}/{api_version}")


def fetch_url(base: str, circuit_type: CircuitType, job_ids: Sequence[str]) -> str:
    """`{base}/client/job/{circuit_type}?job_id=<id>&job_id=<id>...`."""
    url = f"{base}/client/job/{circuit_type.value}"
    if not job_ids:
        return url
    values = job_ids if _plain(job_ids) else list(map(_query_value, job_ids))
    return url + "?job_id=" + "&job_id=".join(values)


def batch_ids(
    base: str, circuit_type: CircuitType, ids: Sequence[str], max_length: int = MAX_URL_LENGTH
) -> tuple[tuple[str, ...], ...]:
    """Splits job ids into batches whose `fetch_url` stays within `max_length` characters.

    Invariants: the batches, concatenated, are `ids` in order; every batch is non-empty; a
    batch's URL fits in `max_length` unless the batch is a single id too long to fit
    anywhere (it still gets its own batch, so no id is ever dropped).
    """
    length = empty = len(fetch_url(base, circuit_type, ()))
    batches: list[tuple[str, ...]] = []
    current: list[str] = []
    plain = _plain(ids)
    for job_id in ids:
        # "?" or "&", the name, the value
        cost = len("?job_id=") + len(job_id if plain else _query_value(job_id))
        if current and length + cost > max_length:
            batches.append(tuple(current))
            current, length = [], empty
        current.append(job_id)
        length += cost
    if current:
        batches.append(tuple(current))
    return tuple(batches)


def _plain(texts: Sequence[str]) -> bool:
    """Whether none of `texts` needs escaping in a query string (canonical UUIDs: one
    match over them all, not one per id)."""
    return _UNRESERVED.fullmatch("".join(texts)) is not None


def _query_value(text: str) -> str:
    """`text` escaped for a query string (a canonical UUID needs no escaping)."""
    if _UNRESERVED.fullmatch(text):
        return text
    return urllib.parse.quote(text, safe="")
