"""aggregate(ranges): the minimal sorted CIDR list covering exactly the union of the ranges.

This is sorted-interval arithmetic on integers. netaddr.cidr_merge and IPSet give the same
answer but take 20-30 s on a million prefixes; IPv4 here is numpy (sort, running maximum,
vectorised split into prefixes), IPv6 is the same algorithm on Python ints (128-bit keys).
"""
from collections.abc import Iterable

import numpy as np

from app.addresses.columns import RangeColumns, format_ipv4_cidrs, write_ipv4_cidrs
from app.addresses.ranges import AddressRange, format_address, prefixes_of

SPLIT_CHUNK = 65536  # merged intervals split and written at a time by write_aggregate


def merge_intervals(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of inclusive int64 intervals as disjoint, non-adjacent, sorted intervals."""
    if len(starts) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Any order of equal starts merges the same (their piece ends at the largest end), so the sort need
    # not be stable: numpy's default sort is 4x faster than its stable one on a million starts.
    order = np.argsort(starts)
    starts, ends = starts[order], ends[order]
    del order
    reach = np.maximum.accumulate(ends, out=ends)  # in place: a million entries need no second copy
    # A new piece begins where a start lies beyond everything before it (adjacent pieces join).
    begins = np.empty(len(starts), bool)
    begins[0] = True
    begins[1:] = starts[1:] > reach[:-1] + 1
    first = np.flatnonzero(begins)
    last = np.append(first[1:] - 1, len(starts) - 1)
    return starts[first], reach[last]


def split_into_prefixes_v4(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimal (network, prefix length) cover of disjoint IPv4 intervals, sorted by network."""
    networks, prefixlens = [], []
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    while len(starts):
        # Largest block that is aligned at `start` and fits before `end` (at most 2^32).
        alignment = np.where(starts == 0, np.int64(1) << 32, starts & -starts)
        _, span_exp = np.frexp((ends - starts + 1).astype(np.float64))   # exact below 2^53
        block = np.minimum(alignment, np.int64(1) << (span_exp.astype(np.int64) - 1))
        networks.append(starts)
        _, block_exp = np.frexp(block.astype(np.float64))
        prefixlens.append(33 - block_exp.astype(np.int64))
        starts = starts + block
        remaining = starts <= ends
        starts, ends = starts[remaining], ends[remaining]
    networks = np.concatenate(networks) if networks else np.empty(0, np.int64)
    prefixlens = np.concatenate(prefixlens) if prefixlens else np.empty(0, np.int64)
    order = np.argsort(networks, kind="stable")
    return networks[order], prefixlens[order]


def merge_intervals_py(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """merge_intervals for Python ints (IPv6 needs 128 bits)."""
    merged: list[list[int]] = []
    for start, end in sorted(pairs):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def aggregate_columns(columns: RangeColumns) -> list[str]:
    """aggregate() for a file already read with columns.read_columns."""
    return format_ipv4_cidrs(*_aggregate_v4(columns)) + list(_ipv6_cidrs(columns))


def write_aggregate(out, columns: RangeColumns) -> None:
    """aggregate_columns(), written to a binary file a line each. IPv4 stays numpy columns until the
    end, and the merged intervals are split into prefixes and formatted SPLIT_CHUNK at a time (they are
    sorted and disjoint, so the chunks come out in order): a million prefixes never become a million
    strings, nor a million-row set of temporaries (a 376 MB peak before)."""
    merged_starts, merged_ends = _merged_v4(columns)
    for first in range(0, len(merged_starts), SPLIT_CHUNK):
        write_ipv4_cidrs(out, *split_into_prefixes_v4(merged_starts[first:first + SPLIT_CHUNK],
                                                       merged_ends[first:first + SPLIT_CHUNK]))
    for cidr in _ipv6_cidrs(columns):
        out.write(f"{cidr}\n".encode("ascii"))


def _aggregate_v4(columns: RangeColumns) -> tuple[np.ndarray, np.ndarray]:
    """The minimal IPv4 cover as (network, prefix length) columns, sorted."""
    return split_into_prefixes_v4(*_merged_v4(columns))


def _merged_v4(columns: RangeColumns) -> tuple[np.ndarray, np.ndarray]:
    v4_starts, v4_ends = columns.v4_starts, columns.v4_ends
    extra_v4 = [r for r in columns.others if r.version == 4]
    if extra_v4:
        v4_starts = np.concatenate((v4_starts, [r.start for r in extra_v4]))
        v4_ends = np.concatenate((v4_ends, [r.end for r in extra_v4]))
    return merge_intervals(np.asarray(v4_starts, np.int64), np.asarray(v4_ends, np.int64))


def _ipv6_cidrs(columns: RangeColumns):
    v6_pairs = [(r.start, r.end) for r in columns.others if r.version == 6]
    for start, end in merge_intervals_py(v6_pairs):
        for net, plen in prefixes_of(start, end, 128):
            yield f"{format_address(6, net)}/{plen}"


def aggregate(ranges: Iterable[AddressRange]) -> list[str]:
    """Minimal CIDR list covering exactly the union of `ranges`: IPv4 first, then IPv6."""
    ranges = list(ranges)
    v4 = [r for r in ranges if r.version == 4]
    columns = RangeColumns(np.array([r.start for r in v4], np.int64),
                           np.array([r.end for r in v4], np.int64),
                           [r for r in ranges if r.version == 6])
    return aggregate_columns(columns)
