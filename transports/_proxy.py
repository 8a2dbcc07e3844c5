"""Pure: which proxy a request goes through, and the CA bundle, read from values alone.

The shell hands in the environment as a mapping (`os.environ` in production, a dict in tests);
nothing here reads it, or anything else, by itself. The rules, as curl and requests read the
same variables, with every place they disagree and the side taken:

Proxy URLs (`parse_proxy_url`)
- No scheme means `http://` (`proxy.corp:3128`), as both do. Schemes `http` and `https` only;
  `socks4`, `socks4a`, `socks5` and `socks5h` are refused with a message naming the scheme
  (requests needs PySocks for them and sqcore does not use it).
- A missing port is 80 for `http://` and 443 for `https://` (requests and urllib3). curl
  uses 1080 for an `http://` proxy without a port; sqcore does not.
- A path, query or fragment is ignored, as both curl and requests ignore it: a value that works
  for them must work here (`http://proxy.corp:3128/` is common in the wild).
- User info is percent-decoded (`%40` is "@"); the last "@" before the path ends it, so an
  unencoded "@" in a password still works, as in urllib. Refused as malformed: an empty user
  name (often `$USER:$PASS@` with the variables unset), a "%" not followed by two hex
  digits, bytes that are not UTF-8, and a decoded user name holding ":" (Basic
  authentication cannot carry it, RFC 7617 §2).
- Refused too: an unknown scheme, a missing or invalid host (an IPv6 address must be in
  brackets), and a port that is empty, not decimal digits, or outside 1..65535.
- Every failure message starts with where the value came from (`HTTPS_PROXY: ...`) and quotes
  the value only through `url_for_message`, cut at the last "@" of the whole value (not only
  of the part before a "?" or "#"), so neither the password nor the user name before it
  appears, even when an unencoded "?" or "#" sits in the password.

Environment (`proxies_from_environment`)
- https targets: `https_proxy`, `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`, the first one set.
  http targets: `http_proxy`, `HTTP_PROXY`, `all_proxy`, `ALL_PROXY`. Lower case wins.
- `HTTP_PROXY` (upper case only) is ignored while `REQUEST_METHOD` is set: in a CGI program
  it can come from a request's `Proxy:` header ("httpoxy", CVE-2016-1000110). This is
  Python's urllib rule, which requests inherits; curl never reads `HTTP_PROXY` at all.
- A value that is empty (or only white space) counts as unset, so the next name is tried.
  That is curl's reading; Python's urllib instead lets an empty lower-case variable cancel
  its upper-case twin.
- A bad value is a `Failure` naming its variable, even if no request ever needs it: a
  misconfigured environment is reported when the transport is made, not on some later call.
  Only the variable actually chosen is read; one hidden behind a lower-case twin is not.

NO_PROXY: its entries and how they match are `transports._no_proxy`'s; it is read from
`no_proxy`, else `NO_PROXY`.

Choosing (`choose_proxy`)
- A loopback host (`is_loopback_host`) never goes through a proxy: curl and requests proxy
  `localhost` unless NO_PROXY says otherwise; SPEC.md says never.
- An explicit `proxy_url` serves every other host of either scheme and NO_PROXY does not
  apply to it (as in requests; curl applies NO_PROXY to `--proxy` too).
- Otherwise the environment's proxy for the scheme, unless NO_PROXY bypasses the host.

CA bundle (`ca_bundle_from_environment`): `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`, the
first one set and non-empty, used alone (requests; the curl tool reads `CURL_CA_BUNDLE` only).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Literal
from urllib.parse import unquote_to_bytes

import msgspec
from returns.result import Failure, Result, Success

from transports._no_proxy import (
    NoProxy,
    bypasses_proxy,
    parse_no_proxy,
    port_number,
)
from transports._urls import is_loopback_host, url_for_message

__all__ = [
    "CA_BUNDLE_VARIABLES",
    "HTTPS_PROXY_VARIABLES",
    "HTTP_PROXY_VARIABLES",
    "NO_PROXY_VARIABLES",
    "SOCKS_SCHEMES",
    "EnvironmentProxies",
    "ProxyURL",
    "ca_bundle_from_environment",
    "choose_proxy",
    "parse_proxy_url",
    "proxies_from_environment",
]

#: Where a proxy for an https target may come from, first one set wins.
HTTPS_PROXY_VARIABLES: tuple[str, ...] = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
#: Where a proxy for an http target may come from (`HTTP_PROXY` is skipped under CGI).
HTTP_PROXY_VARIABLES: tuple[str, ...] = ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
#: Where the hosts that bypass environment proxies come from.
NO_PROXY_VARIABLES: tuple[str, ...] = ("no_proxy", "NO_PROXY")
#: Where a CA bundle path may come from (requests' order; the first one set is used alone).
CA_BUNDLE_VARIABLES: tuple[str, ...] = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
#: Proxy schemes that need a SOCKS implementation, which sqcore does not carry.
SOCKS_SCHEMES: frozenset[str] = frozenset({"socks4", "socks4a", "socks5", "socks5h"})

#: The variable whose presence marks a CGI program (RFC 3875 §4.1.12), and the one it voids.
_CGI_MARKER = "REQUEST_METHOD"
_CGI_VOIDED = "HTTP_PROXY"

_DEFAULT_PORTS: Mapping[str, int] = {"http": 80, "https": 443}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_LABELS = r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*"
_HOST_NAME = re.compile(_LABELS + r"\.?", re.IGNORECASE)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_REDACTED = "<redacted>"

# --- Proxy URLs ---------------------------------------------------------------------------


class ProxyURL(msgspec.Struct, frozen=True):
    """A parsed proxy URL: where to connect, and the credentials for the proxy alone.

    Attributes:
        scheme: "http" or "https": how the client talks to the proxy itself.
        host: Host name (lower case) or IP address; IPv6 without brackets.
        port: The port, 80 or 443 by scheme when the URL gives none.
        username: The percent-decoded user name, or None.
        password: The percent-decoded password, or None (not even ":" in the URL).
        source: "proxy_url", or the environment variable the URL came from.
    """

    scheme: Literal["http", "https"]
    host: str
    port: int
    username: str | None
    password: str | None
    source: str

    def url(self) -> str:
        """`scheme://host:port`, without credentials: what urllib3 is given."""
        return f"{self.scheme}://{self.where()}"

    def where(self) -> str:
        """`host:port` (IPv6 in brackets), for messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def basic_auth(self) -> str | None:
        """`user:password` for `urllib3.util.make_headers(proxy_basic_auth=...)`, or None.

        A missing password is empty (`user:`), as curl and requests send it. urllib3 encodes
        the text as Latin-1 unless told `proxy_basic_auth_encoding="utf-8"` (RFC 7617 §2.1).
        """
        if self.username is None:
            return None
        return f"{self.username}:{self.password or ''}"

    def __repr__(self) -> str:
        return (
            f"ProxyURL(scheme={self.scheme!r}, host={self.host!r}, port={self.port!r}, "
            f"username={_hidden(self.username)}, password={_hidden(self.password)}, "
            f"source={self.source!r})"
        )

    __str__ = __repr__

    def __rich_repr__(self) -> list[tuple[str, object]]:
        """Rich's repr protocol (msgspec would otherwise generate one showing the password)."""
        return [
            ("scheme", self.scheme),
            ("host", self.host),
            ("port", self.port),
            ("username", _hidden(self.username)),
            ("password", _hidden(self.password)),
            ("source", self.source),
        ]


