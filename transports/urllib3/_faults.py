"""Shell: the one table from what urllib3 and the standard library raise to `TransportError`.

urllib3 wraps the exceptions of `http.client`, `ssl` and `socket` in its own; `fault` looks
over the whole chain, most specific first (as httpx maps httpcore's exceptions), and says
what happened in words, naming the peer and how far the request got (`_deadline.Call`). The
kind comes from the exception's type and its structured fields (`errno`, `ssl.SSLError`'s
`reason` and `verify_code`), never from its words, with one exception: http.client reports
a proxy's refusal of a tunnel only in words (`tunnel_status` reads them, and nothing else
does). No message quotes a header value or a byte of the reply: a hostile server may echo
the API key back. A request past its deadline is a "timeout" whatever was raised, or a
"connect" fault when no connection (or tunnel) was made by then: nothing of it was sent. A
host name without an address is a "resolve" fault naming it; a failed certificate check
names the CA certificates trusted and who named them; a connection that NO_PROXY made
direct says so.
"""

from __future__ import annotations

import errno
import http
import http.client
import os
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import urllib3
from urllib3.exceptions import DecodeError, InvalidChunkLength, InvalidHeader, ProtocolError

from transports._types import TransportError, TransportErrorKind
from transports.urllib3._deadline import Call, Phase

__all__ = [
    "NETWORK_ERRORS",
    "MalformedReplyError",
    "TooLargeError",
    "UnknownCodingError",
    "fault",
    "tunnel_status",
]

#: A proxy's refusal of a tunnel, as http.client words it ("Tunnel connection failed: 407
#: Proxy Authentication Required"; urllib3 copies the words where it backports the tunnel).
_TUNNEL_REFUSED: Final = re.compile(r"Tunnel connection failed: ([0-9]{3})\b")


class TooLargeError(Exception):
    """The reply body passed the bound; the message says by how much it was known to be."""


class MalformedReplyError(Exception):
    """The reply breaks HTTP/1.1 framing in a way urllib3 lets through; the message says how."""


class UnknownCodingError(Exception):
    """The reply's Content-Encoding names a coding urllib3 does not decode (it would pass the
    bytes on as they are); the message names it, as a message may show it, and what was
    asked for."""


#: What a network fault can raise out of urllib3 or the body read (anything else is a bug,
#: and raises).
NETWORK_ERRORS: Final = (
    urllib3.exceptions.HTTPError,
    OSError,
    http.client.HTTPException,
    TooLargeError,
    MalformedReplyError,
    UnknownCodingError,
)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception urllib3 wrapped inside it (causes, contexts, arguments)."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending and len(found) < 16:
        current = pending.pop(0)
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        pending += [current.__cause__, current.__context__]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    return found


@dataclass(frozen=True, slots=True)
class _Seen:
    """What a fault message may say: where the request was, and about whom."""

    call: Call
    seconds: str  # the request's timeout, as written in messages
    trusted: str  # the CA certificates trusted, and where they were named

    @property
    def host(self) -> str:
        """The host name the fault was with: the proxy's while talking to it, else the URL's."""
        call = self.call
        if call.at_proxy and call.proxy is not None:
            return call.proxy.host
        return call.host

    @property
    def peer(self) -> str:
        """The host the fault was with: the proxy while talking to it, else the target."""
        call = self.call
        if call.at_proxy and call.proxy is not None:
            return f"the proxy {call.proxy.where()}"
        return call.target

    @property
    def got(self) -> str:
        """Body bytes received so far, with " of N" when a length was announced."""
        call = self.call
        of = f" of {call.announced}" if call.announced is not None else ""
        return f"{call.received}{of}"


def _timed_out(seen: _Seen, phase: Phase) -> str:
    call = seen.call
    through = f" through the proxy {call.proxy.where()}" if call.proxy is not None else ""
    if phase == "connect":
        return f"no connection to {call.target}{through} within {seen.seconds}"
    if phase == "send":
        return f"could not send the request to {call.target} in {seen.seconds}"
    if phase == "head":
        return f"no complete reply headers from {call.target} within {seen.seconds}"
    return f"reply body not complete within {seen.seconds} ({seen.got} bytes received)"


