"""The IANA special-purpose address registries, as an explicit table.

Sources: IANA "IPv4 Special-Purpose Address Registry" and "IPv6 Special-Purpose Address
Registry" (RFC 6890 and its updates, RFC 8190), plus the multicast blocks of the address-space
registries. A firm's whitelist entry may not touch any of these blocks, not even partially:
none of them identifies one organisation's public network.
When IANA adds a block, add a row here and a line to tests/addresses/test_special.py.
"""
from typing import NamedTuple

from netaddr import IPAddress

from app.addresses.ranges import BITS, AddressRange


class SpecialBlock(NamedTuple):
    cidr: str
    name: str
    rfc: str
    range: AddressRange


def _block(cidr: str, name: str, rfc: str) -> SpecialBlock:
    network, _, prefixlen = cidr.partition("/")
    version = 6 if ":" in network else 4
    # Read with netaddr rather than parse_entry, so the table does not depend on the parser.
    rng = AddressRange.from_cidr(version, int(IPAddress(network)), int(prefixlen))
    return SpecialBlock(cidr, name, rfc, rng)


IPV4_SPECIAL = tuple(_block(*row) for row in (
    ("0.0.0.0/8", "This network", "RFC 791"),
    ("0.0.0.0/32", "This host on this network", "RFC 1122"),
    ("10.0.0.0/8", "Private-Use", "RFC 1918"),
    ("100.64.0.0/10", "Shared Address Space (carrier-grade NAT)", "RFC 6598"),
    ("127.0.0.0/8", "Loopback", "RFC 1122"),
    ("169.254.0.0/16", "Link-Local", "RFC 3927"),
    ("172.16.0.0/12", "Private-Use", "RFC 1918"),
    ("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890"),
    ("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335"),
    ("192.0.0.8/32", "IPv4 dummy address", "RFC 7600"),
    ("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723"),
    ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    ("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880"),
    ("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880"),
    ("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737"),
    ("192.31.196.0/24", "AS112-v4", "RFC 7535"),
    ("192.52.193.0/24", "Automatic Multicast Tunneling", "RFC 7450"),
    ("192.88.99.0/24", "Deprecated 6to4 Relay Anycast", "RFC 7526"),
    ("192.168.0.0/16", "Private-Use", "RFC 1918"),
    ("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534"),
    ("198.18.0.0/15", "Benchmarking", "RFC 2544"),
    ("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737"),
    ("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737"),
    # Multicast is in the address-space registry rather than the special-purpose one.
    ("224.0.0.0/4", "Multicast", "RFC 5771"),
    ("240.0.0.0/4", "Reserved for future use", "RFC 1112"),
    ("255.255.255.255/32", "Limited Broadcast", "RFC 919"),
))

IPV6_SPECIAL = tuple(_block(*row) for row in (
    ("::/128", "Unspecified Address", "RFC 4291"),
    ("::1/128", "Loopback Address", "RFC 4291"),
    # Never reached through parse_entry, which turns mapped addresses into IPv4.
    ("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291"),
    ("64:ff9b::/96", "IPv4-IPv6 Translation", "RFC 6052"),
    ("64:ff9b:1::/48", "Local-Use IPv4/IPv6 Translation", "RFC 8215"),
    ("100::/64", "Discard-Only Address Block", "RFC 6666"),
    ("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780"),
    ("2001::/23", "IETF Protocol Assignments", "RFC 2928"),
    ("2001::/32", "TEREDO", "RFC 4380"),
    ("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723"),
    ("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    ("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
    ("2001:2::/48", "Benchmarking", "RFC 5180"),
    ("2001:3::/32", "Automatic Multicast Tunneling", "RFC 7450"),
    ("2001:4:112::/48", "AS112-v6", "RFC 7535"),
    ("2001:10::/28", "Deprecated ORCHID", "RFC 4843"),
    ("2001:20::/28", "ORCHIDv2", "RFC 7343"),
    ("2001:30::/28", "Drone Remote ID Protocol Entity Tags", "RFC 9374"),
    ("2001:db8::/32", "Documentation", "RFC 3849"),
    ("2002::/16", "6to4", "RFC 3056"),
    ("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534"),
    ("3fff::/20", "Documentation", "RFC 9637"),
    ("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602"),
    ("fc00::/7", "Unique-Local", "RFC 4193"),
    ("fe80::/10", "Link-Local Unicast", "RFC 4291"),
    ("fec0::/10", "Deprecated Site-Local", "RFC 3879"),
    ("ff00::/8", "Multicast", "RFC 4291"),
))

SPECIAL_BLOCKS = {4: IPV4_SPECIAL, 6: IPV6_SPECIAL}

# Only 2000::/3 is allocated as global unicast (RFC 4291 section 2.4, IANA IPv6 Address
# Space registry). Everything outside it is reserved or special, so a range that reaches
# outside it is refused even where no row above names the block (e.g. 4000::/2).
GLOBAL_UNICAST_V6 = AddressRange.from_cidr(6, 0x2000 << (BITS[6] - 16), 3)


def special_blocks_touching(rng: AddressRange) -> list[SpecialBlock]:
    """Every special-purpose block that `rng` overlaps, contains or sits inside."""
    return [block for block in SPECIAL_BLOCKS[rng.version] if block.range.overlaps(rng)]


def reaches_outside_global_unicast(rng: AddressRange) -> bool:
    return rng.version == 6 and not GLOBAL_UNICAST_V6.contains(rng)
