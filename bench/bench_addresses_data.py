"""Seeded synthetic data for bench_addresses.py.

Run alone (as `make bench` does) it writes the set to a temporary folder and describes it.
- v4.txt       1,000,000 IPv4 prefixes /16-/32, about 10% of them overlapping another
- v6.txt       200,000 IPv6 prefixes /32-/64 in 2000::/3, 2% derived from others
- queries.txt  100,000 IPv4 prefixes, half of them near stored entries
- mixed.txt    1,000,000 entries: IPv4 CIDRs and addresses, IPv4 ranges, IPv6 CIDRs
Prefix lengths follow a BGP-like mix (mostly /24 and /32, few short prefixes), so random
prefixes rarely swallow each other; the overlap comes from derived sub- and super-nets.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from app.addresses import AddressRange, format_ipv4_cidrs  # noqa: E402
from app.addresses.aggregate import merge_intervals  # noqa: E402

SEED = 20240601
V4_COUNT, V6_COUNT, QUERY_COUNT, MIXED_COUNT = 1_000_000, 200_000, 100_000, 1_000_000
DERIVED_SHARE = 0.02   # sub/super-nets of other entries; with chance overlaps, ~10%
V4_LENGTHS = {16: 0.5, 17: 0.5, 18: 1, 19: 2, 20: 3, 21: 5, 22: 10, 23: 20, 24: 450, 25: 20,
              26: 30, 27: 30, 28: 40, 29: 60, 30: 60, 31: 20, 32: 278}
V6_LENGTHS = {32: 10, 36: 10, 40: 30, 44: 50, 48: 400, 52: 50, 56: 150, 60: 50, 64: 250}


def _lengths(rng, table, count):
    keys = np.array(list(table))
    weights = np.array(list(table.values()), dtype=float)
    return rng.choice(keys, size=count, p=weights / weights.sum())


def ipv4_prefixes(rng, count):
    """(networks, prefix lengths): random prefixes plus derived sub/super-nets of them."""
    derived = int(count * DERIVED_SHARE)
    plen = _lengths(rng, V4_LENGTHS, count)
    nets = rng.integers(0, 2**32, size=count, dtype=np.int64)
    source = rng.integers(0, count - derived, size=derived)
    inside_source = (np.int64(1) << (32 - plen[source])) - 1
    # A sub- or super-net of its source: it always overlaps it.
    nets[count - derived:] = nets[source] | rng.integers(0, 2**32, size=derived) & inside_source
    plen[count - derived:] = np.clip(plen[source] + rng.integers(-3, 5, size=derived), 16, 32)
    nets &= ~((np.int64(1) << (32 - plen)) - 1) & 0xFFFFFFFF
    order = rng.permutation(count)
    return nets[order], plen[order]


def ipv6_prefixes(rng, count):
    derived = int(count * DERIVED_SHARE)
    plen = _lengths(rng, V6_LENGTHS, count)
    high = rng.integers(0, 2**61, size=count, dtype=np.int64)      # top 64 bits below 2000::/3
    source = rng.integers(0, count - derived, size=derived)
    high[count - derived:] = high[source] | rng.integers(0, 2**16, size=derived)  # inside a /48
    plen[count - derived:] = np.clip(plen[source] + rng.integers(-4, 9, size=derived), 32, 64)
    out = []
    for h, p in zip(high.tolist(), plen.tolist()):
        top = (0x2000 << 48 | h) >> (64 - p) << (64 - p)
        out.append(str(AddressRange.from_cidr(6, top << 64, p)))
    return [out[i] for i in rng.permutation(count).tolist()]


def overlap_share(nets, plen) -> float:
    """Share of prefixes that overlap at least one other prefix of the set."""
    starts = nets.astype(np.int64)
    ends = starts | ((np.int64(1) << (32 - plen)) - 1)
    order = np.lexsort((-ends, starts))
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    touches_previous = np.zeros(len(starts), bool)
    touches_previous[1:] = starts[1:] <= reach[:-1]
    # A prefix overlaps another if it touches one before it or one after it touches it.
    first_of_group = ~touches_previous
    group = np.cumsum(first_of_group)
    sizes = np.bincount(group)
    return float((sizes[group] > 1).mean())


def write_data_set(folder: Path) -> str:
    rng = np.random.default_rng(SEED)
    nets, plen = ipv4_prefixes(rng, V4_COUNT)
    v4_lines = format_ipv4_cidrs(nets, plen)
    (folder / "v4.txt").write_text("\n".join(v4_lines) + "\n")
    v6_lines = ipv6_prefixes(rng, V6_COUNT)
    (folder / "v6.txt").write_text("\n".join(v6_lines) + "\n")

    q_nets, q_plen = ipv4_prefixes(rng, QUERY_COUNT)
    near = rng.integers(0, V4_COUNT, size=QUERY_COUNT // 2)
    q_nets[: QUERY_COUNT // 2] = nets[near] | rng.integers(0, 256, size=QUERY_COUNT // 2)
    q_plen[: QUERY_COUNT // 2] = np.clip(plen[near] + rng.integers(-2, 4, size=QUERY_COUNT // 2),
                                         16, 32)
    q_nets &= ~((np.int64(1) << (32 - q_plen)) - 1) & 0xFFFFFFFF
    (folder / "queries.txt").write_text("\n".join(format_ipv4_cidrs(q_nets, q_plen)) + "\n")

    mixed = _mixed_entries(rng, v4_lines, v6_lines, nets)
    (folder / "mixed.txt").write_text("\n".join(mixed) + "\n")
    merged = len(merge_intervals(nets, nets | ((np.int64(1) << (32 - plen)) - 1))[0])
    return (f"{V4_COUNT:,} IPv4 prefixes ({overlap_share(nets, plen):.1%} overlap another; "
            f"{merged:,} disjoint runs), {V6_COUNT:,} IPv6 prefixes, {QUERY_COUNT:,} queries, "
            f"{MIXED_COUNT:,} mixed entries; seed {SEED}")


def _mixed_entries(rng, v4_lines, v6_lines, nets):
    """60% IPv4 CIDRs, 10% single IPv4 addresses, 10% IPv4 ranges, 20% IPv6 CIDRs."""
    kinds = rng.choice(4, size=MIXED_COUNT, p=[0.6, 0.1, 0.1, 0.2])
    picks = rng.integers(0, len(v4_lines), size=MIXED_COUNT).tolist()
    spans = rng.integers(0, 4096, size=MIXED_COUNT).tolist()
    out = []
    for kind, pick, span in zip(kinds.tolist(), picks, spans):
        if kind == 0:
            out.append(v4_lines[pick])
        elif kind == 1:
            out.append(v4_lines[pick].partition("/")[0])
        elif kind == 2:
            start = int(nets[pick])
            end = min(start + span, 2**32 - 1)
            out.append(f"{AddressRange(4, start, start)} - {AddressRange(4, end, end)}")
        else:
            out.append(v6_lines[pick % len(v6_lines)])
    return out


if __name__ == "__main__":
    target = Path(tempfile.mkdtemp(prefix="bench_addresses_data_"))
    try:
        print("Address engine benchmark data (used by bench_addresses.py):")
        print(write_data_set(target))
    finally:
        shutil.rmtree(target, ignore_errors=True)
