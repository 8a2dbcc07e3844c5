"""Pure: NO_PROXY, the hosts that skip the environment's proxy, read and matched without DNS.

Rules (as curl and requests read NO_PROXY, with every place they disagree and the side
taken; `transports._proxy` reads the variable):
- Entries are separated by commas and/or white space (curl 7.86+; requests drops spaces);
  empty entries are ignored; matching ignores case.
- `*` as an entry means every host. curl and Python only honour it as the whole value; here
  it also counts inside a list (`localhost,*`), where they would silently match nothing, as
  Go's net/http reads it.
- A name matches itself and every name below it: `example.com`, `.example.com` and
  `*.example.com` all match `example.com` and `api.example.com`, never `badexample.com`. A
  trailing dot is ignored on both sides. curl knows no `*.` prefix (the entry matches
  nothing there) and requests neither; Go's `*.example.com` skips `example.com` itself.
- IP addresses match IP hosts exactly (IPv6 with or without brackets); CIDR blocks
  (`10.0.0.0/8`, `fd00::/8`) match IP hosts inside them (curl 7.86+ reads both families;
  requests only IPv4). A name entry never matches an IP host, nor an IP entry a name: nothing
  is resolved.
- `host:port` (`[v6]:port` for IPv6) applies only to that port, compared with the port the
  request really uses, the scheme's default included. requests compares only a port
  written in the URL; curl has no port entries (they match nothing).
- An entry that is none of these (`a/b`, `10.0.0.0/33`) is ignored, as it matches nothing in
  curl or requests either.
"""

from __future__ import annotations

import ipaddress
import re

import msgspec

__all__ = [
    "DomainRule",
    "NetworkRule",
    "NoProxy",
    "bypasses_proxy",
    "parse_no_proxy",
    "port_number",
]

_PORT = re.compile(r"[0-9]{1,5}")
_DOMAIN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_SEPARATORS = re.compile(r"[,\s]+")

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class DomainRule(msgspec.Struct, frozen=True):
    """A NO_PROXY name: matches `domain` and every name below it, on `port` or any port.

    Attributes:
        domain: Lower case, without leading `*.` or dots and without a trailing dot.
        port: The only port it applies to, or None for every port.
    """

    domain: str
    port: int | None = None


class NetworkRule(msgspec.Struct, frozen=True):
    """A NO_PROXY address or CIDR block: matches IP hosts inside `network`, on `port` or any.

    Attributes:
        network: The block (a single address is a /32 or /128).
        port: The only port it applies to, or None for every port.
    """

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    port: int | None = None


class NoProxy(msgspec.Struct, frozen=True):
    """A parsed NO_PROXY value (module docstring, "NO_PROXY"); the default bypasses nothing.

    Attributes:
        every_host: An entry `*` was given: no host goes through an environment proxy.
        domains: The name entries, in the order given.
        networks: The address and CIDR entries, in the order given.
    """

    every_host: bool = False
    domains: tuple[DomainRule, ...] = ()
    networks: tuple[NetworkRule, ...] = ()


def parse_no_proxy(value: str) -> NoProxy:
    """Reads a NO_PROXY value; entries that can match nothing are dropped, never an error.

    Invariant: `bypasses_proxy(parse_no_proxy(a + "," + b), h, p)` is
    `bypasses_proxy(parse_no_proxy(a), h, p) or bypasses_proxy(parse_no_proxy(b), h, p)`.
    """
    entries = [entry for entry in _SEPARATORS.split(value.lower()) if entry]
    rules = [rule for rule in map(_no_proxy_rule, entries) if rule is not None]
    return NoProxy(
        every_host="*" in entries,
        domains=tuple(rule for rule in rules if isinstance(rule, DomainRule)),
        networks=tuple(rule for rule in rules if isinstance(rule, NetworkRule)),
    )


def _no_proxy_rule(entry: str) -> DomainRule | NetworkRule | None:
    """One lower-case NO_PROXY entry as a rule, or None if it can match no host."""
    if entry.startswith("["):
        inside, bracket, after = entry[1:].partition("]")
        network = _network(inside) if bracket else None
        port = port_number(after[1:]) if after.startswith(":") else None
        if network is None or network.version != 6 or (after and port is None):
            return None
        return NetworkRule(network, port)
    network = _network(entry)
    if network is not None:  # before any ":" split: a bare IPv6 address is full of colons
        return NetworkRule(network)
    name, colon, port_text = entry.partition(":")
    port = port_number(port_text) if colon else None
    if colon and port is None:
        return None
    network = _network(name)
    if network is not None:
        return NetworkRule(network, port)
    domain = name.removeprefix("*.").lstrip(".").removesuffix(".")
    return DomainRule(domain, port) if _DOMAIN.fullmatch(domain) else None


def _network(text: str) -> _Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def bypasses_proxy(no_proxy: NoProxy, host: str, port: int) -> bool:
    """Whether `host` on `port` skips the environment's proxy under `no_proxy`.

    `host` is a URL's host: a name (any case, trailing dot or not), an IPv4 address, or an
    IPv6 address with or without brackets. `port` is the port really used (defaults
    included). Invariant: names match names by whole labels, addresses match addresses, and
    nothing is resolved.
    """
    if no_proxy.every_host:
        return True
    bare = host.strip().lower()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        name = bare.removesuffix(".")
        return any(
            (name == rule.domain or name.endswith("." + rule.domain)) and _on_port(rule, port)
            for rule in no_proxy.domains
        )
    return any(
        rule.network.version == address.version and address in rule.network and _on_port(rule, port)
        for rule in no_proxy.networks
    )


def _on_port(rule: DomainRule | NetworkRule, port: int) -> bool:
    return rule.port is None or rule.port == port


def port_number(text: str) -> int | None:
    """`text` as a TCP port (decimal digits, 1 to 65535), or None."""
    if not _PORT.fullmatch(text) or not 0 < int(text) <= 65535:
        return None
    return int(text)
