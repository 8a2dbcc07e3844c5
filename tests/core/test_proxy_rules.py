"""Core: the proxy rules of `transports._proxy` and `transports._no_proxy`: proxy URLs,
NO_PROXY, the environment's variables, the choice per request, and the CA bundle.

Which proxy a request uses, or none, must be the choice requests 2.34 makes on the same
environment: the tables and properties below run requests' own functions
(`requests.utils.get_environ_proxies`, `select_proxy`, `should_bypass_proxies`) and the
standard library's `urllib.request.getproxies_environment` in the test, on an `os.environ`
set for the case, and compare. requests is a test dependency only."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
import struct
import urllib.request
from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlsplit

import pytest
import requests
import requests.utils
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from transports._no_proxy import Bypass, NoProxy, Setting, bypass_for, inet_aton
from transports._proxy import (
    EnvironmentProxies,
    ProxyURL,
    ca_bundle_from_environment,
    choose_proxy,
    environment_settings,
    parse_proxy_url,
    proxies_from_environment,
)
from transports._urls import is_loopback_host
from transports.urllib3._request_checks import target_of


def proxy_of(result: Result[ProxyURL, str]) -> ProxyURL:
    assert is_successful(result), f"expected a proxy, got {result}"
    return result.unwrap()


def failure_of(result: Result[object, str]) -> str:
    assert not is_successful(result), f"expected a failure, got {result}"
    return result.failure()


def environment_of(environ: Mapping[str, str]) -> EnvironmentProxies:
    result = proxies_from_environment(environ)
    assert is_successful(result), f"expected proxies, got {result}"
    return result.unwrap()


def shown(proxy: ProxyURL) -> list[str]:
    """Every way a ProxyURL can be shown to a person or a log."""
    return [repr(proxy), str(proxy), repr(proxy.__rich_repr__()), proxy.url(), proxy.where()]


# --- Proxy URLs, by example ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "host", "port", "username", "password"),
    [
        ("proxy.corp:3128", "http", "proxy.corp", 3128, None, None),
        ("proxy.corp", "http", "proxy.corp", 80, None, None),
        ("http://proxy.corp", "http", "proxy.corp", 80, None, None),
        ("https://proxy.corp", "https", "proxy.corp", 443, None, None),
        ("HTTPS://Proxy.Corp:8443", "https", "proxy.corp", 8443, None, None),
        ("  http://proxy.corp:3128/  ", "http", "proxy.corp", 3128, None, None),
        ("http://proxy.corp:3128/any/path?q=1#f", "http", "proxy.corp", 3128, None, None),
        ("http://10.1.2.3:8080", "http", "10.1.2.3", 8080, None, None),
        ("http://[fd00::1]:3128", "http", "fd00::1", 3128, None, None),
        ("https://[FD00::1]", "https", "fd00::1", 443, None, None),
        ("http://proxy.corp.:3128", "http", "proxy.corp.", 3128, None, None),
        ("http://my_proxy:1", "http", "my_proxy", 1, None, None),
        ("http://proxy:65535", "http", "proxy", 65535, None, None),
        ("http://alice@proxy:3128", "http", "proxy", 3128, "alice", None),
        ("http://alice:@proxy:3128", "http", "proxy", 3128, "alice", ""),
        ("http://alice:s3cret@proxy:3128", "http", "proxy", 3128, "alice", "s3cret"),
        ("alice:s3cret@proxy:3128", "http", "proxy", 3128, "alice", "s3cret"),
        ("http://al%20ice:p%40ss%3Aw%2Fd@proxy", "http", "proxy", 80, "al ice", "p@ss:w/d"),
        ("http://alice:p@ss@proxy:3128", "http", "proxy", 3128, "alice", "p@ss"),
        ("http://%C3%A9:%E2%82%AC@proxy", "http", "proxy", 80, "é", "€"),
    ],
)
def test_a_proxy_url_is_read_as_requests_reads_it(
    text: str, scheme: str, host: str, port: int, username: str | None, password: str | None
) -> None:
    proxy = proxy_of(parse_proxy_url(text, "HTTPS_PROXY"))

    assert (proxy.scheme, proxy.host, proxy.port) == (scheme, host, port)
    assert (proxy.username, proxy.password) == (username, password)
    assert proxy.source == "HTTPS_PROXY"


def test_url_and_where_carry_no_credentials_and_bracket_ipv6() -> None:
    v4 = proxy_of(parse_proxy_url("http://alice:s3cret@proxy.corp:3128/x", "proxy_url"))
    v6 = proxy_of(parse_proxy_url("https://alice:s3cret@[fd00::1]", "proxy_url"))

    assert (v4.url(), v4.where()) == ("http://proxy.corp:3128", "proxy.corp:3128")
    assert (v6.url(), v6.where()) == ("https://[fd00::1]:443", "[fd00::1]:443")


@pytest.mark.parametrize(
    ("text", "basic_auth"),
    [
        ("http://proxy", None),
        ("http://alice@proxy", "alice:"),
        ("http://alice:@proxy", "alice:"),
        ("http://alice:a%3Ab@proxy", "alice:a:b"),
    ],
)
def test_basic_auth_is_user_colon_password(text: str, basic_auth: str | None) -> None:
    assert proxy_of(parse_proxy_url(text, "proxy_url")).basic_auth() == basic_auth


@pytest.mark.parametrize("scheme", ["socks4", "socks4a", "socks5", "socks5h", "SOCKS5"])
def test_socks_proxies_are_refused_with_the_scheme_named(scheme: str) -> None:
    message = failure_of(parse_proxy_url(f"{scheme}://alice:s3cret@proxy:1080", "ALL_PROXY"))

    lower = scheme.lower()
    assert message.startswith("ALL_PROXY: ")
    assert message.endswith(
        f"{lower}:// proxies need an extra package that sqcore does not use; "
        "use an http:// or https:// proxy"
    )
    assert "s3cret" not in message
    assert "alice" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the proxy URL is empty"),
        ("   ", "the proxy URL is empty"),
        ("ftp://proxy:21", "ftp:// is not a proxy scheme; use http:// or https://"),
        ("file:///etc/passwd", "file:// is not a proxy scheme"),
        ("http://", "no host"),
        ("http://:3128", "no host"),
        ("http:///path", "no host"),
        ("http://alice:s3cret@", "no host"),
        ("http://proxy:0", "the port must be a number from 1 to 65535"),
        ("http://proxy:65536", "the port must be a number from 1 to 65535"),
        ("http://proxy:", "the port must be a number from 1 to 65535"),
        ("http://proxy:http", "the port must be a number from 1 to 65535"),
        ("http://proxy:-1", "the port must be a number from 1 to 65535"),
        ("http://proxy:\u0663", "the port must be a number from 1 to 65535"),
        ("http://proxy:+80", "the port must be a number from 1 to 65535"),
        ("http://[fd00::1]:0", "the port must be a number from 1 to 65535"),
        ("http://fd00::1", "an IPv6 address must be in brackets"),
        ("http://[fd00::1", "an invalid IPv6 address in brackets"),
        ("http://[proxy]:80", "an invalid IPv6 address in brackets"),
        ("http://[fd00::1]x", "unexpected text after the IPv6 address"),
        ("http://pro xy:80", "an invalid host name"),
        ("http://proxy..corp", "an invalid host name"),
        ("http://прокси:80", "an invalid host name"),
        ("http://@proxy:3128", "malformed user info: no user name"),
        ("http://:s3cret@proxy:3128", "malformed user info: no user name"),
        ("http://alice:s3cret%zz@proxy", "malformed user info: the password has a '%'"),
        ("http://alice:s3cret%4@proxy", "malformed user info: the password has a '%'"),
        ("http://ali%g1ce@proxy", "malformed user info: the user name has a '%'"),
        ("http://alice:s3cret%ff@proxy", "malformed user info: the password is not UTF-8"),
        ("http://al%3Aice:s3cret@proxy", "malformed user info: the user name holds ':'"),
    ],
)
def test_a_bad_proxy_url_is_a_failure_naming_its_source(text: str, problem: str) -> None:
    message = failure_of(parse_proxy_url(text, "HTTPS_PROXY"))

    assert message.startswith("HTTPS_PROXY: ")
    assert problem in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "http://@proxy:3128",
            "'http://…@proxy:3128': malformed user info: no user name before the password or '@'",
        ),
        (
            "http://al%3Aice:s3cret@proxy",
            "'http://…@proxy': malformed user info: the user name holds ':', which Basic "
            "authentication cannot carry",
        ),
        ("http://:3128", "'http://:3128': no host"),
        (
            "http://fd00::1",
            "'http://fd00::1': an IPv6 address must be in brackets, e.g. http://[fd00::1]:3128",
        ),
        ("http://pro xy:80", "'http://pro xy:80': an invalid host name"),
        ("http://[fd00::1", "'http://[fd00::1': an invalid IPv6 address in brackets"),
        ("http://[fd00::1]x", "'http://[fd00::1]x': unexpected text after the IPv6 address"),
        ("http://[fd00::1]]:80", "'http://[fd00::1]]:80': unexpected text after the IPv6 address"),
    ],
)
def test_each_failure_says_exactly_what_is_wrong(text: str, message: str) -> None:
    assert failure_of(parse_proxy_url(text, "HTTP_PROXY")) == f"HTTP_PROXY: {message}"


def test_a_message_quotes_the_url_without_its_user_info() -> None:
    message = failure_of(parse_proxy_url("http://alice:s3cret@proxy.corp:0/x", "proxy_url"))

    assert message == (
        "proxy_url: 'http://…@proxy.corp:0/x': the port must be a number from 1 to 65535"
    )


@pytest.mark.parametrize(
    "text",
    [
        "http://alice:s3#cret@proxy:0",  # url_for_message alone would stop at the "#"
        "http://alice:s3?cret@proxy:0",
        "alice:s3cret@proxy:0",  # no scheme
        "socks5://alice:s3/cret@proxy",
        "http://al@ice:s3#cret@proxy:0",  # cut at the last "@", not the first
    ],
)
def test_an_unencoded_delimiter_in_a_password_does_not_leak_it(text: str) -> None:
    message = failure_of(parse_proxy_url(text, "HTTP_PROXY"))

    assert "alice" not in message
    assert "s3" not in message
    assert "cret" not in message


def test_the_repr_hides_both_credentials_and_keeps_the_rest() -> None:
    proxy = proxy_of(parse_proxy_url("http://alice:s3cret@proxy:3128", "HTTP_PROXY"))

    assert repr(proxy) == (
        "ProxyURL(scheme='http', host='proxy', port=3128, username=<redacted>, "
        "password=<redacted>, source='HTTP_PROXY')"
    )
    assert str(proxy) == repr(proxy)
    assert proxy.__rich_repr__() == [
        ("scheme", "http"),
        ("host", "proxy"),
        ("port", 3128),
        ("username", "<redacted>"),
        ("password", "<redacted>"),
        ("source", "HTTP_PROXY"),
    ]
    for text in shown(proxy):
        assert "s3cret" not in text
        assert "alice" not in text


def test_the_repr_without_credentials_says_none() -> None:
    proxy = proxy_of(parse_proxy_url("http://proxy:3128", "proxy_url"))

    assert "username=None, password=None" in repr(proxy)
    assert ("username", "None") in proxy.__rich_repr__()


# --- Proxy URLs, by property -----------------------------------------------------------

_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_host_names = st.lists(_label, min_size=1, max_size=3).map(".".join)
_hosts = _host_names | st.ip_addresses(v=4).map(str)
_ports = st.integers(1, 65535)
#: Credentials start with a marker that no host, scheme or message here can contain (upper
#: case) and that percent-encoding leaves as it is (unreserved characters).
_passwords = st.text(max_size=12).map(lambda text: "PWQX" + text)
_usernames = st.text(max_size=12).filter(lambda text: ":" not in text).map(lambda t: "USQX" + t)


@settings(max_examples=200)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=_hosts,
    port=_ports,
    username=_usernames,
    password=st.none() | _passwords,
)
def test_percent_encoded_credentials_round_trip(
    scheme: str, host: str, port: int, username: str, password: str | None
) -> None:
    user_info = quote(username, safe="")
    if password is not None:
        user_info += ":" + quote(password, safe="")
    proxy = proxy_of(parse_proxy_url(f"{scheme}://{user_info}@{host}:{port}", "proxy_url"))

    assert (proxy.scheme, proxy.host, proxy.port) == (scheme, host, port)
    assert (proxy.username, proxy.password) == (username, password)
    assert proxy.basic_auth() == f"{username}:{password or ''}"
    assert proxy.url() == f"{scheme}://{host}:{port}"


#: Ways to spoil a URL after its user info, each giving a different failure: (scheme, tail).
_spoilers = st.sampled_from(
    [
        ("http", ":0"),
        ("http", ":99999"),
        ("http", ":x"),
        ("", ":0"),  # no scheme
        ("ftp", ""),
        ("socks5", ""),
        ("socks4a", ":1080"),
        ("http", ":80:80"),
        ("http", "/ok-path"),  # a good URL: its repr must hide the credentials too
        ("https", ""),
    ]
)
#: How the password is written: all encoded, "@" and ":" left raw, or with a bad "%".
_password_spellings = st.sampled_from(["encoded", "raw", "bad-percent"])


@settings(max_examples=300)
@given(
    spoiler=_spoilers,
    host=_host_names,
    username=_usernames,
    password=_passwords,
    spelling=_password_spellings,
    source=st.sampled_from(["proxy_url", "HTTPS_PROXY", "all_proxy"]),
)
def test_no_message_or_repr_shows_a_password_or_the_user_name_before_it(
    spoiler: tuple[str, str],
    host: str,
    username: str,
    password: str,
    spelling: str,
    source: str,
) -> None:
    scheme, tail = spoiler
    written = quote(password, safe="@:" if spelling == "raw" else "")
    if spelling == "bad-percent":
        written += "%zz"
    prefix = f"{scheme}://" if scheme else ""
    result = parse_proxy_url(f"{prefix}{quote(username, safe='')}:{written}@{host}{tail}", source)

    if is_successful(result):
        texts = shown(result.unwrap())
    else:
        texts = [result.failure()]
        assert texts[0].startswith(f"{source}: ")
    for text in texts:
        assert "PWQX" not in text
        assert "USQX" not in text


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_text_gives_a_proxy_or_a_message_never_an_exception(text: str) -> None:
    result = parse_proxy_url(text, "proxy_url")

    if not is_successful(result):
        assert result.failure().startswith("proxy_url: ")
    else:
        proxy = result.unwrap()
        assert proxy.scheme in {"http", "https"}
        assert 1 <= proxy.port <= 65535
        assert proxy.host


# --- Requests beside sqcore ------------------------------------------------------------


@contextlib.contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[Mapping[str, str]]:
    """`os.environ` holding `variables` (in their order) and no other proxy variable, for
    the block: what requests reads, and what sqcore is given."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
                patch.delenv(name)
        for name, value in variables.items():
            patch.setenv(name, value)
        yield os.environ


