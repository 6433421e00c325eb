"""The whitelist's formats: one pure function per format, Snapshot in, bytes out.

Rendering the same snapshot always gives the same bytes, so a body's sha256 is its identity.
"""
from collections.abc import Callable

from app.choices import WhitelistFormat
from app.export.snapshot import ApprovedRow, Snapshot
from app.export.txt import render_txt

RENDERERS: dict[str, Callable[[Snapshot], bytes]] = {
    WhitelistFormat.TXT: render_txt,
}

__all__ = ["RENDERERS", "ApprovedRow", "Snapshot", "render"]


def render(fmt: str, snapshot: Snapshot) -> bytes:
    return RENDERERS[fmt](snapshot)
