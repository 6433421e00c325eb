"""The special-purpose registry, block by block: inside, partly overlapping, and next door."""
import pytest

from app.addresses import AddressRange, classify, codes, parse_entry
from app.addresses.special import IPV4_SPECIAL, IPV6_SPECIAL, SPECIAL_BLOCKS
from app.choices import Severity

ALL_BLOCKS = IPV4_SPECIAL + IPV6_SPECIAL
IDS = [block.cidr for block in ALL_BLOCKS]
WIDE = dict(max_prefix_v4=0, max_prefix_v6=0)   # breadth is tested elsewhere


def special_findings(rng):
    return [f for f in classify(rng, **WIDE) if f.code == codes.SPECIAL_PURPOSE]


def test_registry_names_every_block_the_issue_lists():
    required = {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16",
                "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
                "240.0.0.0/4", "255.255.255.255/32", "::/128", "::1/128", "64:ff9b::/96",
                "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
                "3fff::/20", "fc00::/7", "fe80::/10", "ff00::/8"}
    assert required <= set(IDS)
    assert all(block.rfc.startswith("RFC ") for block in ALL_BLOCKS)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=IDS)
def test_whole_block_is_an_error_naming_it(block):
    if block.cidr == "::ffff:0:0/96":
        rng = block.range        # parse_entry turns mapped text into IPv4; test the table itself
    else:
        rng = parse_entry(block.cidr)
        assert rng == block.range
    findings = special_findings(rng)
    assert findings and all(f.severity == Severity.ERROR for f in findings)
    assert any(block.cidr in f.message and block.rfc in f.message for f in findings)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=IDS)
def test_single_address_inside_block_is_an_error(block):
    middle = (block.range.start + block.range.end) // 2
    findings = special_findings(AddressRange(block.range.version, middle, middle))
    assert any(block.cidr in f.message for f in findings)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=IDS)
def test_range_that_only_touches_the_block_edge_is_an_error(block):
    rng = block.range
    top = (1 << rng.bits) - 1
    if rng.start > 0:        # from just below the block to its first address
        touching = AddressRange(rng.version, rng.start - 1, rng.start)
        assert any(block.cidr in f.message for f in special_findings(touching))
    if rng.end < top:        # from its last address to just above it
        touching = AddressRange(rng.version, rng.end, rng.end + 1)
        assert any(block.cidr in f.message for f in special_findings(touching))


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=IDS)
def test_neighbours_outside_the_block_are_not_flagged_by_it(block):
    rng = block.range
    for neighbour in (rng.start - 1, rng.end + 1):
        if 0 <= neighbour < (1 << rng.bits):
            findings = special_findings(AddressRange(rng.version, neighbour, neighbour))
            assert not any(f"overlaps {block.cidr} " in f.message
                           or f"lies in {block.cidr} " in f.message for f in findings)


def test_blocks_are_sorted_for_review():
    for blocks in SPECIAL_BLOCKS.values():
        assert [b.range.start for b in blocks] == sorted(b.range.start for b in blocks)


@pytest.mark.parametrize("text", ["4000::1", "::2", "e000::/4", "1000::/8", "::/2"])
def test_ipv6_outside_global_unicast_is_an_error(text):
    findings = classify(parse_entry(text), **WIDE)
    assert [f.code for f in findings if f.severity == Severity.ERROR] == [codes.NOT_GLOBAL_UNICAST] \
        or codes.SPECIAL_PURPOSE in {f.code for f in findings}
    assert any(f.severity == Severity.ERROR for f in findings)


@pytest.mark.parametrize("text", ["39.32.12.0/24", "2400:adc0::/32", "119.160.0.1"])
def test_public_pakistani_space_has_no_error(text):
    assert not [f for f in classify(parse_entry(text)) if f.severity == Severity.ERROR]
