"""Core: the proxy rules of `transports._proxy`: proxy URLs, NO_PROXY, the environment's
variables and their precedence, the choice per request, and the CA bundle; case tables for
every documented form, properties for the rules that hold for all inputs."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from transports._no_proxy import NoProxy, bypasses_proxy, parse_no_proxy
from transports._proxy import (
    HTTP_PROXY_VARIABLES,
    HTTPS_PROXY_VARIABLES,
    EnvironmentProxies,
    ProxyURL,
    ca_bundle_from_environment,
    choose_proxy,
    parse_proxy_url,
    proxies_from_environment,
)


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
def test_a_proxy_url_is_read_as_curl_and_requests_read_it(
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


# --- NO_PROXY, by example --------------------------------------------------------------


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypassed"),
    [
        # `*` alone, and `*` as one entry of a list
        ("*", "api.superstaq.test", 443, True),
        ("*", "10.1.2.3", 80, True),
        (" * ", "example.com", 443, True),
        ("localhost,*", "example.com", 443, True),
        ("*example.com", "example.com", 443, False),
        # names: exact, or a domain suffix by whole labels, in three spellings
        ("example.com", "example.com", 443, True),
        ("example.com", "api.example.com", 443, True),
        ("example.com", "a.b.example.com", 443, True),
        ("example.com", "badexample.com", 443, False),
        ("example.com", "example.com.evil", 443, False),
        ("example.com", "com", 443, False),
        (".example.com", "example.com", 443, True),
        (".example.com", "api.example.com", 443, True),
        (".example.com", "badexample.com", 443, False),
        ("*.example.com", "example.com", 443, True),
        ("*.example.com", "api.example.com", 443, True),
        ("*.example.com", "badexample.com", 443, False),
        # case and trailing dots
        ("EXAMPLE.com", "Api.Example.COM", 443, True),
        ("example.com.", "api.example.com", 443, True),
        ("example.com", "api.example.com.", 443, True),
        ("example.com", "API.EXAMPLE.COM.", 443, True),
        # separators: commas, white space, both; empty entries
        ("a.test,example.com", "example.com", 443, True),
        ("a.test example.com", "example.com", 443, True),
        ("a.test ,\t example.com,", "example.com", 443, True),
        (",,, ,", "example.com", 443, False),
        ("", "example.com", 443, False),
        # IPv4: exact addresses and CIDR blocks
        ("10.1.2.3", "10.1.2.3", 443, True),
        ("10.1.2.3", "10.1.2.4", 443, False),
        ("10.0.0.0/8", "10.200.3.4", 443, True),
        ("10.0.0.0/8", "11.0.0.1", 443, False),
        ("10.1.2.3/8", "10.9.9.9", 443, True),
        ("192.168.0.0/16", "192.168.255.1", 80, True),
        # IPv6: with or without brackets on either side, and CIDR blocks
        ("fd00::1", "fd00::1", 443, True),
        ("fd00::1", "[fd00::1]", 443, True),
        ("[fd00::1]", "fd00::1", 443, True),
        ("[FD00::1]", "[fd00:0:0::1]", 443, True),
        ("fd00::1", "fd00::2", 443, False),
        ("fd00::/8", "fd12:3456::1", 443, True),
        ("[fd00::/8]", "fd12:3456::1", 443, True),
        ("fd00::/8", "fe80::1", 443, False),
        # families never mix; names never match addresses, nor addresses names
        ("::/0", "10.1.2.3", 443, False),
        ("0.0.0.0/0", "fd00::1", 443, False),
        ("0.1", "10.0.0.1", 443, False),
        ("3.4", "1.2.3.4", 443, False),
        ("10.1.2.3", "host.10.1.2.3", 443, False),
        # ports: an entry with :port applies to that port only (default ports included)
        ("example.com:8443", "api.example.com", 8443, True),
        ("example.com:8443", "api.example.com", 443, False),
        ("example.com:443", "example.com", 443, True),
        ("10.0.0.0/8:8080", "10.1.2.3", 8080, True),
        ("10.1.2.3:8080", "10.1.2.3", 8080, True),
        ("10.1.2.3:8080", "10.1.2.3", 80, False),
        ("[fd00::1]:8080", "fd00::1", 8080, True),
        ("[fd00::1]:8080", "fd00::1", 80, False),
        ("[fd00::/8]:8080", "fd00::9", 8080, True),
        # entries that can match nothing are ignored, the rest still apply
        ("example.com:0", "example.com", 443, False),
        ("example.com:http", "example.com", 80, False),
        ("[fd00::1]x", "fd00::1", 80, False),
        ("[fd00::1]x8080", "fd00::1", 8080, False),
        ("[fd00::1", "fd00::1", 80, False),
        ("fd00::/8", "[fd00::1", 443, False),  # a host with one bracket is no address
        ("[10.0.0.1]", "10.0.0.1", 80, False),
        ("10.0.0.0/33,example.com", "example.com", 443, True),
        ("a/b,...,*.,.", "example.com", 443, False),
    ],
)
def test_no_proxy_matches_as_documented(
    no_proxy: str, host: str, port: int, bypassed: bool
) -> None:
    assert bypasses_proxy(parse_no_proxy(no_proxy), host, port) is bypassed


def test_no_proxy_keeps_its_entries_as_rules() -> None:
    parsed = parse_no_proxy("*.Example.com., 10.0.0.0/8 [fd00::1]:99 junk/1")

    assert not parsed.every_host
    assert [(rule.domain, rule.port) for rule in parsed.domains] == [("example.com", None)]
    assert [(str(rule.network), rule.port) for rule in parsed.networks] == [
        ("10.0.0.0/8", None),
        ("fd00::1/128", 99),
    ]
    assert parse_no_proxy("") == NoProxy()


# --- NO_PROXY, by property -------------------------------------------------------------

#: Names whose last label starts with a letter, so that no name here reads as an IP address.
_domains = st.tuples(
    st.lists(_label, max_size=2), st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
).map(lambda parts: ".".join([*parts[0], parts[1]]))
_spellings = st.sampled_from(["{}", ".{}", "*.{}", "{}."])


@settings(max_examples=200)
@given(
    domain=_domains,
    spelling=_spellings,
    upper=st.booleans(),
    below=st.lists(_label, max_size=2),
    port=_ports,
)
def test_a_name_entry_matches_itself_and_names_below_it_by_whole_labels(
    domain: str, spelling: str, upper: bool, below: list[str], port: int
) -> None:
    entry = spelling.format(domain)
    no_proxy = parse_no_proxy(entry.upper() if upper else entry)
    host = ".".join([*below, domain])

    assert bypasses_proxy(no_proxy, host, port)
    assert bypasses_proxy(no_proxy, host.upper() + ".", port)
    assert not bypasses_proxy(no_proxy, "x" + domain, port)
    assert not bypasses_proxy(no_proxy, domain + ".out-of", port)  # no label has a "-"


@settings(max_examples=200)
@given(
    network=st.ip_addresses(v=4).flatmap(
        lambda address: st.integers(0, 32).map(
            lambda bits: ipaddress.ip_network(f"{address}/{bits}", strict=False)
        )
    ),
    address=st.ip_addresses(v=4),
    port=_ports,
)
def test_a_cidr_entry_matches_exactly_the_addresses_inside(
    network: ipaddress.IPv4Network, address: ipaddress.IPv4Address, port: int
) -> None:
    assert bypasses_proxy(parse_no_proxy(str(network)), str(address), port) is (address in network)


@settings(max_examples=200)
@given(
    network=st.ip_addresses(v=6).flatmap(
        lambda address: st.integers(0, 128).map(
            lambda bits: ipaddress.ip_network(f"{address}/{bits}", strict=False)
        )
    ),
    address=st.ip_addresses(v=6),
    brackets=st.booleans(),
)
def test_an_ipv6_cidr_entry_matches_exactly_the_addresses_inside(
    network: ipaddress.IPv6Network, address: ipaddress.IPv6Address, brackets: bool
) -> None:
    host = f"[{address}]" if brackets else str(address)

    assert bypasses_proxy(parse_no_proxy(str(network)), host, 443) is (address in network)


_entries = st.sampled_from(
    ["example.com", ".example.com", "*.example.com", "*", "10.0.0.0/8", "fd00::/8", "a.b:8443"]
) | st.text(",. *:/[]0123456789abcdef", max_size=12)
_targets = st.sampled_from(
    ["example.com", "api.example.com", "a.b", "10.1.2.3", "[fd00::5]", "badexample.com"]
)


@settings(max_examples=300)
@given(
    first=st.lists(_entries, max_size=3),
    second=st.lists(_entries, max_size=3),
    host=_targets,
    port=st.sampled_from([80, 443, 8443]),
)
def test_a_list_bypasses_a_host_when_any_part_of_it_does(
    first: list[str], second: list[str], host: str, port: int
) -> None:
    a, b = ",".join(first), ",".join(second)

    assert bypasses_proxy(parse_no_proxy(f"{a},{b}"), host, port) is (
        bypasses_proxy(parse_no_proxy(a), host, port)
        or bypasses_proxy(parse_no_proxy(b), host, port)
    )
    assert bypasses_proxy(parse_no_proxy(f"{a},{b}".upper()), host.upper(), port) is (
        bypasses_proxy(parse_no_proxy(f"{a},{b}"), host, port)
    )


# --- The environment -------------------------------------------------------------------


def sources(environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Which variable the http and the https proxy came from."""
    found = environment_of(environ)
    return (
        None if found.http is None else found.http.source,
        None if found.https is None else found.https.source,
    )


