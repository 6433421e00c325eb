"""cisco: IOS / IOS-XE prefix lists, RAASTA-V4 and RAASTA-V6, to paste or `copy` into running-config.

    ! Raasta whitelist serial 12, published ...
    no ip prefix-list RAASTA-V4
    ip prefix-list RAASTA-V4 description Raasta whitelist serial 12
    ip prefix-list RAASTA-V4 seq 5 permit 39.32.0.0/23
    ip prefix-list RAASTA-V4 seq 10 permit ...
    no ipv6 prefix-list RAASTA-V6
    ...

Each list is removed first so a reload replaces it rather than merging into it (a `seq` that exists
is overwritten, but one the new version no longer has would stay). Sequence numbers go 5, 10, 15,
leaving room for an operator's own lines, as IOS numbers them itself. The prefixes are exact matches
(no ge/le), as approved. A family without prefixes gets `deny 0.0.0.0/0 le 32` (`::/0 le 128`): IOS
treats a route-map's reference to a list that does not exist as matching everything, so an empty
whitelist must still exist and match nothing. '!' starts a comment in IOS configuration.

IOS applies the lines one by one: between the `no` line and the last `permit` a route-map sees a
partial list. Operators who need an atomic change load the file with `configure replace`, or into a
list of another name and then point the route-map at it.
"""
from collections.abc import Iterable, Iterator

from app.export.chunks import each_line
from app.export.snapshot import Counts, Snapshot, VersionFacts, title

STEP = 5  # between sequence numbers, and the first one


def render_cisco(snapshot: Snapshot, v4: str = "RAASTA-V4", v6: str = "RAASTA-V6") -> bytes:
    v4_lines, v6_lines = snapshot.family_lines()
    return b"".join(cisco_chunks(snapshot.facts(), snapshot.counts(), [v4_lines], [v6_lines], v4, v6))


def cisco_chunks(facts: VersionFacts, counts: Counts, v4_line_chunks: Iterable[bytes],
                 v6_line_chunks: Iterable[bytes], v4: str = "RAASTA-V4", v6: str = "RAASTA-V6") -> Iterator[bytes]:
    """The configuration from each family's txt lines; the sequence numbers run on across chunks."""
    yield f"! {title(facts, counts)}\n".encode()
    yield from _prefix_list("ip", v4, v4_line_chunks, "0.0.0.0/0 le 32", facts.serial)
    yield from _prefix_list("ipv6", v6, v6_line_chunks, "::/0 le 128", facts.serial)
    yield b"end\n"


def _prefix_list(family: str, name: str, line_chunks: Iterable[bytes], everything: str,
                 serial: int) -> Iterator[bytes]:
    command = f"{family} prefix-list {name}"
    yield f"no {command}\n{command} description Raasta whitelist serial {serial}\n".encode()
    head = f"{command.replace('%', '%%')} seq %d permit ".encode()
    seq = STEP
    for chunk in line_chunks:
        if chunk:
            # The chunk itself becomes the %-template, so the numbers are the only per-line work and are done in
            # C (twice as fast as formatting number and CIDR together). CIDR text never holds a '%'.
            if b"%" in chunk:
                raise ValueError(f"not txt lines: {chunk[:80]!r}")
            count = chunk.count(b"\n")
            yield each_line(chunk, head, b"\n") % tuple(range(seq, seq + STEP * count, STEP))
            seq += STEP * count
    if seq == STEP:
        yield f"{command} seq {STEP} deny {everything}\n".encode()