def requests_proxy(url: str) -> str | None:
    """The proxy URL requests uses for `url` on this environment (as `Session.send` picks
    it: the URL prepared, the environment's proxies unless bypassed, then selected)."""
    prepared = requests.Request("GET", url).prepare().url
    assert prepared is not None
    return requests.utils.select_proxy(prepared, requests.utils.get_environ_proxies(prepared))


def requests_bypasses(url: str) -> bool:
    prepared = requests.Request("GET", url).prepare().url
    assert prepared is not None
    return requests.utils.should_bypass_proxies(prepared, None)


def sqcore_choice(environ: Mapping[str, str], url: str) -> ProxyURL | Bypass | None:
    """What `Urllib3Transport.send` decides for `url` with the proxies of `environ`."""
    target = target_of(url)
    assert not isinstance(target, str), target
    found = environment_of(environ)
    return choose_proxy(
        target.scheme, target.host, target.written_port, proxy_url=None, environment=found
    )


def sqcore_proxy(environ: Mapping[str, str], url: str) -> str | None:
    """The value of the variable whose proxy sqcore uses for `url`, or None: direct."""
    chosen = sqcore_choice(environ, url)
    return environ[chosen.source] if isinstance(chosen, ProxyURL) else None


def proxy_for(name: str) -> str:
    """A proxy URL that tells which variable it was set in (`https-proxy.proxy.test`)."""
    return f"http://{re.sub('[^a-z0-9]+', '-', name.lower()).strip('-')}.proxy.test:3128"


