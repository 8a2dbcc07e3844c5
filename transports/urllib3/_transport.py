"""Shell: `Urllib3Transport`, the default transport: urllib3's pools speak the HTTP.

urllib3 does the HTTP: `PoolManager` (direct) and `ProxyManager` (through a proxy) connect,
verify TLS, tunnel https through a proxy with CONNECT, frame HTTP/1.1, keep connections
alive, load the CA bundle and decode gzip and deflate bodies. This module adds only what
urllib3 lacks, through its public surface alone (no private name of urllib3 is read,
called or overridden):

- One deadline for the whole request (`transports.urllib3._deadline`, with one watchdog
  thread per transport): urllib3's timeouts are per socket operation, so a server that
  trickles bytes could hold a request forever. (The address lookup is not bounded.)
- A bound on the decoded body, counted while streaming, so a small compressed reply that
  inflates past `max_body_bytes` is refused without being inflated whole; and a body in a
  content coding urllib3 does not decode is refused, not handed on still encoded.
- Proxies and a CA bundle from the environment, read when the transport is made, by the
  rules in `transports._proxy` (requests' own): https goes through an http or https proxy
  by CONNECT, so the proxy never sees the API key; proxy credentials become
  `Proxy-Authorization` (urllib3's `make_headers`) for the proxy alone, and urllib3 is
  never given them inside a URL.
- Checks that refuse what could be misread or leak (`transports.urllib3._request_checks`):
  an ambiguous host, user info in a URL, a header value that would end its line, a framing
  header from the caller.
- One table from urllib3's and the standard library's exceptions to `TransportError` kinds
  (`transports.urllib3._faults`), whose messages quote no header value or reply byte.

TLS is always verified (`CERT_REQUIRED`, host names checked; `transports.urllib3._tls`) and
has no off switch; a body that ends when the connection closes counts as whole only after
TLS's close_notify. No retries and no redirects: a 3xx comes back as a `Response`, so no
credential header follows one; retry policy lives in the client above.
"""

from __future__ import annotations

import math
import os
import re
import ssl
import threading
import time
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import Final, TypedDict

import urllib3
from returns.result import Failure, Result, Success
from urllib3.connection import HTTPConnection
from urllib3.util import make_headers

from transports._no_proxy import Bypass
from transports._proxy import (
    EnvironmentProxies,
    ProxyURL,
    ca_bundle_from_environment,
    choose_proxy,
    parse_proxy_url,
    proxies_from_environment,
)
from transports._types import CREDENTIAL_HEADERS, Request, Response, TransportError
from transports.urllib3._deadline import POOL_CLASSES, Call, UntilTheDeadline, in_flight
from transports.urllib3._faults import (
    NETWORK_ERRORS,
    MalformedReplyError,
    TooLargeError,
    UnknownCodingError,
    fault,
)
from transports.urllib3._request_checks import request_problem, target_of
from transports.urllib3._tls import check_ca_bundle, host_context
from transports.urllib3._watchdog import Watch, Watchdog

__all__ = ["Urllib3Transport"]

#: Decoded bytes asked for per read while streaming a body. A body is refused at most this
#: far past its bound, and no more than this is ever inflated at once.
_CHUNK_BYTES: Final = 64 * 1024

#: What the transport asks for; urllib3 decodes both.
_ACCEPT_ENCODING: Final = "gzip, deflate"

#: The content codings urllib3 decodes here (gzip and deflate always; br and zstd when
#: their modules are installed). It passes any other on undecoded ("identity": rightly).
_DECODED: Final = frozenset(
    coding.lower() for coding in urllib3.response.BaseHTTPResponse.CONTENT_DECODERS
)

#: A Content-Length urllib3 reads the way we do: digits, copies joined by commas.
_LENGTH: Final = re.compile(r"[0-9]{1,18}(?:[ \t]*,[ \t]*[0-9]{1,18})*")

#: A content coding as a message may quote it: an HTTP token, not too long.
_SHOWN_CODING: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]{1,32}")

#: The socket options of every connection: urllib3's default, read afresh for each address.
_SOCKET_OPTIONS: Final = UntilTheDeadline(HTTPConnection.default_socket_options)


# --- The transport ------------------------------------------------------------------------


class _PoolSettings(TypedDict):
    """What every pool of the transport is made with (urllib3's pool keyword arguments)."""

    maxsize: int
    block: bool
    retries: bool
    cert_reqs: str
    ca_certs: str | None
    ca_cert_dir: str | None
    ssl_context: ssl.SSLContext
    socket_options: list[tuple[int, int, int | bytes]]


