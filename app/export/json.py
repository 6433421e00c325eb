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
from json.encoder import encode_basestring  # the C string escaper json.dumps(ensure_ascii=False) uses

from app.export.snapshot import Snapshot


def render_json(snapshot: Snapshot) -> bytes:
    v4, v6 = snapshot.families()
    head = {
        "syncToken": str(snapshot.serial),
        "createDate": snapshot.published_utc().strftime("%Y-%m-%d-%H-%M-%S"),
        "serial": snapshot.serial,
        "published_at": snapshot.published_iso(),
        "counts": {"entries": len(snapshot.entries), "prefixes": len(snapshot.cidrs),
                   "ipv4_prefixes": len(v4), "ipv6_prefixes": len(v6)},
        "audit_head": {"seq": snapshot.audit_head_seq, "hash": snapshot.audit_head_hash},
    }
    head_lines = "".join(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"
                         for key, value in head.items())
    prefixes = '"' + '",\n  "'.join(snapshot.cidrs) + '"' if snapshot.cidrs else ""
    # Bytes, not one text: a single Urdu name would widen a million-line text to 2-4 bytes a
    # character before encoding (measured: 4 s instead of under 1 s).
    entries = b",\n  ".join(_entries(snapshot))
    return b"".join([b"{\n", head_lines.encode(), b' "prefixes": [', *_items(prefixes.encode()),
                     b'],\n "entries": [', *_items(entries), b"]\n}\n"])


def _items(joined: bytes) -> list[bytes]:
    """A list's items, one a line and indented; nothing for an empty list, which then reads []."""
    return [b"\n  ", joined, b"\n "] if joined else []


def _entries(snapshot: Snapshot) -> list[bytes]:
    # Everything after the CIDR belongs to the application: written once per application.
    tails = {application_id: (f'"application_id": {application_id}, "applicant": {encode_basestring(applicant)}, '
                              f'"category": {encode_basestring(category)}, "approved_at": {_date(approved_at)}, '
                              f'"expires_at": {_date(expires_at)}}}').encode()
             for application_id, (applicant, category, approved_at, expires_at) in snapshot.holders.items()}
    return [b'{"cidr": "' + cidr.encode() + b'", ' + tails[application_id]
            for cidr, application_id in snapshot.entries]


def _date(iso: str) -> str:
    return f'"{iso}"' if iso else "null"