@pytest.mark.parametrize(
    ("environ", "http_source", "https_source"),
    [
        ({}, None, None),
        ({"https_proxy": "p:1"}, None, "https_proxy"),
        ({"HTTPS_PROXY": "p:1"}, None, "HTTPS_PROXY"),
        ({"http_proxy": "p:1"}, "http_proxy", None),
        ({"HTTP_PROXY": "p:1"}, "HTTP_PROXY", None),
        ({"all_proxy": "p:1"}, "all_proxy", "all_proxy"),
        ({"ALL_PROXY": "p:1"}, "ALL_PROXY", "ALL_PROXY"),
        # lower case wins over upper case
        ({"https_proxy": "p:1", "HTTPS_PROXY": "p:2"}, None, "https_proxy"),
        ({"http_proxy": "p:1", "HTTP_PROXY": "p:2"}, "http_proxy", None),
        ({"all_proxy": "p:1", "ALL_PROXY": "p:2"}, "all_proxy", "all_proxy"),
        # the scheme's own variable wins over ALL_PROXY, in either case
        ({"HTTPS_PROXY": "p:1", "all_proxy": "p:2"}, "all_proxy", "HTTPS_PROXY"),
        ({"HTTP_PROXY": "p:1", "all_proxy": "p:2"}, "HTTP_PROXY", "all_proxy"),
        # an empty (or blank) value counts as unset: the next name is read
        ({"https_proxy": "", "HTTPS_PROXY": "p:2"}, None, "HTTPS_PROXY"),
        ({"https_proxy": "  ", "HTTPS_PROXY": ""}, None, None),
        ({"http_proxy": "", "ALL_PROXY": "p:2"}, "ALL_PROXY", "ALL_PROXY"),
        ({"HTTPS_PROXY": "", "all_proxy": "", "ALL_PROXY": "p:3"}, "ALL_PROXY", "ALL_PROXY"),
        # httpoxy: under CGI (REQUEST_METHOD set) upper-case HTTP_PROXY is ignored
        ({"HTTP_PROXY": "p:1", "REQUEST_METHOD": "GET"}, None, None),
        ({"HTTP_PROXY": "p:1", "REQUEST_METHOD": ""}, None, None),
        (
            {"HTTP_PROXY": "p:1", "ALL_PROXY": "p:2", "REQUEST_METHOD": "GET"},
            "ALL_PROXY",
            "ALL_PROXY",
        ),
        ({"http_proxy": "p:1", "REQUEST_METHOD": "GET"}, "http_proxy", None),
        ({"HTTPS_PROXY": "p:1", "REQUEST_METHOD": "GET"}, None, "HTTPS_PROXY"),
        # other names do not count
        ({"Https_Proxy": "p:1", "HTTP_proxy": "p:2", "proxy": "p:3"}, None, None),
    ],
)
def test_the_environment_is_read_in_curl_and_requests_order(
    environ: dict[str, str], http_source: str | None, https_source: str | None
) -> None:
    assert sources(environ) == (http_source, https_source)


