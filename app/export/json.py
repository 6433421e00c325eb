"""json: the version's facts, its aggregated prefixes and one object per CIDR of each approved entry.

Shaped after AWS's ip-ranges.json, which ISP tooling already reads: `syncToken` changes with every
version and `createDate` is "YYYY-MM-DD-hh-mm-ss" in UTC. The sync token is the serial (as a string,
like AWS's): it is unique and increasing per version, where two publications can share a second.
Then serial, published_at (ISO 8601, UTC), counts, the audit chain head that witnessed publication,
`prefixes` (the aggregated CIDRs, as in txt) and `entries` (the rows of csv, with null for no expiry).

Keys come in a fixed order and every prefix and entry sits on its own line, so the file is
deterministic, diffs line by line and can be read a line at a time. UTF-8, names not escaped.
Each entry is written from a template rather than by json.dumps: only the applicant's name and the
category need JSON escaping; CIDRs, ids and ISO dates are plain ASCII without quotes or backslashes.
"""
import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # the C string escaper json.dumps(ensure_ascii=False) uses

from app.export.chunks import rewritten
from app.export.snapshot import Counts, Holder, Snapshot, VersionFacts

ITEM = b",\n  "  # what precedes every item of a list; the list's first item drops the comma


def render_json(snapshot: Snapshot) -> bytes:
    prefixes = b"".join(snapshot.family_lines())
    return b"".join(json_chunks(snapshot.facts(), snapshot.counts(), [prefixes],
                                [json_items(snapshot.entries, snapshot.holders)]))


def json_chunks(facts: VersionFacts, counts: Counts, txt_line_chunks: Iterable[bytes],
                item_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The document from its parts: txt_line_chunks are the aggregated CIDRs as txt lines (IPv4 then IPv6),
    item_chunks the entries as json_items writes them."""
    yield b"{\n" + _head(facts, counts).encode() + b' "prefixes": ['
    yield from _listed(rewritten(txt_line_chunks, ITEM + b'"', b'"'))
    yield b'],\n "entries": ['
    yield from _listed(item_chunks)
    yield b"]\n}\n"


def _head(facts: VersionFacts, counts: Counts) -> str:
    head = {
        "syncToken": str(facts.serial),
        "createDate": facts.published_utc().strftime("%Y-%m-%d-%H-%M-%S"),
        "serial": facts.serial,
        "published_at": facts.published_iso(),
        "counts": {"entries": counts.entries, "prefixes": counts.v4_prefixes + counts.v6_prefixes,
                   "ipv4_prefixes": counts.v4_prefixes, "ipv6_prefixes": counts.v6_prefixes},
        "audit_head": {"seq": facts.audit_head_seq, "hash": facts.audit_head_hash},
    }
    return "".join(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n" for key, value in head.items())


def _listed(item_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A list's items, one a line and indented (each chunk's items preceded by ITEM, the first comma
    dropped); nothing for an empty list, which then reads []."""
    first = True
    for chunk in item_chunks:
        if chunk:
            yield chunk[1:] if first else chunk
            first = False
    if not first:
        yield b"\n "


def json_items(entries: Iterable[tuple[str, int]], holders: dict[int, Holder]) -> bytes:
    """The entry objects of (cidr, application id) entries, in their order, each preceded by ITEM.

    Bytes, not one text: a single Urdu name would widen a million-line text to 2-4 bytes a
    character before encoding (measured: 4 s instead of under 1 s)."""
    tails = _tails(holders)
    return b"".join([ITEM + b'{"cidr": "' + cidr.encode() + b'", ' + tails[application_id]
                     for cidr, application_id in entries])


def _tails(holders: dict[int, Holder]) -> dict[int, bytes]:
    """Everything after the CIDR belongs to the application: written once per application."""
    return {application_id: (f'"application_id": {application_id}, "applicant": {encode_basestring(applicant)}, '
                             f'"category": {encode_basestring(category)}, "approved_at": {_date(approved_at)}, '
                             f'"expires_at": {_date(expires_at)}}}').encode()
            for application_id, (applicant, category, approved_at, expires_at) in holders.items()}


def _date(iso: str) -> str:
    return f'"{iso}"' if iso else "null"