def tunnel_status(refusal: OSError) -> int | None:
    """The status a proxy refused a tunnel with, read from http.client's words (the one
    place this module reads an exception's words); None if they are not what it wrote."""
    match = _TUNNEL_REFUSED.search(str(refusal))
    return None if match is None else int(match.group(1))


def _tunnel_refused(causes: list[BaseException], seen: _Seen) -> TransportError | None:
    """The proxy's refusal of the tunnel, if that is what happened: http.client raises a
    bare `OSError` (no errno: nothing failed on the socket) when the proxy answers CONNECT
    with anything but 200."""
    call = seen.call
    refusal = next((c for c in causes if type(c) is OSError and c.errno is None), None)
    if refusal is None or call.proxy is None:
        return None
    refused = f"the proxy {call.proxy.where()} refused the tunnel to {call.target}"
    code = tunnel_status(refusal)
    if code is None:  # http.client words it otherwise now: still a refusal, said plainly
        return TransportError("proxy", f"{refused} (its status could not be read)")
    try:
        reason = http.HTTPStatus(code).phrase
    except ValueError:
        reason = "an unknown status"
    # A proxy that cannot reach the target (5xx) may manage later; a refusal will not.
    kind: TransportErrorKind = "connect" if code >= 500 else "proxy"
    return TransportError(kind, f"{refused}: {code} {reason}")


#: What the resolver's answers mean, in words (getaddrinfo's EAI_* codes; the others are
#: said as "no address was found").
_RESOLVER_ANSWERS: Final = {
    socket.EAI_NONAME: "no such host is known",
    socket.EAI_AGAIN: "the resolver did not answer (a temporary failure)",
}


def _not_resolved(exc: BaseException, seen: _Seen) -> TransportError:
    """No address for the host name: final, unlike a connection that failed (a typo in a
    host does not mend itself; requests does not retry it either)."""
    answer = "no address was found"
    if isinstance(exc, OSError) and exc.errno in _RESOLVER_ANSWERS:
        answer = _RESOLVER_ANSWERS[exc.errno]
    whose = f" of {seen.peer}" if seen.call.at_proxy else ""
    return TransportError(
        "resolve", f"could not resolve the host name {seen.host!r}{whose}: {answer}"
    )


def _connect_failed(exc: BaseException, seen: _Seen) -> TransportError:
    code = exc.errno if isinstance(exc, OSError) else None
    peer = seen.peer
    if code == errno.ECONNREFUSED:
        return TransportError("connect", f"connection refused by {peer}")
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return TransportError("connect", f"{peer} is unreachable")
    reason = os.strerror(code) if code is not None else "no connection could be made"
    return TransportError("connect", f"could not connect to {peer}: {reason}")


#: OpenSSL's certificate verification results (X509_V_ERR_* codes, stable across
#: versions), in words; any other is given as OpenSSL words it.
_NOT_TRUSTED: Final = "it is not signed by a CA this transport trusts"
_VERIFY_RESULTS: Final = {
    2: _NOT_TRUSTED,  # unable to get issuer certificate
    9: "it is not valid yet",
    10: "it has expired",
    18: _NOT_TRUSTED,  # self-signed
    19: _NOT_TRUSTED,  # self-signed certificate in the chain
    20: _NOT_TRUSTED,  # unable to get the local issuer certificate
    21: _NOT_TRUSTED,  # unable to verify the first certificate
}
#: X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NOT_FOR_HOST: Final = frozenset({62, 64})


def _tls_failed(exc: BaseException, seen: _Seen) -> TransportError:
    """A TLS failure while connecting is final ("tls"); after it, the connection broke. The
    message says which CA certificates were trusted, and who named them."""
    assert isinstance(exc, ssl.SSLError)
    if seen.call.phase != "connect":
        return _broken(exc, seen)
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        if code in _NOT_FOR_HOST:
            why = f"it is not for {seen.host!r}"
        else:
            why = _VERIFY_RESULTS.get(code, str(exc.verify_message))
        detail = f"certificate verify failed: {why}"
    elif exc.reason:
        detail = str(exc.reason).lower().replace("_", " ")
    else:
        detail = "handshake failed"
    return TransportError("tls", f"TLS with {seen.peer} failed: {detail} (trusted: {seen.trusted})")