_values = st.none() | st.sampled_from(["", " ", "proxy.corp:3128"])


@settings(max_examples=300)
@given(
    values=st.fixed_dictionaries(
        {name: _values for name in {*HTTPS_PROXY_VARIABLES, *HTTP_PROXY_VARIABLES}}
    ),
    cgi=st.booleans(),
)
def test_the_first_variable_set_in_order_is_the_one_used(
    values: dict[str, str | None], cgi: bool
) -> None:
    environ = {name: value for name, value in values.items() if value is not None}
    if cgi:
        environ["REQUEST_METHOD"] = "POST"
    http_order = [n for n in HTTP_PROXY_VARIABLES if not (cgi and n == "HTTP_PROXY")]

    def first(order: list[str] | tuple[str, ...]) -> str | None:
        return next((n for n in order if environ.get(n, "").strip()), None)

    assert sources(environ) == (first(http_order), first(HTTPS_PROXY_VARIABLES))


def test_the_values_are_parsed_with_their_variable_as_source() -> None:
    found = environment_of(
        {"HTTPS_PROXY": "https://alice:s3cret@secure.corp", "http_proxy": "plain.corp:3128"}
    )

    assert found.https == ProxyURL("https", "secure.corp", 443, "alice", "s3cret", "HTTPS_PROXY")
    assert found.http == ProxyURL("http", "plain.corp", 3128, None, None, "http_proxy")
    assert found.no_proxy == NoProxy()


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HTTPS_PROXY": "socks5://p:1080"}, "HTTPS_PROXY"),
        ({"https_proxy": "http://p:0"}, "https_proxy"),
        ({"http_proxy": "ftp://p"}, "http_proxy"),
        ({"HTTP_PROXY": "http://alice:s3cret@"}, "HTTP_PROXY"),
        ({"all_proxy": "http://[fd00::1"}, "all_proxy"),
        ({"ALL_PROXY": "socks4://p"}, "ALL_PROXY"),
        # the https variable is reported first
        ({"https_proxy": "http://p:0", "http_proxy": "ftp://p"}, "https_proxy"),
    ],
)
def test_a_bad_value_is_a_failure_naming_its_variable(
    environ: dict[str, str], variable: str
) -> None:
    message = failure_of(proxies_from_environment(environ))

    assert message.startswith(f"{variable}: ")
    assert "s3cret" not in message


