"""Pure: NO_PROXY, the hosts that skip the environment's proxy, matched as requests matches them.

requests 2.34 (`requests.utils.should_bypass_proxies`) asks two questions and goes direct when
either says yes; `bypass_for` asks both, from the text alone (nothing is resolved), and says
which variable and which entry made the host go direct:

1. requests' own reading, of `no_proxy`, else `NO_PROXY` when `no_proxy` is unset or empty
   (only these two spellings):
   - Every space is removed, then the value is split at commas; empty entries are skipped.
     Entries keep their case (the host is lower case, so `EXAMPLE.COM` matches only by 2.).
   - An IPv4 host (any form the C library's `inet_aton` reads) matches an entry equal to it,
     or a CIDR block `address/bits` that holds it: `bits` a whole number from 1 to 32, the
     address in any `inet_aton` form (`10/8` reads as 0.0.0.0/8, as there).
   - Any other host (a name, an IPv6 address) matches an entry, its leading dots dropped,
     that equals it or ends it after a dot (`example.com` matches `api.example.com`, never
     `badexample.com`). When the URL writes a port, `host:port` is tried the same way, so
     `example.com:8443` applies to a URL that says `:8443` and to no other.
2. The standard library's reading (`urllib.request.proxy_bypass_environment`, which requests
   calls next), of the value the environment files under "no": any spelling of `no_proxy`
   (`No_Proxy` too), as `transports._proxy` reads the environment:
   - The whole value `*`, exactly, matches every host.
   - Otherwise the value is split at commas; each entry is stripped of white space and
     leading dots and lower-cased, and matches a host that equals it or ends with it after a
     dot. The host is also tried without a trailing `:digits` (for an IPv6 address, its
     last group).

So, as with requests: `*.example.com` and `*` inside a list match no real host; a trailing dot
on either side defeats a match; a space-separated list is one entry; IPv6 hosts match by their
text only (`fd00::2`, never `[fd00::2]` or `fd00::/8`); an IPv4 entry can match as a suffix
(`2.3` matches `10.1.2.3`).
"""

from __future__ import annotations

import msgspec

__all__ = ["Bypass", "NoProxy", "Setting", "bypass_for", "inet_aton"]


class Setting(msgspec.Struct, frozen=True):
    """An environment variable's value, with the variable's name (for messages)."""

    variable: str
    value: str


class NoProxy(msgspec.Struct, frozen=True):
    """The NO_PROXY values each of the two readings uses (module docstring); None: unset.

    Attributes:
        own: requests' own reading: `no_proxy`, else `NO_PROXY`, if either is not empty.
        environment: The standard library's: the "no" of the environment's proxy variables.
    """

    own: Setting | None = None
    environment: Setting | None = None


class Bypass(msgspec.Struct, frozen=True):
    """Why a host goes direct although a proxy is set: the variable and the entry that matched.

    Attributes:
        variable: The NO_PROXY variable, as spelled in the environment.
        entry: The entry that matched, as written there.
    """

    variable: str
    entry: str

    def describe(self) -> str:
        """E.g. `NO_PROXY matches 'corp'`, for messages."""
        return f"{self.variable} matches {self.entry!r}"


def bypass_for(no_proxy: NoProxy, host: str, written_port: int | None) -> Bypass | None:
    """Whether `host` skips the environment's proxy, and by which entry (module docstring).

    Args:
        no_proxy: The NO_PROXY values.
        host: The URL's host as requests reads it: a name, an IPv4 address, or an IPv6
            address without brackets; any case.
        written_port: The port the URL writes, or None when it writes none (a scheme's
            default port counts only when written).

    Returns:
        The first entry that matches (requests' own reading first), or None: use the proxy.
        Invariant: the same answer as requests 2.34's `should_bypass_proxies` on the same
        environment (tests/core/test_proxy_rules.py runs both).
    """
    name = host.lower()
    own, environment = no_proxy.own, no_proxy.environment
    if own is not None:
        entry = _own_match(own.value, name, written_port)
        if entry is not None:
            return Bypass(own.variable, entry)
    if environment is not None:
        entry = _environment_match(environment.value, name)
        if entry is not None:
            return Bypass(environment.variable, entry)
    return None


