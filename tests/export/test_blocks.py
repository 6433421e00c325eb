"""Formats assembled from rendered blocks are byte for byte the formats rendered from a whole Snapshot.

Approvals are split into blocks as the database's range queries split them (entries by their start's
block, spans by overlap), each block is rendered alone, and every format is assembled from the pieces;
the reference is RENDERERS over a Snapshot built the way publish builds it.
"""
import ipaddress
import random

import pytest

from app.addresses import AddressRange, aggregate
from app.addresses.ranges import BITS, format_address
from app.choices import WhitelistFormat
from app.export import RENDERERS, Holder, Snapshot
from app.export.assembly import assemble, prefix_counts, txt_chunks
from app.export.blocks import BLOCK_PREFIX, BlockMeta, BlockRows, block_of, block_span, render_block
from app.export.snapshot import VersionFacts
from tests.export.conftest import COMMA_AND_QUOTES, FORMULA, HASH, PUBLISHED, TWO_LINES, URDU

NAMES = (COMMA_AND_QUOTES, FORMULA, TWO_LINES, URDU, "Indus Soft", "+92 Traders", "-minus", "@at", "")
V4_LENGTHS = (8, 10, 12, 13, 14, 15, 16, 20, 22, 24, 26, 28, 30, 31, 32)
V6_LENGTHS = (12, 16, 18, 19, 20, 21, 24, 32, 48, 64, 127, 128)
# Where random prefixes gather, so that they overlap, touch and fill blocks: both ends of each family too.
V4_AREAS = (0, 10 << 24, (39 << 24) | (32 << 16), (1 << 32) - (1 << 22))
V6_AREAS = (0, 0x2400 << 112, (1 << 128) - (1 << 111))
FACTS = VersionFacts(12, PUBLISHED, 4242, HASH)
HOLDERS = {1: Holder("Indus Soft", "company_vpn", "2024-03-01T10:15:00+00:00", "")}
TEN = block_of(4, 10 << 24)  # the block of 10.0.0.0/14


class Approval:
    """One approved prefix of one application: a row of approved_prefixes."""

    def __init__(self, version, start, length, application_id):
        self.version, self.start, self.length, self.application_id = version, start, length, application_id
        self.end = start | ((1 << (BITS[version] - length)) - 1)
        self.cidr = f"{format_address(version, start)}/{length}"


def _snapshot(approvals, holders):
    """As publish builds it: entries by family, address, length, application; cidrs the aggregate."""
    ordered = sorted(approvals, key=lambda a: (a.version, a.start, a.length, a.application_id))
    cidrs = aggregate(AddressRange(a.version, a.start, a.end) for a in approvals)
    return Snapshot(FACTS.serial, FACTS.published_at, [(a.cidr, a.application_id) for a in ordered], holders,
                    cidrs, FACTS.audit_head_seq, FACTS.audit_head_hash)


def _block_rows(approvals, holders, rng):
    """Every block with an entry or approved space in it, in order, read as range queries read them."""
    touched = sorted({(a.version, index) for a in approvals
                      for index in range(block_of(a.version, a.start), block_of(a.version, a.end) + 1)})
    blocks = []
    for version, index in touched:
        first, last = block_span(version, index)
        starting = [a for a in approvals if a.version == version and first <= a.start <= last]
        overlapping = [(a.start, a.end) for a in approvals if a.version == version and a.start <= last
                       and a.end >= first]
        rng.shuffle(starting)
        rng.shuffle(overlapping)
        blocks.append(BlockRows(version, index, [(a.start, a.length, a.cidr, a.application_id) for a in starting],
                                overlapping, {a.application_id: holders[a.application_id] for a in starting}))
    return blocks


def _assembled(blocks):
    """Every format's body assembled from the blocks' pieces, read by position as storage would be."""
    rendered = [render_block(rows) for rows in blocks]
    metas = [block.meta() for block in rendered]
    return {fmt: b"".join(assemble(fmt, FACTS, metas, _lines_of(rendered), (block.csv_rows for block in rendered),
                                   (block.json_items for block in rendered)))
            for fmt in WhitelistFormat.ALL}


def _lines_of(rendered):
    return lambda first, last: b"".join(block.lines for block in rendered[first:last + 1])


def _random_approvals(rng, families):
    approvals = []
    for _ in range(rng.randint(0, 40)):
        roll = rng.random()
        if approvals and roll < 0.15:    # the same prefix, another application
            same = rng.choice(approvals)
            approvals.append(Approval(same.version, same.start, same.length, rng.randint(1, 9)))
            continue
        if approvals and roll < 0.35:    # the next prefix of the same length: adjacent
            before = rng.choice(approvals)
            if before.end + 1 < 1 << BITS[before.version]:
                approvals.append(Approval(before.version, before.end + 1, before.length, rng.randint(1, 9)))
            continue
        version = rng.choice(families)
        length = rng.choice(V4_LENGTHS if version == 4 else V6_LENGTHS)
        area = rng.choice(V4_AREAS if version == 4 else V6_AREAS)
        # Within about four blocks of the area, so prefixes meet.
        offset = rng.randrange(1 << (BITS[version] - BLOCK_PREFIX[version] + 2))
        start = min(area + offset, (1 << BITS[version]) - 1)
        approvals.append(Approval(version, start >> (BITS[version] - length) << (BITS[version] - length), length,
                                  rng.randint(1, 9)))
    return approvals


def _holders(rng):
    return {application_id: Holder(rng.choice(NAMES), rng.choice(("company_vpn", "=cmd", "a,b")),
                                   "2024-03-01T10:15:00+00:00", rng.choice(("", "2025-03-01T10:15:00+00:00")))
            for application_id in range(1, 10)}


