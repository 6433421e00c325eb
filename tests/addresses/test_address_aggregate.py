"""aggregate and the bulk column reader/formatter: exact union, minimal, sorted."""
import numpy as np
from hypothesis import given, settings, strategies as st

from app.addresses.batch import split_entries
from app.addresses import (AddressRange, aggregate, aggregate_columns, codes, format_ipv4_cidrs,
                           parse_entry, read_columns)

PROPERTY = settings(max_examples=120, deadline=None)


def test_aggregate_examples():
    entries = ["10.0.0.128/25", "10.0.0.0/25", "10.0.1.0-10.0.1.5", "2400:0:8000::/33",
               "2400::/33", "1.1.1.1", "10.0.0.7"]
    assert aggregate(parse_entry(e) for e in entries) == [
        "1.1.1.1/32", "10.0.0.0/24", "10.0.1.0/30", "10.0.1.4/31", "2400::/32"]
    assert aggregate([]) == []
    assert aggregate([parse_entry("0.0.0.0/0"), parse_entry("::/0")]) == ["0.0.0.0/0", "::/0"]
    assert aggregate([parse_entry("255.255.255.255"), parse_entry("255.255.255.254")]) == [
        "255.255.255.254/31"]


def _small_ranges(version, base):
    # A narrow window keeps brute-force sets small while still crossing many prefix edges.
    point = st.integers(0, 700)
    return st.builds(lambda a, b: AddressRange(version, base + min(a, b), base + max(a, b)),
                     point, point)


def _addresses(cidrs_of_version):
    out = set()
    for text in cidrs_of_version:
        rng = parse_entry(text)
        out.update(range(rng.start, rng.end + 1))
    return out


@PROPERTY
@given(st.lists(st.one_of(_small_ranges(4, 0x27200000 - 300), _small_ranges(6, 0x2400 << 112)),
                max_size=25))
def test_aggregate_covers_exactly_the_union_and_is_minimal(ranges):
    result = aggregate(ranges)
    blocks = [parse_entry(text) for text in result]
    assert blocks == sorted(blocks)                          # IPv4 first, then numeric order
    for version in (4, 6):
        mine = [t for t, b in zip(result, blocks) if b.version == version]
        union = set()
        for r in ranges:
            if r.version == version:
                union.update(range(r.start, r.end + 1))
        assert _addresses(mine) == union
        mine_blocks = [b for b in blocks if b.version == version]
        # Minimal: every block is maximal, i.e. its parent prefix is not inside the union.
        for block in mine_blocks:
            plen = block.prefixlen
            assert plen is not None
            if plen > 0:
                parent = AddressRange.from_cidr(version, block.start >> (block.bits - plen + 1)
                                                << (block.bits - plen + 1), plen - 1)
                assert not set(range(parent.start, parent.end + 1)) <= union


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), max_size=40))
def test_bulk_formatter_matches_netaddr_text(pairs):
    networks = [n >> (32 - p) << (32 - p) for n, p in pairs]
    plens = [p for _, p in pairs]
    expected = [parse_entry(f"{AddressRange(4, n, n)}/{p}").cidrs[0] for n, p in zip(networks, plens)]
    assert format_ipv4_cidrs(np.array(networks, np.int64), np.array(plens)) == expected


LINE = st.one_of(
    st.builds(lambda n, p: str(AddressRange.from_cidr(4, n >> (32 - p) << (32 - p), p)),
              st.integers(0, 2**32 - 1), st.integers(0, 32)),
    st.builds(lambda n, p: f"{AddressRange(4, n, n)}/{p}",       # host bits now and then
              st.integers(0, 2**32 - 1), st.integers(20, 32)),
    st.builds(lambda parts, prefix: ".".join(parts) + prefix,   # near misses of the fast path
              st.lists(st.sampled_from(["0", "00", "01", "7", "10", "255", "256", "099", "1000"]),
                       min_size=3, max_size=5),
              st.sampled_from(["", "/0", "/8", "/24", "/32", "/33", "/024", "/", "/3x", "/1/2"])),
    st.text(alphabet="0123456789./- x:#,", max_size=19),
)


@PROPERTY
@given(st.lists(LINE, max_size=30))
def test_bulk_reader_agrees_with_parse_entry_line_by_line(lines):
    columns = read_columns("\n".join(lines))
    expected_v4, expected_other, expected_errors = [], [], []
    for line_no, raw in split_entries("\n".join(lines)):
        try:
            rng = parse_entry(raw)
        except ValueError as error:
            expected_errors.append((line_no, raw, error.code))
            continue
        (expected_v4 if rng.version == 4 else expected_other).append(rng)
    got_v4 = [AddressRange(4, s, e) for s, e in zip(columns.v4_starts.tolist(),
                                                     columns.v4_ends.tolist())]
    assert sorted(got_v4) == sorted(expected_v4)
    assert columns.others == expected_other
    assert [(n, raw, e.code) for n, raw, e in columns.errors] == expected_errors


def test_bulk_reader_refuses_what_parse_entry_refuses():
    columns = read_columns(b"39.32.12.0/24\n010.1.1.1\n39.32.12.5/24\n2400::/32\n10.0.0.1\n")
    assert columns.v4_starts.tolist() == [0x27200C00, 0x0A000001]
    assert [(n, e.code) for n, _, e in columns.errors] == [(2, codes.LEADING_ZERO),
                                                            (3, codes.HOST_BITS)]
    assert [str(r) for r in columns.others] == ["2400::/32"]
    assert aggregate_columns(columns) == ["10.0.0.1/32", "39.32.12.0/24", "2400::/32"]
