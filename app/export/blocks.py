"""The address space in fixed blocks, and each block's part of every format, rendered on its own.

Publishing re-renders only the blocks an approval touched and keeps the others' pieces from the last
version (the storage is the caller's; this module reads no database). An IPv4 block is a /14 (16,384 of
them), an IPv6 block a /20. A block's pieces are its txt lines, csv rows and json entry items; every
format's body is assembled from them in block order (assembly.py).

A block's lines are the minimal cover of the approved space clipped to the block. They are exactly the
global cover's lines inside the block unless the block is full: blocks are CIDR-aligned, so a CIDR of the
global cover smaller than a block lies inside one block, and is maximal there exactly when it is maximal
overall, except the block's own CIDR, which may belong to a larger one spanning full neighbours. Hence
`full`: assembly.txt_chunks replaces each run of full blocks by the cover of the run.
"""
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from app.addresses.aggregate import merge_intervals, merge_intervals_py, split_into_prefixes_v4
from app.addresses.columns import ipv4_cidr_lines
from app.addresses.ranges import BITS, format_address, prefixes_of
from app.export.csv import csv_rows
from app.export.json import json_items
from app.export.snapshot import Holder

BLOCK_PREFIX = {4: 14, 6: 20}
_ORDER = itemgetter(0, 1, 3)  # an entry's (start, prefix length, application id): publish's order


def block_of(version: int, address: int) -> int:
    """The index of the block holding the address."""
    return address >> (BITS[version] - BLOCK_PREFIX[version])


def block_span(version: int, index: int) -> tuple[int, int]:
    """The block's first and last address."""
    host_bits = BITS[version] - BLOCK_PREFIX[version]
    return index << host_bits, ((index + 1) << host_bits) - 1


class BlockRows(NamedTuple):
    """What one block is rendered from, as a range query reads it."""

    version: int
    index: int
    entries: list[tuple[int, int, str, int]]  # (start, prefix length, cidr, application id) starting here; any order
    spans: list[tuple[int, int]]              # (start, end) of every approved prefix overlapping the block; any order
    holders: dict[int, Holder]                # for every application in entries


class BlockMeta(NamedTuple):
    """What assembly needs to know of a block without reading its pieces."""

    version: int
    index: int
    full: bool         # the approved space covers the whole block
    line_count: int
    entry_count: int


class RenderedBlock(NamedTuple):
    """A block's pieces of the formats, kept across versions until an approval touches the block."""

    version: int
    index: int
    lines: bytes       # the cover clipped to the block, "cidr\n" each, sorted
    full: bool
    csv_rows: bytes    # the block's csv rows, no header
    json_items: bytes  # the block's json entry objects, each preceded by json.ITEM
    entry_count: int
    line_count: int

    def meta(self) -> BlockMeta:
        return BlockMeta(self.version, self.index, self.full, self.line_count, self.entry_count)


def render_block(rows: BlockRows) -> RenderedBlock:
    """The block's pieces; entries are written in publish's order (address, length, application)."""
    entries = [(cidr, application_id) for _, _, cidr, application_id in sorted(rows.entries, key=_ORDER)]
    first, last = block_span(rows.version, rows.index)
    cover = _cover_v4 if rows.version == 4 else _cover_v6
    lines, line_count, full = cover(rows.spans, first, last)
    return RenderedBlock(rows.version, rows.index, lines, full, csv_rows(entries, rows.holders),
                         json_items(entries, rows.holders), len(entries), line_count)


def _cover_v4(spans: list[tuple[int, int]], first: int, last: int) -> tuple[bytes, int, bool]:
    """(lines, line count, full) of the IPv4 spans clipped to first..last, with the engine's numpy columns."""
    pairs = np.array(spans, np.int64).reshape(-1, 2)
    pairs = pairs[(pairs[:, 0] <= last) & (pairs[:, 1] >= first)]
    starts, ends = merge_intervals(np.maximum(pairs[:, 0], first), np.minimum(pairs[:, 1], last))
    full = len(starts) == 1 and starts[0] == first and ends[0] == last
    networks, prefixlens = split_into_prefixes_v4(starts, ends)
    return ipv4_cidr_lines(networks, prefixlens), len(networks), bool(full)


def _cover_v6(spans: list[tuple[int, int]], first: int, last: int) -> tuple[bytes, int, bool]:
    """The same for IPv6, on Python ints (128 bits)."""
    merged = merge_intervals_py([(max(start, first), min(end, last)) for start, end in spans
                                 if start <= last and end >= first])
    prefixes = [prefix for start, end in merged for prefix in prefixes_of(start, end, 128)]
    lines = "".join(f"{format_address(6, network)}/{length}\n" for network, length in prefixes).encode()
    return lines, len(prefixes), merged == [(first, last)]
