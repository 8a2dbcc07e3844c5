"""Pure: which proxy a request goes through, and the CA bundle, read from values alone.

The shell hands in the environment as a mapping (`os.environ` in production, a dict in tests);
nothing here reads it, or anything else, by itself. Which proxy serves a request, or none, is
the choice requests 2.34 makes on the same environment (`requests.utils.get_environ_proxies`
and `select_proxy`, over the standard library's `urllib.request.getproxies_environment`), with
two exceptions of sqcore's own (SPEC.md): a loopback target never goes through a proxy, and an
explicit `proxy_url` serves every other host. tests/core/test_proxy_rules.py runs requests'
functions beside these on the same environments and compares.

Proxy URLs (`parse_proxy_url`)
- No scheme means `http://` (`proxy.corp:3128`), as requests reads it. Schemes `http` and
  `https` only; `socks4`, `socks4a`, `socks5` and `socks5h` are refused with a message naming
  the scheme (requests needs PySocks for them, and sqcore carries no SOCKS implementation).
- A missing port is 80 for `http://` and 443 for `https://` (requests, through urllib3).
- A path, query or fragment is ignored, as requests ignores it (`http://proxy.corp:3128/` is
  common in the wild).
- User info is percent-decoded (`%40` is "@"); the last "@" before the path ends it, so an
  unencoded "@" in a password still works, as in urllib. Refused as malformed: an empty user
  name (often `$USER:$PASS@` with the variables unset), a "%" not followed by two hex
  digits, bytes that are not UTF-8, and a decoded user name holding ":" (Basic
  authentication cannot carry it, RFC 7617 §2).
- Refused too: an empty or blank value, an unknown scheme, a missing or invalid host (an IPv6
  address must be in brackets), and a port that is empty, not decimal digits, or outside
  1..65535.
- Every failure message starts with where the value came from (`HTTPS_PROXY: ...`) and quotes
  the value only through `url_for_message`, cut at the last "@" of the whole value (not only
  of the part before a "?" or "#"), so neither the password nor the user name before it
  appears, even when an unencoded "?" or "#" sits in the password.

Environment (`environment_settings`, `proxies_from_environment`), as the standard library
reads it for requests:
- Every variable whose name ends in `_proxy`, in any case, sets the proxy for the scheme
  before it (`Https_Proxy` sets "https", `ALL_PROXY` "all", `no_proxy` the NO_PROXY value
  "no"); a later one in the environment's order wins. An empty value sets nothing.
- Then every variable whose name ends in lower-case `_proxy` (`https_proxy`, `HTTPS_proxy`)
  is read again and wins; an empty one unsets its scheme, so `https_proxy=` cancels
  `HTTPS_PROXY`.
- In between, under CGI (`REQUEST_METHOD` set, RFC 3875 §4.1.12) the "http" proxy is dropped:
  a request's `Proxy:` header can set `HTTP_PROXY` there ("httpoxy", CVE-2016-1000110). Only
  names ending in lower-case `_proxy` can set it again.
- A proxy that a request to an http or https URL could use (schemes "http", "https" and "all",
  and per-host ones such as "https://api.example.com") must be a usable URL; a value that is
  not, a blank one included, is a `Failure` naming its variable, even if no request ever needs
  it: a misconfigured environment is reported when the transport is made, never by going
  direct.

NO_PROXY: how its entries match is `transports._no_proxy`'s.

Choosing (`choose_proxy`)
- A loopback host (`is_loopback_host`) never goes through a proxy: requests proxies
  `localhost` unless NO_PROXY says otherwise; SPEC.md says never.
- An explicit `proxy_url` serves every other host of either scheme and NO_PROXY does not
  apply to it (as requests treats a proxy given in code).
- Otherwise the environment's proxy for "<scheme>://<host>", else the scheme, else
  "all://<host>", else "all" (requests' order), unless NO_PROXY bypasses the host: then a
  `Bypass` saying which entry did.

CA bundle (`ca_bundle_from_environment`): `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`, the
first one set and non-empty, used alone (requests).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import unquote_to_bytes

import msgspec
from returns.result import Failure, Result, Success

from transports._no_proxy import Bypass, NoProxy, Setting, bypass_for
from transports._urls import is_loopback_host, url_for_message

__all__ = [
    "CA_BUNDLE_VARIABLES",
    "SOCKS_SCHEMES",
    "EnvironmentProxies",
    "ProxyURL",
    "ca_bundle_from_environment",
    "choose_proxy",
    "environment_settings",
    "parse_proxy_url",
    "port_number",
    "proxies_from_environment",
]

#: Where a CA bundle path may come from (requests' order; the first one set is used alone).
CA_BUNDLE_VARIABLES: tuple[str, ...] = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
#: Proxy schemes that need a SOCKS implementation, which sqcore does not carry.
SOCKS_SCHEMES: frozenset[str] = frozenset({"socks4", "socks4a", "socks5", "socks5h"})

#: How every proxy variable's name ends; what comes before it is the scheme it serves.
_SUFFIX = "_proxy"
#: The variable whose presence marks a CGI program (RFC 3875 §4.1.12), and the scheme whose
#: proxy it voids (module docstring, "Environment").
_CGI_MARKER = "REQUEST_METHOD"
_CGI_VOIDED = "http"
#: The scheme under which the environment files NO_PROXY, and requests' own two spellings.
_NO_PROXY_SCHEME = "no"
_NO_PROXY_NAMES = ("no_proxy", "NO_PROXY")
#: The schemes whose proxies an http or https request may use, reported in this order.
_SCHEMES_USED = ("https", "http", "all")

_DEFAULT_PORTS: Mapping[str, int] = {"http": 80, "https": 443}
_PORT = re.compile(r"[0-9]{1,5}")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
#: A host name's labels: 1 to 63 characters each (RFC 1035 §2.3.4; a longer one cannot be
#: looked up, and would fail only when the first request is made).
_LABELS = r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*"
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


def port_number(text: str) -> int | None:
    """`text` as a TCP port (decimal digits, 1 to 65535), or None."""
    if not _PORT.fullmatch(text) or not 0 < int(text) <= 65535:
        return None
    return int(text)


# --- The environment --------------------------------------------------------------------


class EnvironmentProxies(msgspec.Struct, frozen=True):
    """The proxies the environment sets for http and https requests, and what bypasses them.

    Attributes:
        proxies: By what they serve ("https", "http", "all", or "<scheme>://<host>"), each
            parsed, its variable as its `source`.
        no_proxy: The NO_PROXY values.
    """

    proxies: Mapping[str, ProxyURL]
    no_proxy: NoProxy


def environment_settings(environ: Mapping[str, str]) -> dict[str, Setting]:
    """The proxy variables of `environ`, by the scheme each serves ("no" for NO_PROXY), as
    the standard library's `getproxies_environment` reads them (module docstring,
    "Environment"), each with the variable it came from.

    `environ` is read in its own order, which decides between two spellings of one scheme
    in the first pass. Invariant: the same schemes and values as `getproxies_environment`
    gives with `environ` as the process's environment.
    """
    found: dict[str, Setting] = {}
    for name, value in environ.items():
        lowered = name.lower()
        if value and lowered.endswith(_SUFFIX):
            found[lowered[: -len(_SUFFIX)]] = Setting(name, value)
    if _CGI_MARKER in environ:
        found.pop(_CGI_VOIDED, None)
    for name, value in environ.items():
        if name.endswith(_SUFFIX):
            scheme = name.lower()[: -len(_SUFFIX)]
            if value:
                found[scheme] = Setting(name, value)
            else:
                found.pop(scheme, None)
    return found


def proxies_from_environment(environ: Mapping[str, str]) -> Result[EnvironmentProxies, str]:
    """Reads the proxy variables of `environ` (module docstring, "Environment").

    Returns:
        The proxies, or a `Failure` naming the variable whose value is not a usable proxy
        URL (the https one is reported first, then http, then all, then per-host ones).
    """
    settings = environment_settings(environ)
    used = [scheme for scheme in _SCHEMES_USED if scheme in settings]
    used += [scheme for scheme in settings if _per_host(scheme)]
    proxies: dict[str, ProxyURL] = {}
    for scheme in used:
        setting = settings[scheme]
        parsed = parse_proxy_url(setting.value, setting.variable)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        proxies[scheme] = parsed.unwrap()
    own = next((Setting(n, environ[n]) for n in _NO_PROXY_NAMES if environ.get(n)), None)
    no_proxy = NoProxy(own=own, environment=settings.get(_NO_PROXY_SCHEME))
    return Success(EnvironmentProxies(proxies=proxies, no_proxy=no_proxy))


def _per_host(scheme: str) -> bool:
    """Whether `scheme` names a proxy for one host of a scheme ("https://api.example.com")."""
    return scheme.startswith(tuple(f"{used}://" for used in _SCHEMES_USED))


def choose_proxy(
    scheme: str,
    host: str,
    written_port: int | None,
    *,
    proxy_url: ProxyURL | None,
    environment: EnvironmentProxies | None,
) -> ProxyURL | Bypass | None:
    """The proxy for a request to `scheme://host[:written_port]` (module docstring,
    "Choosing").

    Args:
        scheme: The target's scheme, "http" or "https".
        host: The target's host, as in its URL (an IPv6 address with or without brackets).
        written_port: The port the URL writes, or None when it writes none.
        proxy_url: The transport's explicit proxy; it serves every host but loopback.
        environment: The environment's proxies, or None when the environment is not
            trusted (`trust_env=False`).

    Returns:
        The proxy; a `Bypass` when the environment sets one but NO_PROXY sends the host
        direct; None to connect directly for any other reason. Invariant: a loopback host
        always gets None; otherwise, with no `proxy_url`, the proxy is the one requests
        2.34 would use on this environment, and None or a `Bypass` exactly when it would
        connect directly.
    """
    if is_loopback_host(host):
        return None
    if proxy_url is not None:
        return proxy_url
    if environment is None:
        return None
    name = host.lower().removeprefix("[").removesuffix("]")  # as urlparse's `hostname`
    scheme = scheme.lower()
    keys = (f"{scheme}://{name}", scheme, f"all://{name}", "all")
    proxy = next((environment.proxies[key] for key in keys if key in environment.proxies), None)
    if proxy is None:
        return None
    bypass = bypass_for(environment.no_proxy, name, written_port)
    return proxy if bypass is None else bypass


def ca_bundle_from_environment(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The CA bundle the environment names, as (variable name, path), or None.

    `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`: the first one set and not blank is used
    alone, as requests does. The path is returned as written (not checked: that is I/O).
    """
    for name in CA_BUNDLE_VARIABLES:
        value = environ.get(name, "")
        if value.strip():
            return name, value
    return None
