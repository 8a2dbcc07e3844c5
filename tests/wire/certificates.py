"""TLS for the wire tests: server contexts with `trustme` certificates for the names given."""

from __future__ import annotations

import ssl

import trustme


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A server-side TLS context whose certificate, issued by `ca`, is for `names`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context