def _own_match(value: str, host: str, written_port: int | None) -> str | None:
    """The entry of `value` that requests' own reading matches `host` with, or None."""
    entries = [entry for entry in value.replace(" ", "").split(",") if entry]
    address = inet_aton(host)
    if address is not None:
        for entry in entries:
            block = _cidr_block(entry)
            if entry == host or (block is not None and address & block[1] == block[0]):
                return entry
        return None
    with_port = f"{host}:{written_port}" if written_port else host
    for entry in entries:
        suffix = entry.lstrip(".")
        if _ends_with_name(host, suffix) or _ends_with_name(with_port, suffix):
            return entry
    return None


def _environment_match(value: str, host: str) -> str | None:
    """The entry of `value` that the standard library's reading matches `host` with, or None."""
    if value == "*":
        return value
    before, colon, digits = host.rpartition(":")
    bare = before if colon and digits and all("0" <= c <= "9" for c in digits) else host
    for written in value.split(","):
        entry = written.strip()
        if not entry:
            continue
        suffix = entry.lstrip(".").lower()
        if _ends_with_name(host, suffix) or _ends_with_name(bare, suffix):
            return entry
    return None


def _ends_with_name(host: str, suffix: str) -> bool:
    """Whether `host` is `suffix` or ends with "." and `suffix`."""
    return host == suffix or host.endswith("." + suffix)


def _cidr_block(entry: str) -> tuple[int, int] | None:
    """An entry `address/bits` as (network, mask), each a 32-bit number, or None.

    `bits` is read as Python's `int` reads text (requests does so) and must be 1 to 32.
    """
    if entry.count("/") != 1:
        return None
    address_text, bits_text = entry.split("/")
    try:
        bits = int(bits_text)
    except ValueError:
        return None
    network = inet_aton(address_text)
    if not 1 <= bits <= 32 or network is None:
        return None
    mask = (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF
    return network & mask, mask


#: The C library's white space (`isspace` in the C locale): text after one is ignored.
_C_SPACE = frozenset(" \t\n\v\f\r")
#: The largest last part, by the number of parts before it ("a", "a.b", "a.b.c", "a.b.c.d").
_LAST_PART_MAX = (0xFFFFFFFF, 0xFFFFFF, 0xFFFF, 0xFF)


def inet_aton(text: str) -> int | None:
    """`text` read as glibc's `inet_aton` reads an IPv4 address (what `socket.inet_aton`
    accepts on Linux), as a 32-bit number; None if it reads none.

    One to four parts separated by dots, each a C integer (`0x1f` hex, `017` octal, `15`
    decimal); the last part fills the bytes left (`10.1` is 10.0.0.1). The address may be
    followed by white space, and then anything. Invariant: `socket.inet_aton` accepts exactly
    the texts this reads, with the same result (a property test checks it).
    """
    parts: list[int] = []
    position = 0
    while True:
        read = _c_integer(text, position)
        if read is None:
            return None
        value, position = read
        if position < len(text) and text[position] == ".":
            if len(parts) == 3 or value > 0xFF:
                return None
            parts.append(value)
            position += 1
            continue
        break
    if position < len(text) and text[position] not in _C_SPACE:
        return None
    if value > _LAST_PART_MAX[len(parts)]:
        return None
    address = value
    for index, part in enumerate(parts):
        address |= part << (24 - 8 * index)
    return address


def _c_integer(text: str, position: int) -> tuple[int, int] | None:
    """The unsigned integer written at `position` as `strtoul(..., 0)` reads it after a
    digit, and where it ends; None if no digit is there (or a decimal one passes 32 bits:
    the caller bounds every part)."""
    end = position
    if end >= len(text) or not "0" <= text[end] <= "9":
        return None
    if text[end] == "0" and text[end + 1 : end + 2] in ("x", "X") and _is_hex(text, end + 2):
        base, end = 16, end + 2
        digits = "0123456789abcdefABCDEF"
    elif text[end] == "0":
        base = 8
        digits = "01234567"
    else:
        base = 10
        digits = "0123456789"
    start = end
    while end < len(text) and text[end] in digits:
        end += 1
    if base == 10 and end - start > 10:  # past 32 bits (and past what `int` will read)
        return None
    return int(text[start:end], base), end


def _is_hex(text: str, position: int) -> bool:
    return position < len(text) and text[position] in "0123456789abcdefABCDEF"