@pytest.mark.parametrize(
    "environ",
    [
        {"https_proxy": "good:1", "HTTPS_PROXY": "socks5://bad", "http_proxy": "good:2"},
        {"http_proxy": "good:1", "https_proxy": "good:2", "ALL_PROXY": "ftp://bad"},
        {"HTTP_PROXY": "socks5://bad", "REQUEST_METHOD": "GET"},
    ],
)
def test_a_bad_value_no_request_can_reach_is_not_read(environ: dict[str, str]) -> None:
    environment_of(environ)


@pytest.mark.parametrize(
    ("environ", "bypassed"),
    [
        ({"no_proxy": "example.com"}, True),
        ({"NO_PROXY": "example.com"}, True),
        ({"no_proxy": "other.test", "NO_PROXY": "example.com"}, False),
        ({"no_proxy": "", "NO_PROXY": "example.com"}, True),
        ({"no_proxy": " ", "NO_PROXY": "example.com"}, True),
        ({}, False),
    ],
)
def test_no_proxy_is_read_lower_case_first(environ: dict[str, str], bypassed: bool) -> None:
    found = environment_of(environ)

    assert bypasses_proxy(found.no_proxy, "api.example.com", 443) is bypassed


# --- Choosing a proxy ------------------------------------------------------------------