def proxies(*names: str) -> dict[str, str]:
    """A distinct proxy URL for each of `names`, so that the one chosen tells its variable."""
    return {name: proxy_for(name) for name in names}


HTTPS = proxies("HTTPS_PROXY")

#: (environment, URL, the variable whose proxy is used or None for direct). Every row is
#: checked against requests and against sqcore. The first rows are issue 18's.
CHOICES = [
    # `*.` is no wildcard, and `*` counts only as the whole value
    ({**HTTPS, "NO_PROXY": "*.example.com"}, "https://api.example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "localhost,*"}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "*"}, "https://example.com/", None),
    ({**HTTPS, "NO_PROXY": " * "}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "no_proxy": "*"}, "http://10.1.2.3/", None),
    # host:port applies only to a port written in the URL
    ({**HTTPS, "NO_PROXY": "example.com:443"}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "example.com:443"}, "https://example.com:443/", None),
    ({**HTTPS, "NO_PROXY": "example.com:8443"}, "https://api.example.com:8443/", None),
    ({**HTTPS, "NO_PROXY": "example.com:8443"}, "https://api.example.com:9443/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": ".example.com:8443"}, "https://example.com:8443/", None),
    ({**HTTPS, "NO_PROXY": "example.com:None"}, "https://example.com/", "HTTPS_PROXY"),
    # a trailing dot on either side, and a list separated by spaces
    ({**HTTPS, "NO_PROXY": "example.com."}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "example.com"}, "https://example.com./", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "."}, "https://example.com./", None),
    ({**HTTPS, "NO_PROXY": "other.test example.com"}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "other.test, example.com"}, "https://example.com/", None),
    ({**HTTPS, "NO_PROXY": "exam ple.com"}, "https://example.com/", None),  # spaces removed
    ({**HTTPS, "NO_PROXY": ".exam ple.com"}, "https://example.com/", None),
    # IPv6 hosts match by text only: no brackets, no CIDR
    ({**HTTPS, "NO_PROXY": "[fd00::2]"}, "https://[fd00::2]/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "fd00::/8"}, "https://[fd00::2]/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "fd00::2"}, "https://[fd00::2]/", None),
    ({**HTTPS, "NO_PROXY": "FD00::2"}, "https://[fd00::2]:8443/", None),
    ({**HTTPS, "NO_PROXY": "fd00:"}, "https://[fd00::2]/", None),  # its last group cut off
    ({**HTTPS, "NO_PROXY": "fd00:"}, "https://[fd00::90]/", None),
    ({**HTTPS, "NO_PROXY": "fd00:"}, "https://[fd00::ab]/", "HTTPS_PROXY"),  # digits only
    # names of mixed case count, and an empty lower-case one cancels its twin
    (proxies("Https_Proxy"), "https://example.com/", "Https_Proxy"),
    ({"https_proxy": "", **HTTPS}, "https://example.com/", None),
    ({**HTTPS, "https_proxy": ""}, "https://example.com/", None),
    ({**HTTPS, "HTTPS_proxy": ""}, "https://example.com/", None),
    ({**HTTPS, "Https_Proxy": ""}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "No_Proxy": "example.com"}, "https://example.com/", None),
    ({**HTTPS, "no_PROXY": "example.com"}, "https://example.com/", None),
    ({**HTTPS, "no_proxy": "", "NO_PROXY": "example.com"}, "https://example.com/", None),
    ({**HTTPS, "no_proxy": "", "No_Proxy": "example.com"}, "https://example.com/", "HTTPS_PROXY"),
    # lower case wins; between two other spellings, the later in the environment
    (proxies("HTTPS_PROXY", "https_proxy"), "https://example.com/", "https_proxy"),
    (proxies("https_proxy", "HTTPS_PROXY"), "https://example.com/", "https_proxy"),
    (proxies("Https_Proxy", "HTTPS_PROXY"), "https://example.com/", "HTTPS_PROXY"),
    (proxies("HTTPS_PROXY", "Https_Proxy"), "https://example.com/", "Https_Proxy"),
    # the scheme's own proxy, else ALL_PROXY; a proxy for one host first of all
    (proxies("HTTPS_PROXY", "ALL_PROXY"), "http://example.com/", "ALL_PROXY"),
    (proxies("all_proxy", "HTTPS_PROXY"), "https://example.com/", "HTTPS_PROXY"),
    (proxies("http_proxy"), "https://example.com/", None),
    (
        proxies("https://api.example.com_proxy", "HTTPS_PROXY"),
        "https://api.example.com/",
        "https://api.example.com_proxy",
    ),
    (
        proxies("https://api.example.com_proxy", "HTTPS_PROXY"),
        "https://example.com/",
        "HTTPS_PROXY",
    ),
    (proxies("all://example.com_PROXY", "HTTPS_PROXY"), "https://example.com/", "HTTPS_PROXY"),
    (proxies("ALL://EXAMPLE.COM_PROXY"), "http://example.com/", "ALL://EXAMPLE.COM_PROXY"),
    # httpoxy: under CGI, only a name ending in lower-case "_proxy" sets the http proxy
    ({**proxies("HTTP_PROXY"), "REQUEST_METHOD": "GET"}, "http://example.com/", None),
    ({**proxies("Http_Proxy"), "REQUEST_METHOD": ""}, "http://example.com/", None),
    ({**proxies("HTTP_proxy"), "REQUEST_METHOD": "GET"}, "http://example.com/", "HTTP_proxy"),
    ({**proxies("http_proxy"), "REQUEST_METHOD": "GET"}, "http://example.com/", "http_proxy"),
    ({**proxies("HTTPS_PROXY"), "REQUEST_METHOD": "GET"}, "https://example.com/", "HTTPS_PROXY"),
    # names: the host itself or a name below it, by whole labels, in any case
    ({**HTTPS, "NO_PROXY": "example.com"}, "https://api.example.com/", None),
    ({**HTTPS, "NO_PROXY": "example.com"}, "https://badexample.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "example.com"}, "https://example.com.evil/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": ".example.com"}, "https://example.com/", None),
    ({**HTTPS, "NO_PROXY": "EXAMPLE.COM"}, "https://Api.Example.com/", None),
    ({**HTTPS, "NO_PROXY": "com"}, "https://example.com/", None),
    ({**HTTPS, "NO_PROXY": "X.example.com"}, "https://example.com/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "xn--bcher-kva.example"}, "https://bücher.example/", None),
    # IPv4 hosts: equal, inside a block, or (the standard library's reading) a suffix
    ({**HTTPS, "NO_PROXY": "10.1.2.3"}, "https://10.1.2.3/", None),
    ({**HTTPS, "NO_PROXY": "10.1 .2.3"}, "https://10.1.2.3/", None),
    ({**HTTPS, "NO_PROXY": "10.0.0.0/8"}, "https://10.1.2.3/", None),
    ({**HTTPS, "NO_PROXY": "10.0.0.0/8"}, "https://11.1.2.3/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "10/8"}, "https://10.1.2.3/", "HTTPS_PROXY"),  # 0.0.0.10/8
    ({**HTTPS, "NO_PROXY": "10.0.0.0/0"}, "https://10.1.2.3/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "10.0.0.0/33"}, "https://10.1.2.3/", "HTTPS_PROXY"),
    ({**HTTPS, "NO_PROXY": "10.1.2.3/32"}, "https://10.1.2.3/", None),
    ({**HTTPS, "NO_PROXY": "2.3"}, "https://10.1.2.3/", None),
    ({**HTTPS, "NO_PROXY": "10.1.2.3:443"}, "https://10.1.2.3:443/", "HTTPS_PROXY"),
    # credentials over plain http to the proxy: used as given, never a silent direct line
    ({"HTTPS_PROXY": "http://alice:s3cret@proxy.corp:3128"}, "https://example.com/", "HTTPS_PROXY"),
]


@pytest.mark.parametrize(("environ", "url", "variable"), CHOICES)
def test_the_proxy_chosen_is_the_one_requests_chooses(
    environ: dict[str, str], url: str, variable: str | None
) -> None:
    with environment(environ) as live:
        expected = None if variable is None else live[variable]
        assert requests_proxy(url) == expected  # the row says what requests does
        assert sqcore_proxy(live, url) == expected


@pytest.mark.parametrize(
    ("environ", "url", "message"),
    [
        ({**HTTPS, "NO_PROXY": "corp"}, "https://api.corp/", "NO_PROXY matches 'corp'"),
        ({**HTTPS, "no_proxy": ".corp,x"}, "https://corp/", "no_proxy matches '.corp'"),
        ({**HTTPS, "No_Proxy": "CORP"}, "https://api.corp/", "No_Proxy matches 'CORP'"),
        ({**HTTPS, "NO_PROXY": "*"}, "https://api.corp/", "NO_PROXY matches '*'"),
        ({**HTTPS, "NO_PROXY": "10.0.0.0/8"}, "https://10.1.2.3/", "NO_PROXY matches '10.0.0.0/8'"),
    ],
)
def test_a_host_sent_direct_by_no_proxy_says_which_entry_did(
    environ: dict[str, str], url: str, message: str
) -> None:
    chosen = sqcore_choice(environ, url)

    assert isinstance(chosen, Bypass)
    assert chosen.describe() == message


def test_no_proxy_without_a_proxy_is_no_bypass() -> None:
    assert sqcore_choice({"NO_PROXY": "example.com"}, "https://example.com/") is None


_SPELLINGS = {
    "https": ["https_proxy", "HTTPS_PROXY", "Https_Proxy", "HTTPS_proxy"],
    "http": ["http_proxy", "HTTP_PROXY", "Http_Proxy", "HTTP_proxy"],
    "all": ["all_proxy", "ALL_PROXY", "All_Proxy", "all://example.com_proxy"],
    "no": ["no_proxy", "NO_PROXY", "No_Proxy", "NO_proxy"],
}
_NO_PROXY_ENTRIES = [
    "example.com",
    ".example.com",
    "*.example.com",
    "EXAMPLE.COM",
    "exam ple.com",
    "example.com.",
    "api.example.com",
    "example.com:443",
    "example.com:8443",
    "*",
    "localhost",
    "com",
    "10.1.2.3",
    "10.1 .2.3",
    "10.0.0.0/8",
    "10/8",
    "2.3",
    "10.1.2.3:443",
    "fd00::2",
    "[fd00::2]",
    "fd00::/8",
    "fd00:",
    ".",
    "xn--bcher-kva.example",
]
_URLS = [
    "https://example.com/",
    "https://api.example.com/",
    "https://a.b.example.com:8443/",
    "https://badexample.com/",
    "https://example.com:443/",
    "https://EXAMPLE.com./",
    "http://example.com/",
    "http://10.1.2.3/",
    "https://10.1.2.3:443/",
    "https://[fd00::2]/",
    "https://[FD00::2]:8443/",
    "https://com/",
    "https://bücher.example/",
    "http://localhost:8080/",
    "https://127.0.0.1/",
]
_no_proxy_values = st.one_of(
    st.sampled_from(["", "*", " * "]),
    st.tuples(
        st.lists(st.sampled_from(_NO_PROXY_ENTRIES), min_size=1, max_size=4),
        st.sampled_from([",", ", ", " ", ",,"]),
    ).map(lambda parts: parts[1].join(parts[0])),
    st.text(".,* :/[]0123456789abcdefmoxz\t", max_size=16),
)


@st.composite
def _environments(draw: st.DrawFn) -> dict[str, str]:
    """Some proxy variables in some spellings and order, set, empty or NO_PROXY lists."""
    names = draw(
        st.lists(
            st.sampled_from([name for spellings in _SPELLINGS.values() for name in spellings]),
            unique=True,
            max_size=6,
        )
    )
    environ: dict[str, str] = {}
    for name in names:
        if name in _SPELLINGS["no"]:
            environ[name] = draw(_no_proxy_values)
        else:
            environ[name] = draw(st.sampled_from(["", proxy_for(name)]))
    if draw(st.booleans()):
        environ["REQUEST_METHOD"] = "POST"
    return environ


@settings(max_examples=400)
@given(environ=_environments(), url=st.sampled_from(_URLS))
def test_for_any_environment_sqcore_chooses_as_requests_does(
    environ: dict[str, str], url: str
) -> None:
    with environment(environ) as live:
        chosen = sqcore_proxy(live, url)
        if is_loopback_host(urlsplit(url).hostname or ""):
            assert chosen is None  # sqcore's own rule: loopback is never proxied
        else:
            assert chosen == requests_proxy(url)


@settings(max_examples=400)
@given(
    environ=_environments(),
    url=st.sampled_from(_URLS),
    extra=st.text(".,* :/[]0123456789abcdefmoxz\t", max_size=24),
)
def test_for_any_no_proxy_sqcore_bypasses_as_requests_does(
    environ: dict[str, str], url: str, extra: str
) -> None:
    environ = {**environ, "https_proxy": "http://p:1", "http_proxy": "http://p:1"}
    environ["NO_PROXY"] = environ.get("NO_PROXY", "") + extra
    with environment(environ) as live:
        target = target_of(url)
        assert not isinstance(target, str)
        found = environment_of(live)
        bypass = bypass_for(found.no_proxy, target.host, target.written_port)

        assert (bypass is not None) is requests_bypasses(url)


@settings(max_examples=300)
@given(environ=_environments())
def test_the_environment_is_read_as_the_standard_library_reads_it(environ: dict[str, str]) -> None:
    with environment(environ) as live:
        read = {scheme: setting.value for scheme, setting in environment_settings(live).items()}

        assert read == urllib.request.getproxies_environment()


# --- Refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HTTPS_PROXY": "socks5://alice:s3cret@p:1080"}, "HTTPS_PROXY"),
        ({"https_proxy": "http://p:0"}, "https_proxy"),
        ({"Https_Proxy": " "}, "Https_Proxy"),  # requests would use it: not unset
        ({"http_proxy": "ftp://p"}, "http_proxy"),
        ({"HTTP_PROXY": "http://alice:s3cret@"}, "HTTP_PROXY"),
        ({"all_proxy": "http://[fd00::1"}, "all_proxy"),
        ({"ALL_PROXY": "socks4://p"}, "ALL_PROXY"),
        ({"https://example.com_proxy": "socks5h://p"}, "https://example.com_proxy"),
        # the https variable is reported first
        ({"http_proxy": "ftp://p", "https_proxy": "http://p:0"}, "https_proxy"),
    ],
)
def test_a_proxy_sqcore_cannot_use_is_refused_naming_its_variable_never_skipped(
    environ: dict[str, str], variable: str
) -> None:
    url = "http://example.com/" if variable.lower().startswith("http_") else "https://example.com/"
    with environment(environ) as live:
        assert requests_proxy(url) == live[variable]  # requests would go through it

        message = failure_of(proxies_from_environment(live))

    assert message.startswith(f"{variable}: ")
    assert "s3cret" not in message and "alice" not in message


@pytest.mark.parametrize(
    "environ",
    [
        {"https_proxy": "good:1", "HTTPS_PROXY": "socks5://bad", "http_proxy": "good:2"},
        {"HTTPS_PROXY": "socks5://bad", "https_proxy": "good:1"},
        {"http_proxy": "good:1", "https_proxy": "good:2", "FTP_PROXY": "ftp://bad"},
        {"HTTP_PROXY": "socks5://bad", "REQUEST_METHOD": "GET"},
        {"https_proxy": "", "HTTPS_PROXY": "socks5://bad"},
        {"NO_PROXY": "socks5://not-a-proxy-at-all"},
    ],
)
def test_a_bad_value_no_request_can_reach_is_not_read(environ: dict[str, str]) -> None:
    environment_of(environ)


def test_the_values_are_parsed_with_their_variable_as_source() -> None:
    found = environment_of(
        {"HTTPS_PROXY": "https://alice:s3cret@secure.corp", "http_proxy": "plain.corp:3128"}
    )

    assert dict(found.proxies) == {
        "https": ProxyURL("https", "secure.corp", 443, "alice", "s3cret", "HTTPS_PROXY"),
        "http": ProxyURL("http", "plain.corp", 3128, None, None, "http_proxy"),
    }
    assert found.no_proxy == NoProxy()


def test_the_no_proxy_values_keep_their_variables() -> None:
    found = environment_of({"No_Proxy": "a", "NO_PROXY": "b", "no_proxy": ""})

    assert found.no_proxy == NoProxy(own=Setting("NO_PROXY", "b"), environment=None)


# --- NO_PROXY entries, by property -----------------------------------------------------

_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
#: Names whose last label starts with a letter, so that no name here reads as an IP address.
_domains = st.tuples(
    st.lists(_label, max_size=2), st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
).map(lambda parts: ".".join([*parts[0], parts[1]]))


def bypassed(no_proxy: str, host: str, written_port: int | None = None) -> bool:
    setting = Setting("NO_PROXY", no_proxy)
    return bypass_for(NoProxy(own=setting, environment=setting), host, written_port) is not None


def test_an_ipv6_host_is_matched_by_its_text() -> None:
    assert bypassed("fd00::2", "FD00::2")
    assert not bypassed("[fd00::2]", "fd00::2")
    assert not bypassed("fd00::/8", "fd00::2")


@settings(max_examples=200)
@given(
    domain=_domains,
    dotted=st.booleans(),
    upper=st.booleans(),
    below=st.lists(_label, max_size=2),
)
def test_a_name_entry_matches_itself_and_names_below_it_by_whole_labels(
    domain: str, dotted: bool, upper: bool, below: list[str]
) -> None:
    entry = ("." if dotted else "") + domain
    no_proxy = entry.upper() if upper else entry
    host = ".".join([*below, domain])

    assert bypassed(no_proxy, host)
    assert bypassed(no_proxy, host.upper())
    assert not bypassed(no_proxy, "x" + domain)
    assert not bypassed(no_proxy, domain + ".out-of")  # no label has a "-"


@settings(max_examples=200)
@given(
    network=st.ip_addresses(v=4).flatmap(
        lambda address: st.integers(1, 32).map(
            lambda bits: ipaddress.ip_network(f"{address}/{bits}", strict=False)
        )
    ),
    address=st.ip_addresses(v=4),
)
def test_a_cidr_entry_matches_the_addresses_inside(
    network: ipaddress.IPv4Network, address: ipaddress.IPv4Address
) -> None:
    if address in network:
        assert bypassed(str(network), str(address))
    else:  # unless the standard library's reading takes the block's text as a suffix
        assert bypassed(str(network), str(address)) is str(address).endswith(f".{network}")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("10.1.2.3", 0x0A010203),
        ("10", 10),
        ("10.1", 0x0A000001),
        ("10.1.515", 0x0A010203),
        ("0x7f.1", 0x7F000001),
        ("017.0.0.1", 0x0F000001),
        ("10.1.2.3 and then anything", 0x0A010203),
        ("4294967295", 0xFFFFFFFF),
        ("0XAB.0xCD.0xEF.0x0000000000001", 0xABCDEF01),
        ("0" + "7" * 11, None),
        ("1" * 5000, None),
        ("4294967296", None),
        ("99999999999", None),
        ("1.2.3.256", None),
        ("1.2.65536", None),
        ("1.16777216", None),
        ("256.1.2.3", None),
        ("1.2.3.4.5", None),
        ("1..2", None),
        ("1.2.3.", None),
        ("08", None),
        ("0x", None),
        ("0x1X", None),
        ("", None),
        ("example.com", None),
    ],
)
def test_inet_aton_reads_an_ipv4_address_in_every_c_form(text: str, address: int | None) -> None:
    assert inet_aton(text) == address


