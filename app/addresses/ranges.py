"""AddressRange: the one typed value the engine hands around.

A range is (version, integer start, integer end), inclusive. Everything else (CIDR cover,
canonical text, overlap) is derived from the integers, never from masked strings, so a /24
and a range that crosses its edge compare correctly.
"""
from dataclasses import dataclass
from functools import cached_property

from netaddr.strategy import ipv4 as _ipv4
from netaddr.strategy import ipv6 as _ipv6

BITS = {4: 32, 6: 128}
MAX_VALUE = {4: (1 << 32) - 1, 6: (1 << 128) - 1}

# ::ffff:0:0/96 - IPv4-mapped IPv6 addresses are treated as the IPv4 address they carry.
MAPPED_PREFIX = 0xFFFF << 32
MAPPED_FIRST = MAPPED_PREFIX
MAPPED_LAST = MAPPED_PREFIX | 0xFFFFFFFF


def format_address(version: int, value: int) -> str:
    """Canonical text of one address (dotted quad, or RFC 5952 compressed IPv6)."""
    if version == 4:
        return _ipv4.int_to_str(value)
    return _ipv6.int_to_str(value)


def prefixes_of(start: int, end: int, bits: int) -> list[tuple[int, int]]:
    """The minimal list of (network, prefix length) that covers exactly start..end."""
    out = []
    while start <= end:
        # The block starting here can be no larger than start's alignment and the rest.
        span = (end - start + 1).bit_length() - 1
        align = (start & -start).bit_length() - 1 if start else bits
        size_bits = min(span, align)
        out.append((start, bits - size_bits))
        start += 1 << size_bits
    return out


@dataclass(frozen=True, order=True)
class AddressRange:
    """An inclusive range of addresses of one IP version; sorts by (version, start, end)."""

    version: int
    start: int
    end: int

    def __post_init__(self):
        top = MAX_VALUE.get(self.version)
        if top is None:
            raise ValueError(f"IP version must be 4 or 6, not {self.version!r}")
        if not 0 <= self.start <= self.end <= top:
            raise ValueError(f"not a valid IPv{self.version} range: {self.start}..{self.end}")

    @classmethod
    def from_cidr(cls, version: int, network: int, prefixlen: int) -> "AddressRange":
        host_bits = BITS[version] - prefixlen
        return cls(version, network, network | ((1 << host_bits) - 1))

    @property
    def bits(self) -> int:
        return BITS[self.version]

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    @cached_property
    def prefixes(self) -> list[tuple[int, int]]:
        return prefixes_of(self.start, self.end, self.bits)

    @property
    def cidrs(self) -> list[str]:
        """Minimal CIDR cover, e.g. ['39.32.12.0/24'] or ['10.0.0.1/32', '10.0.0.2/31']."""
        return [f"{format_address(self.version, net)}/{plen}" for net, plen in self.prefixes]

    @property
    def prefixlen(self) -> int | None:
        """The prefix length if the range is exactly one CIDR block, else None."""
        prefixes = self.prefixes
        return prefixes[0][1] if len(prefixes) == 1 else None

    def overlaps(self, other: "AddressRange") -> bool:
        return (self.version == other.version
                and self.start <= other.end and other.start <= self.end)

    def contains(self, other: "AddressRange") -> bool:
        return (self.version == other.version
                and self.start <= other.start and other.end <= self.end)

    def __str__(self) -> str:
        first = format_address(self.version, self.start)
        if self.start == self.end:
            return first
        plen = self.prefixlen
        if plen is not None:
            return f"{first}/{plen}"
        return f"{first}-{format_address(self.version, self.end)}"