@pytest.mark.parametrize("seed", range(120))
def test_every_format_assembled_from_blocks_is_the_snapshot_format(seed):
    rng = random.Random(seed)
    families = ((4, 6), (4,), (6,))[seed % 3]
    approvals = _random_approvals(rng, families)
    holders = _holders(rng)
    expected = _snapshot(approvals, holders)
    assembled = _assembled(_block_rows(approvals, holders, rng))
    for fmt, renderer in RENDERERS.items():
        assert assembled[fmt] == renderer(expected), f"{fmt} differs (seed {seed})"


def test_no_blocks_assemble_as_the_empty_snapshot():
    assembled = _assembled([])
    empty = _snapshot([], {})
    assert all(assembled[fmt] == renderer(empty) for fmt, renderer in RENDERERS.items())


def _v4(text):
    network, length = text.split("/")
    a, b, c, d = map(int, network.split("."))
    return Approval(4, (a << 24) | (b << 16) | (c << 8) | d, int(length), 1)


def _v6(text):
    network, length = text.split("/")
    return Approval(6, int(ipaddress.IPv6Address(network)), int(length), 1)


@pytest.mark.parametrize("prefixes, txt", [
    # Two full blocks that together are one /13, four that are one /12.
    (["10.0.0.0/14", "10.4.0.0/14"], ["10.0.0.0/13"]),
    (["10.0.0.0/14", "10.4.0.0/14", "10.8.0.0/14", "10.12.0.0/14"], ["10.0.0.0/12"]),
    # Three in a row, not aligned: a /14 then a /13.
    (["10.4.0.0/14", "10.8.0.0/14", "10.12.0.0/14"], ["10.4.0.0/14", "10.8.0.0/13"]),
    # A full block beside a partial one, on either side: nothing merges across the edge.
    (["10.0.0.0/14", "10.4.0.0/15"], ["10.0.0.0/14", "10.4.0.0/15"]),
    (["9.255.255.0/24", "10.0.0.0/14"], ["9.255.255.0/24", "10.0.0.0/14"]),
    # A prefix wider than a block fills the blocks after its own, which have no entries.
    (["10.0.0.0/10", "10.5.0.0/24"], ["10.0.0.0/10"]),
    (["10.0.0.0/12", "10.16.0.0/14", "10.20.0.0/16"], ["10.0.0.0/12", "10.16.0.0/14", "10.20.0.0/16"]),
    # Full blocks with a gap between them stay apart.
    (["10.0.0.0/14", "10.8.0.0/14"], ["10.0.0.0/14", "10.8.0.0/14"]),
    # A full block made of two halves, from different entries.
    (["10.0.0.0/15", "10.2.0.0/15", "10.4.0.0/14"], ["10.0.0.0/13"]),
])
def test_runs_of_full_ipv4_blocks_are_covered_as_one_interval(prefixes, txt):
    _check_txt([_v4(prefix) for prefix in prefixes], txt)


@pytest.mark.parametrize("prefixes, txt", [
    (["2400::/20", "2400:1000::/20"], ["2400::/19"]),
    (["2400::/16", "2401::/48"], ["2400::/16", "2401::/48"]),
    (["2400:1000::/20", "2400:2000::/19"], ["2400:1000::/20", "2400:2000::/19"]),
])
def test_runs_of_full_ipv6_blocks_are_covered_as_one_interval(prefixes, txt):
    _check_txt([_v6(prefix) for prefix in prefixes], txt)


def test_the_last_ipv4_block_and_the_first_ipv6_block_do_not_merge():
    _check_txt([_v4("255.252.0.0/14"), _v6("::/20")], ["255.252.0.0/14", "::/20"])


def _check_txt(approvals, txt):
    holders = HOLDERS
    assert aggregate(AddressRange(a.version, a.start, a.end) for a in approvals) == txt
    rendered = [render_block(rows) for rows in _block_rows(approvals, holders, random.Random(0))]
    metas = [block.meta() for block in rendered]
    assert b"".join(txt_chunks(metas, _lines_of(rendered))) == "".join(f"{c}\n" for c in txt).encode()
    assert sum(prefix_counts(metas)) == len(txt)
    assert _assembled(_block_rows(approvals, holders, random.Random(1))) == \
        {fmt: renderer(_snapshot(approvals, holders)) for fmt, renderer in RENDERERS.items()}


def test_a_run_of_full_blocks_is_not_read_from_storage():
    rendered = [render_block(rows) for rows in _block_rows([_v4("10.0.0.0/12"), _v4("10.16.0.0/24")], HOLDERS,
                                                            random.Random(0))]
    read = []
    chunks = list(txt_chunks([block.meta() for block in rendered],
                             lambda first, last: read.append((first, last)) or _lines_of(rendered)(first, last)))
    assert chunks == [b"10.0.0.0/12\n", b"10.16.0.0/24\n"] and read == [(4, 4)]


def test_a_block_is_full_only_when_its_spans_cover_it():
    first, last = block_span(4, TEN)
    assert render_block(BlockRows(4, TEN, [], [(first, first + 99), (first + 100, last)], {})).full
    assert not render_block(BlockRows(4, TEN, [], [(first, first + 99), (first + 101, last)], {})).full
    # Spans reaching past the block are clipped to it.
    wide = render_block(BlockRows(4, TEN, [], [(first - 5, first + 255)], {}))
    assert (wide.lines, wide.line_count, wide.full) == (b"10.0.0.0/24\n", 1, False)


def test_blocks_out_of_order_are_refused():
    metas = [BlockMeta(4, 41, False, 1, 1), BlockMeta(4, 40, False, 1, 1)]
    with pytest.raises(ValueError, match="out of order"):
        prefix_counts(metas)
