"""Review reproduction: two host names the client treats as loopback (plain http:// allowed,
the API key sent in the clear) are not resolved locally on this machine: the system
resolver sends them to DNS, so whoever answers DNS (or a search domain) decides where the
key goes.

`transports/_urls.py:is_loopback_host` accepts `localhost` and `ip6-localhost`, "either
with a trailing dot", "judged without DNS". Only `localhost` is reserved (RFC 6761 §6.3);
`ip6-localhost` is a Debian /etc/hosts convention, absent on many systems (here, macOS,
Fedora, Alpine, Windows), and glibc resolves `localhost.` (trailing dot) through DNS
unless /etc/hosts lists that exact spelling.

Run: /work/main/.venv/bin/python review/repro_loopback_names_need_dns.py
Expected on this machine: both names accepted by the client, neither resolved from
/etc/hosts (the lookup goes to the DNS server in /etc/resolv.conf).
"""

from __future__ import annotations

import pathlib
import socket
import sys

from sqcore._endpoints import unsafe_url_reason


def main() -> None:
    for name in ("localhost", "localhost.", "ip6-localhost", "ip6-localhost."):
        accepted = unsafe_url_reason(f"http://{name}:8080") is None
        hosts_file = pathlib.Path("/etc/hosts").read_text(encoding="utf-8").split()
        try:
            found = sorted({info[4][0] for info in socket.getaddrinfo(name, 8080)})
        except socket.gaierror as error:
            found = [f"not resolved ({error.strerror}); asked DNS"]
        sys.stdout.write(
            f"{name!r:18} client sends the key over plain http: {accepted!s:5} "
            f"in /etc/hosts: {name in hosts_file!s:5} resolves to: {found}\n"
        )


if __name__ == "__main__":
    main()