@settings(max_examples=1000)
@given(st.text("0123456789xXabcdefABCDEFg. \t\n/é", max_size=20))
def test_inet_aton_reads_what_the_c_library_reads(text: str) -> None:
    try:
        expected: int | None = struct.unpack("!L", socket.inet_aton(text))[0]
    except OSError:
        expected = None

    assert inet_aton(text) == expected


# --- Choosing a proxy ------------------------------------------------------------------

EXPLICIT = ProxyURL("http", "explicit.corp", 3128, "alice", "s3cret", "proxy_url")
ENVIRONMENT = environment_of(
    {
        "HTTPS_PROXY": "https://secure.corp:8443",
        "HTTP_PROXY": "plain.corp:3128",
        "NO_PROXY": "internal.test,10.0.0.0/8,ports.test:8443",
    }
)
IPV6_DIRECT = environment_of({"HTTPS_PROXY": "secure.corp:8443", "NO_PROXY": "fd00::2"})


@pytest.mark.parametrize(
    ("scheme", "host", "port", "proxy_url", "environment", "chosen"),
    [
        # the environment's proxy per scheme, unless NO_PROXY bypasses the host
        ("https", "api.superstaq.test", None, None, ENVIRONMENT, "HTTPS_PROXY"),
        ("HTTPS", "api.superstaq.test", None, None, ENVIRONMENT, "HTTPS_PROXY"),
        ("http", "api.superstaq.test", None, None, ENVIRONMENT, "HTTP_PROXY"),
        ("https", "api.internal.test", None, None, ENVIRONMENT, "bypass"),
        ("http", "10.9.8.7", None, None, ENVIRONMENT, "bypass"),
        ("https", "ports.test", 8443, None, ENVIRONMENT, "bypass"),
        ("https", "ports.test", None, None, ENVIRONMENT, "HTTPS_PROXY"),
        # no environment (trust_env=False) and no proxy_url: direct
        ("https", "api.superstaq.test", None, None, None, None),
        # an explicit proxy_url serves every non-loopback host, NO_PROXY or not
        ("https", "api.superstaq.test", None, EXPLICIT, None, "proxy_url"),
        ("http", "api.superstaq.test", None, EXPLICIT, ENVIRONMENT, "proxy_url"),
        ("https", "api.internal.test", None, EXPLICIT, ENVIRONMENT, "proxy_url"),
        ("https", "10.9.8.7", 443, EXPLICIT, ENVIRONMENT, "proxy_url"),
        # loopback never goes through a proxy
        ("https", "localhost", None, EXPLICIT, ENVIRONMENT, None),
        ("http", "127.0.0.1", 8080, None, ENVIRONMENT, None),
        ("https", "[::1]", None, EXPLICIT, None, None),
        ("http", "LOCALHOST", None, None, ENVIRONMENT, None),
        # ... but a name that only starts like it does
        ("https", "localhost.example", None, None, ENVIRONMENT, "HTTPS_PROXY"),
        # an IPv6 host, with or without its brackets
        ("https", "[FD00::2]", None, None, IPV6_DIRECT, "bypass"),
        ("https", "fd00::2", 443, None, IPV6_DIRECT, "bypass"),
        ("https", "[fd00::3]", None, None, IPV6_DIRECT, "HTTPS_PROXY"),
    ],
)
def test_choose_proxy(
    scheme: str,
    host: str,
    port: int | None,
    proxy_url: ProxyURL | None,
    environment: EnvironmentProxies | None,
    chosen: str | None,
) -> None:
    proxy = choose_proxy(scheme, host, port, proxy_url=proxy_url, environment=environment)

    if isinstance(proxy, Bypass):
        assert chosen == "bypass"
    else:
        assert (None if proxy is None else proxy.source) == chosen


