"""ipset: an `ipset restore` file that replaces the live sets atomically.

For each family the file fills a temporary set, then swaps it with the live one in a single kernel
operation, so a firewall rule matching `raasta-v4` never sees a half-loaded list:

    create raasta-v4-new hash:net family inet hashsize H maxelem M -exist
    flush raasta-v4-new                  # a leftover of an interrupted load starts empty
    add raasta-v4-new 39.32.0.0/23       # ... the aggregated IPv4 CIDRs
    create raasta-v4 hash:net family inet hashsize H maxelem M -exist   # the first load only
    swap raasta-v4-new raasta-v4         # atomic: rules referencing raasta-v4 keep working
    destroy raasta-v4-new                # the previous version
    ... and the same for raasta-v6 (family inet6)

So an ISP's cron job needs only `ipset restore < latest.ipset` and rules such as
`iptables -I INPUT -m set --match-set raasta-v4 src -j ACCEPT`. ipset restore stops at the first
failing line, and every line before the swap touches only the temporary set, so a failed load
leaves the live set as it was.

maxelem is fixed at MAXELEM (grown to a power of two only beyond it) because the kernel compares
maxelem (not hashsize) when `create -exist` meets an existing set: a maxelem that changed between
versions would make the live set's create line fail. maxelem is only a ceiling; the kernel allocates
by hashsize, which is sized to the list so a big load does not rehash. Lines starting with '#' are
comments to ipset restore (checked with ipset v7.17). The set names are parameters so tests can use
names of their own; published files always use the defaults.
"""
from collections.abc import Iterable, Iterator

from app.export.chunks import rewritten
from app.export.snapshot import Counts, Snapshot, VersionFacts, title

MAXELEM = 1 << 24        # 16,777,216: far above any plausible whitelist, and the same in every version
MIN_HASHSIZE = 1024      # ipset's own default
TEMPORARY_SUFFIX = "-new"


def render_ipset(snapshot: Snapshot, v4: str = "raasta-v4", v6: str = "raasta-v6") -> bytes:
    v4_lines, v6_lines = snapshot.family_lines()
    return b"".join(ipset_chunks(snapshot.facts(), snapshot.counts(), [v4_lines], [v6_lines], v4, v6))


def ipset_chunks(facts: VersionFacts, counts: Counts, v4_line_chunks: Iterable[bytes],
                 v6_line_chunks: Iterable[bytes], v4: str = "raasta-v4", v6: str = "raasta-v6") -> Iterator[bytes]:
    """The file from each family's txt lines."""
    yield (f"# {title(facts, counts)}\n"
           f"# Fills {v4}{TEMPORARY_SUFFIX} and {v6}{TEMPORARY_SUFFIX}, then swaps each with {v4} / {v6}.\n").encode()
    yield from _replace_set(v4, "inet", counts.v4_prefixes, v4_line_chunks)
    yield from _replace_set(v6, "inet6", counts.v6_prefixes, v6_line_chunks)


def _replace_set(live: str, family: str, size: int, line_chunks: Iterable[bytes]) -> Iterator[bytes]:
    temporary = live + TEMPORARY_SUFFIX
    params = f"hash:net family {family} hashsize {_power_of_two(size, MIN_HASHSIZE)} " \
             f"maxelem {_power_of_two(size, MAXELEM)} -exist"
    yield f"create {temporary} {params}\nflush {temporary}\n".encode()
    yield from rewritten(line_chunks, f"add {temporary} ".encode(), b"\n")
    yield f"create {live} {params}\nswap {temporary} {live}\ndestroy {temporary}\n".encode()


def _power_of_two(count: int, at_least: int) -> int:
    return max(at_least, 1 << (count - 1).bit_length())
