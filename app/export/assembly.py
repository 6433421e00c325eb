"""Every format's body streamed from a version's rendered blocks, never held whole in memory.

The caller gives the version's blocks' metadata in order (IPv4 then IPv6, by index; every block with
entries or with approved space in it) and reads a block's pieces by its position in that list. The list
formats are txt's lines rewritten chunk by chunk (each format's own *_chunks, re-exported here); txt's
lines are the blocks' lines, with every run of full blocks replaced by the run's cover (blocks.py says why
that is exact).
"""
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from app.addresses.ranges import BITS, format_address, prefixes_of
from app.choices import WhitelistFormat
from app.export.blocks import BlockMeta, block_span
from app.export.cisco import cisco_chunks
from app.export.csv import csv_chunks
from app.export.ipset import ipset_chunks
from app.export.json import json_chunks
from app.export.mikrotik import mikrotik_chunks
from app.export.nft import nft_chunks
from app.export.snapshot import Counts, VersionFacts

__all__ = ["FAMILY_FORMATS", "assemble", "cisco_chunks", "csv_chunks", "ipset_chunks", "json_chunks",
           "mikrotik_chunks", "nft_chunks", "prefix_counts", "txt_chunks", "version_counts"]

# (first, last) positions in the metadata -> the lines of those blocks, one after the other
LinesOf = Callable[[int, int], bytes]
SPAN = 1024  # blocks whose lines go out as one chunk: each chunk's rewriting costs the same however long it is

# The formats written from each family's txt lines, with the same parameters.
FAMILY_FORMATS = {
    WhitelistFormat.IPSET: ipset_chunks,
    WhitelistFormat.NFT: nft_chunks,
    WhitelistFormat.CISCO: cisco_chunks,
    WhitelistFormat.MIKROTIK: mikrotik_chunks,
}


class _Piece(NamedTuple):
    """A stretch of txt: the lines of neighbouring blocks that are not full, or the cover of a run of full blocks."""

    version: int
    first: int       # position of the first block
    last: int        # position of the last block
    line_count: int
    run: tuple[int, int] | None  # (first, last address) of a run of full blocks


def _pieces(metas: Sequence[BlockMeta]) -> Iterator[_Piece]:
    run: list = []    # [version, position, first index, last index] of the run of full blocks being gathered
    plain: list = []  # [version, first position, last position, lines] of the blocks with lines being gathered
    previous = None
    for position, meta in enumerate(metas):
        if previous is not None and (meta.version, meta.index) <= previous:
            raise ValueError(f"blocks out of order: {(meta.version, meta.index)} after {previous}")
        previous = (meta.version, meta.index)
        if run and not (meta.full and meta.version == run[0] and meta.index == run[3] + 1):
            yield _run_piece(*run)
            run = []
        if plain and (meta.full or meta.version != plain[0] or position - plain[1] >= SPAN):
            yield _Piece(*plain, None)
            plain = []
        if meta.full:
            run = run or [meta.version, position, meta.index, meta.index]
            run[3] = meta.index
        elif meta.line_count:
            plain = plain or [meta.version, position, position, 0]
            plain[2], plain[3] = position, plain[3] + meta.line_count
    if run:
        yield _run_piece(*run)
    if plain:
        yield _Piece(*plain, None)


def _run_piece(version: int, position: int, first_index: int, last_index: int) -> _Piece:
    span = (block_span(version, first_index)[0], block_span(version, last_index)[1])
    return _Piece(version, position, position + last_index - first_index, len(prefixes_of(*span, BITS[version])),
                  span)


def prefix_counts(metas: Sequence[BlockMeta]) -> tuple[int, int]:
    """(IPv4, IPv6) line counts of txt, from the metadata alone."""
    return _counted(_pieces(metas))


def _counted(pieces: Iterable[_Piece]) -> tuple[int, int]:
    counts = {4: 0, 6: 0}
    for piece in pieces:
        counts[piece.version] += piece.line_count
    return counts[4], counts[6]


def version_counts(metas: Sequence[BlockMeta]) -> Counts:
    return Counts(sum(meta.entry_count for meta in metas), *prefix_counts(metas))


def txt_chunks(metas: Sequence[BlockMeta], lines_of: LinesOf, version: int | None = None,
               pieces: Sequence[_Piece] | None = None) -> Iterator[bytes]:
    """txt's body, or one family's part of it: lines_of is read for stretches of neighbouring blocks that have
    lines and are not in a run of full blocks. `pieces`: those stretches, when the caller worked them out already
    (list(stretches(metas)); every list format reads txt, some twice)."""
    for piece in pieces if pieces is not None else _pieces(metas):
        if version is not None and piece.version != version:
            continue
        if piece.run is not None:
            yield "".join(f"{format_address(piece.version, network)}/{length}\n"
                          for network, length in prefixes_of(*piece.run, BITS[piece.version])).encode()
        elif piece.line_count:
            yield lines_of(piece.first, piece.last)


def assemble(fmt: str, facts: VersionFacts, metas: Sequence[BlockMeta], lines_of: LinesOf,
             csv_rows: Iterable[bytes], json_items: Iterable[bytes], counts: Counts | None = None) -> Iterator[bytes]:
    """A format's body as chunks: b"".join of them is what RENDERERS[fmt] writes for the same version.

    csv_rows and json_items are the blocks' csv rows and json items in block order, in chunks of any size (only the
    format that needs one reads it); counts, when the caller has them, saves reading the metadata again."""
    if fmt == WhitelistFormat.CSV:
        return csv_chunks(csv_rows)
    pieces = list(_pieces(metas))
    if fmt == WhitelistFormat.TXT:
        return txt_chunks(metas, lines_of, pieces=pieces)
    counts = counts or Counts(sum(meta.entry_count for meta in metas), *_counted(pieces))
    if fmt == WhitelistFormat.JSON:
        return json_chunks(facts, counts, txt_chunks(metas, lines_of, pieces=pieces), json_items)
    return FAMILY_FORMATS[fmt](facts, counts, txt_chunks(metas, lines_of, 4, pieces),
                               txt_chunks(metas, lines_of, 6, pieces))