def _closed(exc: BaseException, seen: _Seen) -> TransportError:
    """The peer closed the connection (FIN, or TLS ended without close_notify)."""
    call, peer = seen.call, seen.peer
    if call.phase == "connect":
        during = "the TLS handshake" if isinstance(exc, ssl.SSLError) else "connecting"
        return TransportError("connect", f"{peer} closed the connection during {during}")
    if call.phase == "send":
        return TransportError(
            "protocol", f"{peer} closed the connection before the whole request was sent"
        )
    if call.phase == "head":
        return TransportError("protocol", f"{peer} closed the connection without a reply")
    if isinstance(exc, ssl.SSLEOFError):
        # How much of it came is not known: the TLS layer drops what it read with the fault.
        return TransportError(
            "protocol",
            f"{peer} closed the TLS connection without close_notify during the body: it may "
            "be cut short",
        )
    return TransportError("protocol", f"connection closed after {seen.got} body bytes")


def _reset(exc: BaseException, seen: _Seen) -> TransportError:
    call, peer = seen.call, seen.peer
    if call.phase == "connect":
        return TransportError("connect", f"connection reset by {peer} while connecting")
    if call.phase == "send":
        return TransportError(
            "protocol", f"{peer} closed the connection before the whole request was sent"
        )
    if call.phase == "head":
        return TransportError("protocol", f"connection reset by {peer} before the reply headers")
    return TransportError("protocol", f"connection reset by {peer} after {seen.got} body bytes")


def _cut_short(exc: BaseException, seen: _Seen) -> TransportError:
    """The body ended before its length or last chunk (urllib3 counts what it read)."""
    call = seen.call
    if isinstance(exc, InvalidChunkLength):
        if exc.length:
            return TransportError(
                "protocol",
                f"malformed reply body from {seen.peer} after {call.received} bytes "
                "(an invalid chunk size)",
            )
        return TransportError(
            "protocol", f"connection closed after {call.received} body bytes, before the last chunk"
        )
    partial = getattr(exc, "partial", None)
    if isinstance(partial, int) and call.announced is not None:
        call.received = max(call.received, partial)
    if call.announced is None:
        return TransportError(
            "protocol", f"connection closed after {seen.got} body bytes, before the last chunk"
        )
    return TransportError("protocol", f"connection closed after {seen.got} body bytes")


def _malformed(what: str) -> Callable[[BaseException, _Seen], TransportError]:
    def describe(exc: BaseException, seen: _Seen) -> TransportError:
        return TransportError("protocol", f"malformed reply from {seen.peer} ({what})")

    return describe


def _unknown_coding(exc: BaseException, seen: _Seen) -> TransportError:
    return TransportError(
        "protocol",
        f"the reply from {seen.peer} is in a Content-Encoding this transport cannot decode: {exc}",
    )


def _undecodable(exc: BaseException, seen: _Seen) -> TransportError:
    return TransportError(
        "protocol", f"the reply body from {seen.peer} could not be decoded after {seen.got} bytes"
    )


def _broken(exc: BaseException, seen: _Seen) -> TransportError:
    call, peer = seen.call, seen.peer
    if call.phase == "connect":
        return _connect_failed(exc, seen)
    if call.phase == "body":
        return TransportError("protocol", f"connection to {peer} broke after {seen.got} body bytes")
    return TransportError("protocol", f"connection to {peer} failed before the reply headers")


#: The one table from what urllib3 and the standard library raise to a `TransportError`,
#: looked up over the whole chain of the exception (urllib3 wraps the original), most
#: specific first (as httpx maps httpcore's exceptions). A request past its deadline is a
#: "timeout" (or "connect", before any connection) whatever was raised; a tunnel the proxy
#: refused is looked for before this.
_Describe = Callable[[BaseException, _Seen], TransportError]