class Urllib3Transport:
    """Sends requests over real HTTP/1.1 with urllib3: pooled, verified, proxied, bounded.

    Thread-safe: one transport may serve many threads. It starts one thread of its own, the
    watchdog that ends requests at their deadlines, with its first request; use it as a
    context manager, or call `close()`, to drop its connections and end that thread.

    Example:
        >>> with Urllib3Transport(proxy_url="http://proxy.example:3128") as transport:
        ...     result = transport.send(Request("GET", url, {}, None, timeout=5.0))
    """

    def __init__(
        self,
        *,
        ca_certs: str | os.PathLike[str] | None = None,
        max_body_bytes: int = 64 * 2**20,
        pool_maxsize: int = 10,
        proxy_url: str | None = None,
        trust_env: bool = True,
    ) -> None:
        """Reads the proxy and CA settings and makes urllib3's pools (no connection yet).

        Args:
            ca_certs: A PEM file of CA certificates, or a directory of them named by
                subject hash (`openssl rehash`), to trust instead of the system store.
            max_body_bytes: The largest reply body accepted, counted after decoding; a
                larger one is refused with a `TransportError` of kind "too_large".
            pool_maxsize: How many keep-alive connections to keep per host.
            proxy_url: An http:// or https:// proxy for every host that is not loopback,
                credentials (if any) in its user info.
            trust_env: Read `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` as
                requests reads them (any case; `transports._proxy`) when `proxy_url` is
                None, and `REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE`, when `ca_certs` is
                None. Read once, here.

        Raises:
            ValueError: A CA bundle (argument or variable) names nothing, a file with no
                certificate or a directory with no hashed certificate; a proxy URL
                (argument or variable) is malformed or of a scheme urllib3 cannot use
                without an extra package (`socks5://`); or
                `max_body_bytes`/`pool_maxsize` is out of range. The message names the
                argument or variable, never a password.
        """
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be >= 0, not {max_body_bytes}")
        if pool_maxsize < 1:
            raise ValueError(f"pool_maxsize must be >= 1, not {pool_maxsize}")
        environ: Mapping[str, str] = os.environ if trust_env else {}
        self._max_body_bytes = max_body_bytes
        self._ca_certs, self._ca_source = _ca_bundle(ca_certs, environ)
        self._trusted = _trusted(self._ca_certs, self._ca_source)
        self._proxy = None if proxy_url is None else _proxy_or_raise(proxy_url, "proxy_url")
        self._environment: EnvironmentProxies | None = None
        if trust_env and proxy_url is None:
            found = proxies_from_environment(environ)
            if isinstance(found, Failure):
                raise ValueError(found.failure())
            self._environment = found.unwrap()
        # urllib3's ca_certs (a PEM file) or ca_cert_dir (a hashed directory): it loads them.
        self._ca_file: str | None = None
        self._ca_dir: str | None = None
        if self._ca_certs is not None:
            if check_ca_bundle(self._ca_certs, self._ca_source):
                self._ca_dir = self._ca_certs
            else:
                self._ca_file = self._ca_certs
        self._context = host_context(system_store=self._ca_certs is None)
        self._pool_maxsize = pool_maxsize
        self._watchdog = Watchdog("transports.urllib3 deadline watchdog")
        weakref.finalize(self, self._watchdog.stop)  # its thread holds no transport
        self._lock = threading.Lock()
        self._closed = False
        self._direct = self._manager(None)
        self._proxied: dict[ProxyURL, urllib3.PoolManager] = {}
        # Not closed, the transport's connections close when it is collected: urllib3's
        # pools close theirs then.

    def _manager(self, proxy: ProxyURL | None) -> urllib3.PoolManager:
        """A pool manager for direct connections, or for connections through `proxy`."""
        settings = _PoolSettings(
            maxsize=self._pool_maxsize,
            block=False,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=self._ca_file,
            ca_cert_dir=self._ca_dir,
            ssl_context=self._context,  # for the API's host; a proxy's TLS gets urllib3's own
            socket_options=_SOCKET_OPTIONS,
        )
        manager: urllib3.PoolManager
        if proxy is None:
            manager = urllib3.PoolManager(**settings)
        else:
            manager = urllib3.ProxyManager(
                proxy.url(),  # no credentials: they go in Proxy-Authorization, to it alone
                proxy_headers=_proxy_authorization(proxy),
                **settings,
            )
        manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    def __repr__(self) -> str:
        parts = [f"ca_certs={self._ca_certs!r}"]
        if self._ca_source not in ("ca_certs", "system"):
            parts[0] += f" (from {self._ca_source})"
        parts.append(f"max_body_bytes={self._max_body_bytes}")
        if self._proxy is not None:
            parts.append(f"proxy_url={self._proxy.url()!r}")
        elif self._environment is not None:
            for proxy in self._environment.proxies.values():
                parts.append(f"proxy={proxy.url()!r} (from {proxy.source})")
        return f"Urllib3Transport({', '.join(parts)})"

    def __enter__(self) -> Urllib3Transport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes every pooled connection; later requests fail with kind "refused". (The
        watchdog's thread ends once no request is in flight.)"""
        with self._lock:
            self._closed = True
            managers = [self._direct, *self._proxied.values()]
        for manager in managers:
            manager.clear()
        self._watchdog.stop()

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` and reads the whole reply, within `request.timeout` seconds (save the
        address lookup, which the system resolver does unbounded).

        Never raises for a network fault, and never follows a redirect.

        Args:
            request: The request; its `timeout` is the budget for all of it.

        Returns:
            `Success(Response)` for any HTTP reply, 3xx/4xx/5xx included, with the body
            decoded; or `Failure(TransportError)`: "connect", "resolve" (a host name
            without an address), "timeout", "tls", "protocol" (a body in a content coding
            urllib3 does not decode included), "too_large", "proxy" (the proxy refused the
            tunnel), or "refused" (closed transport, bad URL, or a header that cannot be
            sent). On a connection NO_PROXY made direct, the message says so.

        Raises:
            ValueError: `request.timeout` is not a finite number.
        """
        budget = request.timeout
        try:
            finite = math.isfinite(budget)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            shown = f"{budget:g}" if isinstance(budget, float) else "an int too large for a float"
            raise ValueError(f"Request.timeout must be a finite number of seconds, not {shown}")
        target = target_of(request.url)
        if isinstance(target, str):
            return Failure(TransportError("refused", target))
        problem = request_problem(request)
        if problem is not None:
            return Failure(TransportError("refused", problem))
        if budget <= 0:
            return Failure(TransportError("timeout", "no time left to send the request"))
        chosen = choose_proxy(
            target.scheme,
            target.host,
            target.written_port,
            proxy_url=self._proxy,
            environment=self._environment,
        )
        proxy = chosen if isinstance(chosen, ProxyURL) else None
        manager = self._manager_for(proxy)
        if manager is None:
            return Failure(TransportError("refused", "the transport is closed"))
        bypass = chosen if isinstance(chosen, Bypass) else None
        call = Call(time.monotonic() + budget, target.where, target.host, proxy, bypass)
        in_flight.call = call
        watch = self._watchdog.watch(call.deadline, call.expire)
        try:
            return self._exchange(manager, request, call, watch)
        finally:
            if not watch.done:  # released already, unless something raised past it
                self._watchdog.release(watch)
            in_flight.call = None

    def _manager_for(self, proxy: ProxyURL | None) -> urllib3.PoolManager | None:
        with self._lock:
            if self._closed:
                return None
            if proxy is None:
                return self._direct
            manager = self._proxied.get(proxy)
            if manager is None:
                manager = self._proxied[proxy] = self._manager(proxy)
            return manager

    def _exchange(
        self, manager: urllib3.PoolManager, request: Request, call: Call, watch: Watch
    ) -> Result[Response, TransportError]:
        """Sends on one of `manager`'s connections and streams the reply, bounded.

        The watch is released before this method hands the connection back to the pool (the
        watchdog leaves alone a reply whose connection urllib3 handed back itself), and a
        reply the watchdog cut is a timeout even if it seemed to end: a cut reads as an end.
        """
        headers = {**request.headers, "Accept-Encoding": _ACCEPT_ENCODING}
        try:
            left = call.time_left()  # raises TimeoutError if the budget is already spent
            reply = manager.urlopen(
                request.method,
                request.url,
                body=request.body,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(connect=left, read=left),
                preload_content=False,
                decode_content=True,
            )
        except NETWORK_ERRORS as exc:
            self._watchdog.release(watch)
            return Failure(fault(exc, call, request.timeout, self._trusted))
        call.reply, call.phase = reply, "body"
        try:
            try:
                _check_coding(reply, request)
                call.announced = _announced_length(reply, request.method)
                body = self._body(reply, call)
            finally:
                cut = self._watchdog.release(watch)
            if cut:  # the watchdog shut the socket down, and a cut reads as an end
                raise TimeoutError("the request's deadline has passed")
        except NETWORK_ERRORS as exc:
            reply.close()
            return Failure(fault(exc, call, request.timeout, self._trusted))
        finally:
            reply.release_conn()
        # A header sent more than once comes back once, its values joined by ", ".
        return Success(Response(reply.status, dict(reply.headers), body))

    def _body(self, reply: urllib3.BaseHTTPResponse, call: Call) -> bytes:
        """The whole decoded body, refused once it passes `max_body_bytes`."""
        limit = self._max_body_bytes
        if call.announced is not None and call.announced > limit:
            raise TooLargeError(
                f"reply body of {call.announced} bytes (announced) exceeds the {limit}-byte limit"
            )
        out = bytearray()
        for chunk in reply.stream(_CHUNK_BYTES, decode_content=True):
            call.received += len(chunk)
            if call.received > limit:
                raise TooLargeError(f"reply body exceeds the {limit}-byte limit")
            out += chunk
        return bytes(out)


def _check_coding(reply: urllib3.BaseHTTPResponse, request: Request) -> None:
    """Raises `UnknownCodingError` when the reply's body is in a content coding urllib3 does
    not decode: it would hand the encoded bytes on as if they were the body.

    As urllib3 reads the header: a single coding as written (so " gzip " is none it knows),
    a list by its stripped items. A coding is named in the message only when it reads as a
    short token holding no credential the request carries (a server may echo the API key).
    """
    if request.method == "HEAD" or reply.status in (204, 304):
        return
    written = reply.headers.get("Content-Encoding", "").lower()
    codings = [item.strip() for item in written.split(",")] if "," in written else [written]
    unknown = [
        coding
        for coding in codings
        if coding.strip() not in ("", "identity") and coding not in _DECODED
    ]
    if not unknown:
        return
    secrets = [
        value.lower()
        for name, value in request.headers.items()
        if name.lower() in CREDENTIAL_HEADERS and value
    ]
    shown = [
        repr(coding)
        if _SHOWN_CODING.fullmatch(coding.strip()) and not any(s in coding for s in secrets)
        else "(one not shown)"
        for coding in unknown
    ]
    raise UnknownCodingError(f"{', '.join(shown)} (it asks for {_ACCEPT_ENCODING})")


def _announced_length(reply: urllib3.BaseHTTPResponse, method: str) -> int | None:
    """The Content-Length of an identity-encoded body, checked strictly; None without one.

    urllib3 ignores a Content-Length it cannot read and then reads to the connection's end;
    a length that cannot be trusted is refused instead (it could be an attempt to make one
    reply's bytes read as the next's). A reply that has no body (to HEAD; 204, 304) may
    announce any length: it is the length a GET would have had.
    """
    value = reply.headers.get("Content-Length")
    if value is None or reply.headers.get("Transfer-Encoding") is not None:
        return None
    if method == "HEAD" or reply.status in (204, 304):
        return None
    if _LENGTH.fullmatch(value.strip()) is None:
        raise MalformedReplyError("an invalid Content-Length")
    if reply.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        return None
    return int(value.split(",")[0])


# --- Settings -----------------------------------------------------------------------------


def _ca_bundle(
    ca_certs: str | os.PathLike[str] | None, environ: Mapping[str, str]
) -> tuple[str | None, str]:
    """The CA bundle file to trust and where it was named ("ca_certs", a variable, "system")."""
    if ca_certs is not None:
        return os.fspath(ca_certs), "ca_certs"
    found = ca_bundle_from_environment(environ)
    if found is None:
        return None, "system"
    variable, path = found
    return path, variable


def _trusted(ca_certs: str | None, source: str) -> str:
    """The CA certificates trusted and who named them, for TLS failures: e.g.
    "REQUESTS_CA_BUNDLE '/etc/ca.pem'", or the system store and where OpenSSL looks."""
    if ca_certs is not None:
        return f"{source} {ca_certs!r}"
    paths = ssl.get_default_verify_paths()
    named = [
        f"{variable} {os.environ[variable]!r}"
        for variable in (paths.openssl_cafile_env, paths.openssl_capath_env)
        if os.environ.get(variable)
    ]
    return "the system store" + (f" ({', '.join(named)})" if named else "")


def _proxy_authorization(proxy: ProxyURL) -> dict[str, str] | None:
    """`Proxy-Authorization: Basic ...` for the proxy's credentials (urllib3's
    `make_headers`), or None without any.

    urllib3 encodes them as Latin-1, as requests does. Credentials Latin-1 cannot hold go as
    UTF-8 (RFC 7617 §2.1's one charset, and what curl and browsers send): urllib3 2.6 and
    2.7 have no `proxy_basic_auth_encoding`, so their UTF-8 bytes are handed over as the
    Latin-1 text that encodes back to exactly those bytes.
    """
    auth = proxy.basic_auth()
    if auth is None:
        return None
    try:
        auth.encode("latin-1")
    except UnicodeEncodeError:
        auth = auth.encode("utf-8").decode("latin-1")
    # Spelled as the RFC does (urllib3's key is lower case; the proxy reads either).
    return {"Proxy-Authorization": make_headers(proxy_basic_auth=auth)["proxy-authorization"]}


def _proxy_or_raise(text: str, source: str) -> ProxyURL:
    parsed = parse_proxy_url(text, source)
    if isinstance(parsed, Failure):
        raise ValueError(parsed.failure())
    return parsed.unwrap()