def _hidden(credential: str | None) -> str:
    return "None" if credential is None else _REDACTED


def parse_proxy_url(text: str, source: str) -> Result[ProxyURL, str]:
    """Reads a proxy URL (module docstring, "Proxy URLs").

    Args:
        text: The URL, e.g. `http://user:pa%40ss@proxy.corp:3128` or `proxy.corp:3128`.
        source: Where it came from ("proxy_url" or a variable name), for `ProxyURL.source`
            and the start of every failure message.

    Returns:
        The `ProxyURL`, or a `Failure` message that starts with `source` and quotes the URL
        only through `url_for_message`. Invariant: for a URL whose user info is well formed,
        no message contains the password or the user name before it.
    """
    stripped = text.strip()
    if not stripped:
        return Failure(f"{source}: the proxy URL is empty")
    found = _SCHEME.match(stripped)
    scheme = found.group(1).lower() if found else "http"
    rest = stripped[found.end() :] if found else stripped
    # The authority ends at the first "/", "?" or "#" (RFC 3986 §3.2); the rest is ignored.
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    user_info, at, host_port = authority.rpartition("@")
    return (
        _scheme(scheme)
        .bind(lambda _: _credentials(user_info if at else None))
        .bind(
            lambda user: _host_and_port(host_port).map(
                lambda address: ProxyURL(
                    scheme="https" if scheme == "https" else "http",
                    host=address[0],
                    port=_DEFAULT_PORTS[scheme] if address[1] is None else address[1],
                    username=user[0],
                    password=user[1],
                    source=source,
                )
            )
        )
        .alt(lambda problem: f"{source}: {url_for_message(f'{scheme}://{rest}')}: {problem}")
    )


def _scheme(scheme: str) -> Result[str, str]:
    if scheme in SOCKS_SCHEMES:
        return Failure(
            f"{scheme}:// proxies need an extra package that sqcore does not use; "
            "use an http:// or https:// proxy"
        )
    if scheme not in _DEFAULT_PORTS:
        return Failure(f"{scheme}:// is not a proxy scheme; use http:// or https://")
    return Success(scheme)


def _credentials(user_info: str | None) -> Result[tuple[str | None, str | None], str]:
    """The decoded user name and password in `user_info` (None: the URL has no "@").

    Failures never quote either of them.
    """
    if user_info is None:
        return Success((None, None))
    raw_user, colon, raw_password = user_info.partition(":")
    if not raw_user:
        return Failure("malformed user info: no user name before the password or '@'")
    password: Result[str | None, str] = _percent_decoded(raw_password) if colon else Success(None)
    return (
        _percent_decoded(raw_user)
        .alt(lambda problem: f"malformed user info: the user name {problem}")
        .bind(_without_colon)
        .bind(
            lambda user: password.alt(
                lambda problem: f"malformed user info: the password {problem}"
            ).map(lambda decoded: (user, decoded))
        )
    )


