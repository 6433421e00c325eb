"""Where to send the browser next: only ever a path on this site.

Every `?next=` goes through safe_next(). Refused: absolute URLs, scheme-relative `//host`, the
backslash forms browsers read as `//host` (`/\\host`), `javascript:` and anything with control
characters; what is refused falls back to the given default.
"""
from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
