"""Finding script in a PDF before a reviewer's viewer opens it.

A PDF can carry JavaScript (`/JavaScript`, `/JS`, often started by `/OpenAction` or an `/AA` trigger) or
ask the viewer to run a program (`/Launch`). No NTN certificate or CNIC scan needs either, so such files
are refused rather than cleaned. The names are looked for in the file as stored and inside its deflated
streams (object streams hide dictionaries there), with `#xx` escapes undone (`/J#61vaScript` is
`/JavaScript`). Inflating is capped so that a compression bomb costs little.
"""
import re
import zlib

from app.i18n import _l

ACTIVE_NAMES = {b"JavaScript": "JavaScript", b"JS": "JavaScript", b"Launch": "a command to start a program"}
# What active_content() found, as a refusal's sentence says it in the reader's language.
_IN_WORDS = {"a command to start a program": _l("a command to start a program")}

# A PDF name: a slash, then regular characters up to whitespace or a delimiter (PDF 1.7, 7.3.5).
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
INFLATE_BUDGET = 64 * 1024 * 1024  # bytes inflated per file at most, across all its streams


def active_content(content: bytes) -> str | None:
    """What script the PDF carries, in words ("JavaScript"), or None for a PDF that carries none."""
    for chunk in _readable_parts(content):
        for match in _NAME.finditer(chunk):
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
            if name in ACTIVE_NAMES:
                return ACTIVE_NAMES[name]
    return None


def in_words(script: str) -> str:
    """active_content()'s answer in the current language ("JavaScript" is JavaScript in every one)."""
    return str(_IN_WORDS.get(script, script))


def _readable_parts(content: bytes):
    """The file itself, then each of its streams inflated (those that are not deflated are skipped)."""
    yield content
    budget = INFLATE_BUDGET
    for match in _STREAM.finditer(content):
        if budget <= 0:
            return
        try:
            inflated = zlib.decompressobj().decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        yield inflated