_loopback_hosts = st.sampled_from(["localhost", "LocalHost", "::1", "[::1]"]) | (
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(
        lambda parts: "127." + ".".join(map(str, parts))
    )
)


@settings(max_examples=200)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=_loopback_hosts,
    port=st.none() | st.integers(1, 65535),
    explicit=st.booleans(),
    no_proxy=st.sampled_from(["", "*", "localhost", "example.com"]),
)
def test_a_loopback_host_is_never_proxied(
    scheme: str, host: str, port: int | None, explicit: bool, no_proxy: str
) -> None:
    environment = environment_of({"ALL_PROXY": "proxy.corp:3128", "NO_PROXY": no_proxy})

    chosen = choose_proxy(
        scheme,
        host,
        port,
        proxy_url=EXPLICIT if explicit else None,
        environment=environment,
    )

    assert chosen is None


# --- The CA bundle ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "bundle"),
    [
        ({}, None),
        ({"REQUESTS_CA_BUNDLE": "/a.pem"}, ("REQUESTS_CA_BUNDLE", "/a.pem")),
        ({"CURL_CA_BUNDLE": "/b.pem"}, ("CURL_CA_BUNDLE", "/b.pem")),
        (
            {"REQUESTS_CA_BUNDLE": "/a.pem", "CURL_CA_BUNDLE": "/b.pem"},
            ("REQUESTS_CA_BUNDLE", "/a.pem"),
        ),
        ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "/b.pem"}, ("CURL_CA_BUNDLE", "/b.pem")),
        ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}, None),
        ({"requests_ca_bundle": "/a.pem", "SSL_CERT_FILE": "/c.pem"}, None),
    ],
)
def test_the_ca_bundle_is_the_first_variable_set(
    environ: dict[str, str], bundle: tuple[str, str] | None
) -> None:
    assert ca_bundle_from_environment(environ) == bundle