_FAULTS: tuple[tuple[type[BaseException], _Describe], ...] = (
    (TooLargeError, lambda exc, seen: TransportError("too_large", str(exc))),
    (MalformedReplyError, lambda exc, seen: _malformed(str(exc))(exc, seen)),
    (UnknownCodingError, _unknown_coding),
    (socket.gaierror, _not_resolved),
    (ConnectionRefusedError, _connect_failed),
    (http.client.RemoteDisconnected, _closed),
    (ssl.SSLEOFError, _closed),
    (ssl.SSLZeroReturnError, _closed),
    (ConnectionResetError, _reset),
    (BrokenPipeError, _reset),
    (ssl.SSLCertVerificationError, _tls_failed),
    (http.client.UnknownProtocol, _malformed("not HTTP/1.x")),
    (http.client.LineTooLong, _malformed("a header line is too long")),
    (http.client.BadStatusLine, _malformed("an invalid status line")),
    (InvalidHeader, _malformed("conflicting Content-Length values")),
    (InvalidChunkLength, _cut_short),
    (http.client.IncompleteRead, _cut_short),
    (DecodeError, _undecodable),
    (ssl.SSLError, _tls_failed),
    (http.client.HTTPException, _malformed("an invalid reply head")),
    (OSError, _broken),
    (ProtocolError, _cut_short),  # "Response ended prematurely": chunks cut short
)


def fault(exc: Exception, call: Call, timeout: float, trusted: str) -> TransportError:
    """Maps one exception from urllib3 (or the body read) to a `TransportError`; on a
    connection that NO_PROXY made direct, the message ends by saying so.

    Args:
        exc: What was raised.
        call: The request, and how far it got.
        timeout: The request's timeout, for messages.
        trusted: The CA certificates trusted and who named them (e.g. "ca_certs '/ca.pem'"),
            for TLS failures.
    """
    error = _fault(exc, _Seen(call, f"{timeout:g} s", trusted))
    if call.bypass is None:
        return error
    return TransportError(error.kind, f"{error.message} (direct: {call.bypass.describe()})")


def _fault(exc: Exception, seen: _Seen) -> TransportError:
    call = seen.call
    causes = _causes(exc)
    # Every wait is bounded by the time left, so a socket timeout means the deadline came.
    if (
        call.expired
        or time.monotonic() >= call.deadline
        or any(isinstance(cause, TimeoutError) for cause in causes)
    ):
        phase = call.expired_in or call.phase
        # No connection (to the host, through the proxy) was made in time: nothing of the
        # request was sent, which is what "connect" says (a submission may be retried).
        late: TransportErrorKind = "connect" if phase == "connect" else "timeout"
        return TransportError(late, _timed_out(seen, phase))
    if call.phase == "connect" and call.at_proxy:
        refused = _tunnel_refused(causes, seen)
        if refused is not None:
            return refused
    if call.phase == "head" and _alert_before_reply(causes):
        return TransportError("tls", f"TLS with {seen.peer} failed: refused by the server")
    for raised, describe in _FAULTS:
        for cause in causes:
            if isinstance(cause, raised):
                return describe(cause, seen)
    return _broken(exc, seen)


#: OpenSSL's reason codes for an alert the peer sent (SSL_R_SSLV3_ALERT_*, SSL_R_TLSV1_ALERT_*,
#: SSL_R_TLSV13_ALERT_*), as `ssl.SSLError.reason` names them.
_ALERT_RECEIVED: Final = re.compile(r"(SSLV3|TLSV1|TLSV13)_ALERT_[A-Z0-9_]+")


def _alert_before_reply(causes: list[BaseException]) -> bool:
    """Whether the server ended TLS with an alert before any reply: under TLS 1.3 it checks
    a client certificate only after the client's handshake is done, so a refusal comes then.
    """
    return any(
        isinstance(cause, ssl.SSLError)
        and isinstance(cause.reason, str)
        and _ALERT_RECEIVED.fullmatch(cause.reason) is not None
        for cause in causes
    )
