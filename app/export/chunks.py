"""Bytes operations on whole chunks of txt lines, which every list format is written from.

A format's body can be a million lines; rewritten one line at a time in Python it takes seconds. A chunk
("39.32.0.0/23\\n111.68.96.7/32\\n...", whole lines only) is rewritten with one C-level replace instead, so
the per-line cost is memcpy's. The chunks may be one per block (assembly.py) or one per family (a Snapshot).
"""
from collections.abc import Iterable, Iterator


def each_line(chunk: bytes, before: bytes, after: bytes) -> bytes:
    """Every line "x\\n" of a non-empty chunk as before + x + after."""
    return before + chunk[:-1].replace(b"\n", after + before) + after


def rewritten(chunks: Iterable[bytes], before: bytes, after: bytes) -> Iterator[bytes]:
    """each_line over a stream of chunks; empty ones (a block without lines) are skipped, not written as a line."""
    return (each_line(chunk, before, after) for chunk in chunks if chunk)


def framed(opening: bytes, chunks: Iterable[bytes], closing: bytes) -> Iterator[bytes]:
    """The chunks between opening and closing, or nothing at all when there are none (nft refuses an empty
    element list, json writes an empty list as []). Returns, as a generator's value, whether any came."""
    any_chunk = False
    for chunk in chunks:
        if chunk:
            if not any_chunk:
                yield opening
                any_chunk = True
            yield chunk
    if any_chunk:
        yield closing
    return any_chunk
