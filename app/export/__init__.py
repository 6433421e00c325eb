"""The whitelist's formats: one pure function per format, Snapshot in, bytes out.

Rendering the same snapshot always gives the same bytes, so a body's sha256 is its identity. Each format
module also writes its body as a stream of chunks (its *_chunks function, which render_* joins): publication
assembles them from the address space's blocks, rendered and kept one block at a time (blocks.py,
assembly.py), without holding a body in memory.
"""
from collections.abc import Callable

from app.choices import WhitelistFormat
from app.export.cisco import render_cisco
from app.export.csv import render_csv
from app.export.ipset import render_ipset
from app.export.json import render_json
from app.export.mikrotik import render_mikrotik
from app.export.nft import render_nft
from app.export.snapshot import ApprovedRow, Holder, Snapshot
from app.export.txt import render_txt

# In the order of WhitelistFormat.ALL (the order publication stores and lists them).
RENDERERS: dict[str, Callable[[Snapshot], bytes]] = {
    WhitelistFormat.TXT: render_txt,
    WhitelistFormat.CSV: render_csv,
    WhitelistFormat.JSON: render_json,
    WhitelistFormat.IPSET: render_ipset,
    WhitelistFormat.NFT: render_nft,
    WhitelistFormat.CISCO: render_cisco,
    WhitelistFormat.MIKROTIK: render_mikrotik,
}

__all__ = ["RENDERERS", "ApprovedRow", "Holder", "Snapshot", "render"]


def render(fmt: str, snapshot: Snapshot) -> bytes:
    return RENDERERS[fmt](snapshot)