def _without_colon(username: str) -> Result[str, str]:
    if ":" in username:
        return Failure(
            "malformed user info: the user name holds ':', which Basic authentication cannot carry"
        )
    return Success(username)


def _percent_decoded(text: str) -> Result[str, str]:
    if _BAD_PERCENT.search(text):
        return Failure("has a '%' not followed by two hex digits")
    try:
        return Success(unquote_to_bytes(text).decode("utf-8"))
    except UnicodeDecodeError:
        return Failure("is not UTF-8 once percent-decoded")


def _host_and_port(host_port: str) -> Result[tuple[str, int | None], str]:
    """The host (lower case; IPv6 without brackets) and the port, if one is written."""
    if host_port.startswith("["):
        inside, bracket, after = host_port[1:].partition("]")
        if not bracket or not _is_ipv6(inside):
            return Failure("an invalid IPv6 address in brackets")
        if after and not after.startswith(":"):
            return Failure("unexpected text after the IPv6 address")
        host, colon, port_text = inside, after[:1], after[1:]
    else:
        host, colon, port_text = host_port.partition(":")
        if not host:
            return Failure("no host")
        if ":" in port_text:
            return Failure("an IPv6 address must be in brackets, e.g. http://[fd00::1]:3128")
        if not _HOST_NAME.fullmatch(host):
            return Failure("an invalid host name")
    if not colon:
        return Success((host.lower(), None))
    port = port_number(port_text)
    if port is None:
        return Failure("the port must be a number from 1 to 65535")
    return Success((host.lower(), port))


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# --- The environment --------------------------------------------------------------------


class EnvironmentProxies(msgspec.Struct, frozen=True):
    """The proxies the environment sets, per target scheme, and what bypasses them.

    Attributes:
        http: The proxy for http:// targets, or None.
        https: The proxy for https:// targets, or None.
        no_proxy: The hosts that go direct instead.
    """

    http: ProxyURL | None
    https: ProxyURL | None
    no_proxy: NoProxy


def proxies_from_environment(environ: Mapping[str, str]) -> Result[EnvironmentProxies, str]:
    """Reads the proxy variables of `environ` (module docstring, "Environment").

    Returns:
        The proxies, or a `Failure` naming the variable whose value is not a usable proxy
        URL (the https one is reported first).
    """
    http_names = HTTP_PROXY_VARIABLES
    if _CGI_MARKER in environ:
        http_names = tuple(name for name in http_names if name != _CGI_VOIDED)
    no_proxy = _first_set(environ, NO_PROXY_VARIABLES)
    parsed_no_proxy = NoProxy() if no_proxy is None else parse_no_proxy(no_proxy[1])
    return _proxy_from(environ, HTTPS_PROXY_VARIABLES).bind(
        lambda https: _proxy_from(environ, http_names).map(
            lambda http: EnvironmentProxies(http=http, https=https, no_proxy=parsed_no_proxy)
        )
    )


def _proxy_from(environ: Mapping[str, str], names: Iterable[str]) -> Result[ProxyURL | None, str]:
    found = _first_set(environ, names)
    if found is None:
        return Success(None)
    name, value = found
    return parse_proxy_url(value, name)


def _first_set(environ: Mapping[str, str], names: Iterable[str]) -> tuple[str, str] | None:
    """The first of `names` set in `environ` to something other than white space."""
    for name in names:
        value = environ.get(name, "")
        if value.strip():
            return name, value
    return None


def choose_proxy(
    scheme: str,
    host: str,
    port: int,
    *,
    proxy_url: ProxyURL | None,
    environment: EnvironmentProxies | None,
) -> ProxyURL | None:
    """The proxy for a request to `scheme://host:port`, or None to connect directly.

    Args:
        scheme: The target's scheme, "http" or "https" (any other gets no proxy).
        host: The target's host, as in its URL.
        port: The target's port, the scheme's default included.
        proxy_url: The transport's explicit proxy; it serves every host but loopback.
        environment: The environment's proxies, or None when the environment is not
            trusted (`trust_env=False`).

    Invariant: a loopback host always gets None.
    """
    if is_loopback_host(host):
        return None
    if proxy_url is not None:
        return proxy_url
    if environment is None:
        return None
    by_scheme = {"http": environment.http, "https": environment.https}
    proxy = by_scheme.get(scheme.lower())
    if proxy is None or bypasses_proxy(environment.no_proxy, host, port):
        return None
    return proxy


def ca_bundle_from_environment(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The CA bundle the environment names, as (variable name, path), or None.

    `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`: the first one set and not blank is used
    alone, as requests does. The path is returned as written (not checked: that is I/O).
    """
    return _first_set(environ, CA_BUNDLE_VARIABLES)