EXPLICIT = ProxyURL("http", "explicit.corp", 3128, "alice", "s3cret", "proxy_url")
ENVIRONMENT = environment_of(
    {
        "HTTPS_PROXY": "https://secure.corp:8443",
        "HTTP_PROXY": "plain.corp:3128",
        "NO_PROXY": "internal.test,10.0.0.0/8,ports.test:8443",
    }
)


@pytest.mark.parametrize(
    ("scheme", "host", "port", "proxy_url", "environment", "chosen"),
    [
        # the environment's proxy per scheme, unless NO_PROXY bypasses the host
        ("https", "api.superstaq.test", 443, None, ENVIRONMENT, "HTTPS_PROXY"),
        ("HTTPS", "api.superstaq.test", 443, None, ENVIRONMENT, "HTTPS_PROXY"),
        ("http", "api.superstaq.test", 80, None, ENVIRONMENT, "HTTP_PROXY"),
        ("https", "api.internal.test", 443, None, ENVIRONMENT, None),
        ("http", "10.9.8.7", 80, None, ENVIRONMENT, None),
        ("https", "ports.test", 8443, None, ENVIRONMENT, None),
        ("https", "ports.test", 443, None, ENVIRONMENT, "HTTPS_PROXY"),
        ("ftp", "api.superstaq.test", 21, None, ENVIRONMENT, None),
        # no environment (trust_env=False) and no proxy_url: direct
        ("https", "api.superstaq.test", 443, None, None, None),
        # an explicit proxy_url serves every non-loopback host, NO_PROXY or not
        ("https", "api.superstaq.test", 443, EXPLICIT, None, "proxy_url"),
        ("http", "api.superstaq.test", 80, EXPLICIT, ENVIRONMENT, "proxy_url"),
        ("https", "api.internal.test", 443, EXPLICIT, ENVIRONMENT, "proxy_url"),
        ("https", "10.9.8.7", 443, EXPLICIT, ENVIRONMENT, "proxy_url"),
        # loopback never goes through a proxy
        ("https", "localhost", 443, EXPLICIT, ENVIRONMENT, None),
        ("http", "127.0.0.1", 8080, None, ENVIRONMENT, None),
        ("https", "[::1]", 443, EXPLICIT, None, None),
        ("http", "LOCALHOST", 80, None, ENVIRONMENT, None),
        # ... but a name that only starts like it does
        ("https", "localhost.example", 443, None, ENVIRONMENT, "HTTPS_PROXY"),
    ],
)
def test_choose_proxy(
    scheme: str,
    host: str,
    port: int,
    proxy_url: ProxyURL | None,
    environment: EnvironmentProxies | None,
    chosen: str | None,
) -> None:
    proxy = choose_proxy(scheme, host, port, proxy_url=proxy_url, environment=environment)

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
    port=_ports,
    explicit=st.booleans(),
    no_proxy=st.sampled_from(["", "*", "localhost", "example.com"]),
)
def test_a_loopback_host_is_never_proxied(
    scheme: str, host: str, port: int, explicit: bool, no_proxy: str
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
