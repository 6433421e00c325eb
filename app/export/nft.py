"""nft: an `nft -f` file that replaces the contents of two interval sets in one transaction.

    table inet raasta {
        set whitelist_v4 { type ipv4_addr; flags interval; }    # created on the first load
        set whitelist_v6 { type ipv6_addr; flags interval; }
    }
    flush set inet raasta whitelist_v4
    flush set inet raasta whitelist_v6
    add element inet raasta whitelist_v4 { 39.32.0.0/23, ... }
    add element inet raasta whitelist_v6 { 2400:adc0:100::/48, ... }

`nft -f` applies a file as one atomic transaction, so the sets go from the old list to the new one
with no moment in between. Declaring a table or set that exists is a no-op, so the same file loads
first time and every time after. Only the sets are flushed, never the table: chains an operator adds
to `table inet raasta` (sets can only be matched from their own table), e.g.
`ip saddr @whitelist_v4 accept`, survive every reload. nft refuses an empty `elements = { }`, so a
family without prefixes simply gets no `add element` line. Elements go one a line with a trailing
comma, which nft accepts. Checked with `nft -c -f` and real loads on nftables v1.0.6.
"""
from collections.abc import Iterable, Iterator

from app.export.chunks import framed, rewritten
from app.export.snapshot import Counts, Snapshot, VersionFacts, title


def render_nft(snapshot: Snapshot, table: str = "raasta") -> bytes:
    v4_lines, v6_lines = snapshot.family_lines()
    return b"".join(nft_chunks(snapshot.facts(), snapshot.counts(), [v4_lines], [v6_lines], table))


def nft_chunks(facts: VersionFacts, counts: Counts, v4_line_chunks: Iterable[bytes],
               v6_line_chunks: Iterable[bytes], table: str = "raasta") -> Iterator[bytes]:
    """The file from each family's txt lines."""
    yield (f"# {title(facts, counts)}\n"
           f"table inet {table} {{\n"
           "\tset whitelist_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n"
           "\tset whitelist_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n"
           "}\n"
           f"flush set inet {table} whitelist_v4\n"
           f"flush set inet {table} whitelist_v6\n").encode()
    for name, line_chunks in (("whitelist_v4", v4_line_chunks), ("whitelist_v6", v6_line_chunks)):
        yield from framed(f"add element inet {table} {name} {{\n".encode(),
                          rewritten(line_chunks, b"\t", b",\n"), b"}\n")
