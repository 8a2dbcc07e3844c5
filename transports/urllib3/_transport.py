"""Shell: `Urllib3Transport`, the default transport: urllib3's pools speak the HTTP.

urllib3 does the HTTP: `PoolManager` (direct) and `ProxyManager` (through a proxy) connect,
verify TLS, tunnel https through a proxy with CONNECT, frame HTTP/1.1, keep connections
alive and decode gzip and deflate bodies. This module adds only what urllib3 lacks:

- One deadline for the whole request (`transports.urllib3._deadline`): urllib3's timeouts are per
  socket operation, so a server that trickles bytes could hold a request forever.
- A bound on the decoded body, counted while streaming, so a small compressed reply that
  inflates past `max_body_bytes` is refused without being inflated whole; and a body in a
  content coding urllib3 does not decode is refused, not handed on still encoded.
- Proxies and a CA bundle from the environment, read when the transport is made, by the
  rules in `transports._proxy` (requests' own): https goes through an http or https proxy
  by CONNECT, so the proxy never sees the API key; proxy credentials become
  `Proxy-Authorization` for the proxy alone and urllib3 is never given them inside a URL.
- Checks that refuse what could be misread or leak (`transports.urllib3._request_checks`): an
  ambiguous host, user info in a URL, a header value that would end its line, a framing
  header from the caller.
- One table from urllib3's and the standard library's exceptions to `TransportError` kinds
  (`transports.urllib3._faults`), whose messages quote no header value or reply byte.

TLS is always verified (`CERT_REQUIRED`, host names checked) and has no off switch. No
retries and no redirects: a 3xx comes back as a `Response`, so no credential header follows
one; retry policy lives in the client above.
"""

from __future__ import annotations

import base64
import math
import os
import re
import ssl
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Final

import urllib3
from returns.result import Failure, Result, Success
from urllib3.util import create_urllib3_context

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
from transports.urllib3._deadline import Call, InFlight, bounded_classes
from transports.urllib3._faults import (
    NETWORK_ERRORS,
    MalformedReplyError,
    TooLargeError,
    UnknownCodingError,
    fault,
)
from transports.urllib3._request_checks import request_problem, target_of

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


# --- The transport ------------------------------------------------------------------------


class Urllib3Transport:
    """Sends requests over real HTTP/1.1 with urllib3: pooled, verified, proxied, bounded.

    Thread-safe: one transport may serve many threads. Use it as a context manager, or call
    `close()`, to drop its connections.

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
        self._in_flight = InFlight()
        self._pools, tls_socket_class = bounded_classes(self._in_flight)
        self._context = _verifying_context(self._ca_certs, self._ca_source)
        self._context.sslsocket_class = tls_socket_class
        self._pool_maxsize = pool_maxsize
        self._lock = threading.Lock()
        self._closed = False
        self._direct = self._manager(None)
        self._proxied: dict[ProxyURL, urllib3.PoolManager] = {}
        # Not closed, the transport's connections close when it is collected: urllib3's
        # pools close theirs then.

    def _manager(self, proxy: ProxyURL | None) -> urllib3.PoolManager:
        """A pool manager for direct connections, or for connections through `proxy`."""
        manager: urllib3.PoolManager
        if proxy is None:
            manager = urllib3.PoolManager(
                maxsize=self._pool_maxsize, block=False, retries=False, ssl_context=self._context
            )
        else:
            manager = urllib3.ProxyManager(
                proxy.url(),  # no credentials: they go in Proxy-Authorization, to it alone
                proxy_headers=_proxy_authorization(proxy),
                proxy_ssl_context=self._context,
                maxsize=self._pool_maxsize,
                block=False,
                retries=False,
                ssl_context=self._context,
            )
        manager.pool_classes_by_scheme = self._pools
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
        """Closes every pooled connection; later requests fail with kind "refused"."""
        with self._lock:
            self._closed = True
            managers = [self._direct, *self._proxied.values()]
        for manager in managers:
            manager.clear()

    def send(self, request: Request) -> Result[Response, TransportError]:
        """Sends `request` and reads the whole reply, within `request.timeout` seconds.

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
        self._in_flight.call = call
        try:
            return self._exchange(manager, request, call)
        finally:
            self._in_flight.call = None

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
        self, manager: urllib3.PoolManager, request: Request, call: Call
    ) -> Result[Response, TransportError]:
        """Sends on one of `manager`'s connections and streams the reply, bounded."""
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
            return Failure(fault(exc, call, request.timeout, self._trusted))
        try:
            call.phase = "body"
            _check_coding(reply, request)
            call.announced = _announced_length(reply, request.method)
            body = self._body(reply, call)
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


#: How OpenSSL names a certificate in a hashed directory: subject hash, index (a CRL's
#: index starts with "r").
_HASHED_NAME = re.compile(r"[0-9a-f]{8}\.[0-9]+")


def _verifying_context(ca_certs: str | None, source: str) -> ssl.SSLContext:
    """A TLS client context that requires a valid certificate for the host name, trusting
    the system store, a PEM bundle file, or a hashed directory of certificates."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.check_hostname = True
    if ca_certs is None:
        context.load_default_certs()  # OpenSSL's store: honours SSL_CERT_FILE, SSL_CERT_DIR
        return context
    if os.path.isdir(ca_certs):  # a c_rehash directory, as requests accepts
        try:
            names = os.listdir(ca_certs)
        except OSError as exc:
            raise ValueError(
                f"{source}: cannot read the CA directory {ca_certs!r} ({exc.strerror})"
            ) from exc
        if not any(_HASHED_NAME.fullmatch(name) for name in names):
            raise ValueError(
                f"{source}: the directory {ca_certs!r} holds no hashed CA certificates "
                "(name.0 files, as `openssl rehash` writes)"
            )
        context.load_verify_locations(capath=ca_certs)  # read lazily, in each handshake
        return context
    if not os.path.isfile(ca_certs):
        raise ValueError(f"{source}: no such CA bundle file or directory: {ca_certs!r}")
    try:
        context.load_verify_locations(cafile=ca_certs)
    except ssl.SSLError as exc:
        raise ValueError(
            f"{source}: {ca_certs!r} holds no usable CA certificate ({exc.reason})"
        ) from exc
    return context


def _proxy_authorization(proxy: ProxyURL) -> dict[str, str] | None:
    """`Proxy-Authorization: Basic ...` for the proxy's credentials, as UTF-8 (RFC 7617
    §2.1: what curl and browsers send for a non-ASCII password), or None without any."""
    auth = proxy.basic_auth()
    if auth is None:
        return None
    return {"Proxy-Authorization": "Basic " + base64.b64encode(auth.encode()).decode("ascii")}


def _proxy_or_raise(text: str, source: str) -> ProxyURL:
    parsed = parse_proxy_url(text, source)
    if isinstance(parsed, Failure):
        raise ValueError(parsed.failure())
    return parsed.unwrap()
