"""Shell: TLS for the transport: urllib3's context with two hooks, and the CA bundle checks.

urllib3 verifies (`CERT_REQUIRED`, host names checked) and loads the CA bundle itself, from
the `ca_certs` or `ca_cert_dir` the pools are given, for every connection it makes. The
context for the API's TLS is urllib3's own (`create_urllib3_context`), with the classes the
standard library lets a context choose for what it wraps (`sslsocket_class`,
`sslobject_class`): when the handshake with the host begins they tell the request in flight
(`transports.urllib3._deadline`) that it now talks to the host, not the proxy, and which
socket is under it; and they never take a bare TCP close for the end of the data. A TCP
close without TLS's close_notify could be a cut; urllib3 wraps with the standard library's
lenient default (`suppress_ragged_eofs=True`), under which a body that ends when the
connection closes would count as whole. Here it counts as whole only after close_notify.
A proxy spoken to over TLS gets a context urllib3 makes itself, from the same CA settings.

`check_ca_bundle` refuses, when the transport is made, a CA bundle that could never work,
naming the argument or variable that named it.
"""

from __future__ import annotations

import os
import re
import ssl
from typing import TYPE_CHECKING, Final

from urllib3.util import create_urllib3_context

from transports.urllib3._deadline import in_flight

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["CutShortError", "check_ca_bundle", "host_context"]


class CutShortError(ConnectionAbortedError):
    """TLS inside a proxy's TLS ended without close_notify: the data may be cut short.

    Raised from the `ssl.SSLEOFError` it stands for, as an error that urllib3's TLS-in-TLS
    layer passes on (it would take the SSLEOFError itself for the end of the data)."""


class _HostTLSSocket(ssl.SSLSocket):
    """A TLS socket to the API's host (directly or through a proxy's tunnel)."""

    #: As `SSLContext.wrap_socket` sets it: whether a bare TCP close reads as the end.
    suppress_ragged_eofs: bool

    def do_handshake(self, block: bool = False) -> None:
        # What wrap_socket(..., suppress_ragged_eofs=False) would have set, before any read.
        self.suppress_ragged_eofs = False
        call = in_flight.call
        if call is not None:
            call.sock = self
            connecting = call.connecting
            # A proxy that forwards plain http, spoken to over TLS, gets this context too.
            if connecting is None or not connecting.proxy_is_forwarding:
                call.at_proxy = False
        super().do_handshake(block)


class _HostTLSObject(ssl.SSLObject):
    """TLS to the API's host inside a proxy's TLS (urllib3 runs it over memory buffers)."""

    def do_handshake(self) -> None:
        call = in_flight.call
        if call is not None and call.at_proxy:
            call.at_proxy = False
            if call.connecting is not None:  # the proxy's TLS socket, which carries it
                call.sock = call.connecting.sock
        super().do_handshake()

    def read(self, len: int = 1024, buffer: WriteableBuffer | None = None) -> bytes:
        try:
            return super().read(len, buffer)
        except ssl.SSLEOFError as exc:
            raise CutShortError("TLS ended without close_notify") from exc


def host_context(*, system_store: bool) -> ssl.SSLContext:
    """urllib3's TLS client context for the API's host, with the classes above; loaded with
    the system store when no CA bundle is given (urllib3 loads a bundle itself)."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.sslsocket_class = _HostTLSSocket
    context.sslobject_class = _HostTLSObject
    if system_store:
        context.load_default_certs()  # OpenSSL's store: honours SSL_CERT_FILE, SSL_CERT_DIR
    return context


#: How OpenSSL names a certificate in a hashed directory: subject hash, index (a CRL's
#: index starts with "r").
_HASHED_NAME: Final = re.compile(r"[0-9a-f]{8}\.[0-9]+")


def check_ca_bundle(path: str, source: str) -> bool:
    """Whether `path` is a directory of hashed certificates (True) or a PEM file of them
    (False), for urllib3's `ca_cert_dir` or `ca_certs`.

    Raises:
        ValueError: `path` names nothing, a file with no certificate, or a directory with
            no hashed certificate; the message starts with `source` (the argument or
            variable that named it).
    """
    if os.path.isdir(path):  # a c_rehash directory, as requests accepts
        try:
            names = os.listdir(path)
        except OSError as exc:
            raise ValueError(
                f"{source}: cannot read the CA directory {path!r} ({exc.strerror})"
            ) from exc
        if not any(_HASHED_NAME.fullmatch(name) for name in names):
            raise ValueError(
                f"{source}: the directory {path!r} holds no hashed CA certificates "
                "(name.0 files, as `openssl rehash` writes)"
            )
        return True
    if not os.path.isfile(path):
        raise ValueError(f"{source}: no such CA bundle file or directory: {path!r}")
    try:  # read once here to refuse it now; urllib3 reads it for each connection it makes
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except ssl.SSLError as exc:
        raise ValueError(
            f"{source}: {path!r} holds no usable CA certificate ({exc.reason})"
        ) from exc
    return False
