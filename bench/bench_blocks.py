"""Block rendering and streaming assembly of the whitelist formats at 1,000,000 approved entries (issue 24).

    .venv/bin/python bench/bench_blocks.py [--entries N] [--repeat R]

The approved space is bench_publication's (disjoint prefixes scattered so that few aggregate: the txt body
has about N lines; 95% IPv4, 5% IPv6), split into blocks in memory as the range queries would, each block
rendered once (timed: what a full re-render of every block costs). Then each format is assembled from the
blocks' pieces, every chunk consumed (its length summed, nothing kept), the best of --repeat runs; the
reference is RENDERERS over the same version as one Snapshot, the way publish renders today. Target:
each format assembles in well under 0.3 s (cisco, whose sequence numbers are per-line work, a little more).
No database; nothing is written to RESULTS.md.
"""
import argparse
import datetime as dt
import sys
import time
from itertools import accumulate, groupby
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from bench_publication import ENTRIES_PER_APPLICATION, approved_space  # noqa: E402

from app.addresses import AddressRange, aggregate  # noqa: E402
from app.choices import WhitelistFormat  # noqa: E402
from app.export import RENDERERS, Holder, Snapshot  # noqa: E402
from app.export.assembly import assemble  # noqa: E402
from app.export.blocks import BlockRows, block_of, render_block  # noqa: E402
from app.export.snapshot import VersionFacts  # noqa: E402
from app.system.memory import without_cyclic_gc  # noqa: E402

FACTS = VersionFacts(12, dt.datetime(2026, 12, 6, 12, 0, 0), 4242, "9f2c" * 16)
NAMES = ("Bench Firm (Pvt) Ltd", 'Khan & Sons, "Indus Soft"', "عائشہ سافٹ ویئر ہاؤس")


def _version(entries: int):
    """(approvals, holders): (version, start, end, prefix length, cidr, application id) rows, sorted as publish
    sorts them, and a holder per application."""
    space = approved_space(entries)
    approvals = sorted((version, start, end, int(cidr.rsplit("/", 1)[1]), cidr, n // ENTRIES_PER_APPLICATION + 1)
                       for n, (version, start, end, cidr) in enumerate(space))
    approvals.sort(key=lambda row: (row[0], row[1], row[3], row[5]))
    holders = {application_id: Holder(NAMES[application_id % len(NAMES)], "company_vpn",
                                      "2026-01-01T10:15:00+00:00", "2027-01-01T10:15:00+00:00")
               for application_id in range(1, -(-entries // ENTRIES_PER_APPLICATION) + 1)}
    return approvals, holders


def _block_rows(approvals, holders):
    """The blocks as range queries read them (bench_publication's prefixes never cross a block's edge)."""
    for (version, index), rows in groupby(approvals, key=lambda row: (row[0], block_of(row[0], row[1]))):
        rows = list(rows)
        yield BlockRows(version, index, [(start, length, cidr, application_id)
                                         for _, start, _, length, cidr, application_id in rows],
                        [(start, end) for _, start, end, *_ in rows],
                        {row[5]: holders[row[5]] for row in rows})


def _best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    approvals, holders = _version(args.entries)
    with without_cyclic_gc():
        started = time.perf_counter()
        rendered = [render_block(rows) for rows in _block_rows(approvals, holders)]
        render_s = time.perf_counter() - started
        metas = [block.meta() for block in rendered]
        lines = b"".join(block.lines for block in rendered)
        offsets = [0, *accumulate(len(block.lines) for block in rendered)]

        def lines_of(first: int, last: int) -> bytes:
            return lines[offsets[first]:offsets[last + 1]]

        snapshot = Snapshot(FACTS.serial, FACTS.published_at, [(row[4], row[5]) for row in approvals], holders,
                            aggregate(AddressRange(row[0], row[1], row[2]) for row in approvals),
                            FACTS.audit_head_seq, FACTS.audit_head_hash)
        print(f"{args.entries:,} entries, {len(snapshot.cidrs):,} txt lines, {len(rendered):,} blocks; "
              f"render_block over every block: {render_s:.2f} s")
        print(f"{'format':<10}{'assembled (s)':>14}{'MB':>8}{'render_* (s)':>14}  same bytes")
        for fmt in WhitelistFormat.ALL:
            def consume():
                return sum(map(len, assemble(fmt, FACTS, metas, lines_of, (b.csv_rows for b in rendered),
                                             (b.json_items for b in rendered))))
            assembled_s = _best(consume, args.repeat)
            reference_s = _best(lambda: RENDERERS[fmt](snapshot), args.repeat)
            same = b"".join(assemble(fmt, FACTS, metas, lines_of, (b.csv_rows for b in rendered),
                                     (b.json_items for b in rendered))) == RENDERERS[fmt](snapshot)
            print(f"{fmt:<10}{assembled_s:>14.3f}{consume() / 1e6:>8.1f}{reference_s:>14.3f}  {same}")


if __name__ == "__main__":
    main()
