"""txt: the aggregated CIDRs, one a line, IPv4 then IPv6, numerically sorted, nothing else.

Every other list format is this file's lines rewritten (app/export/chunks.py); assembly.txt_chunks streams
it from rendered blocks."""
from app.export.snapshot import Snapshot


def render_txt(snapshot: Snapshot) -> bytes:
    return b"".join(snapshot.family_lines())
