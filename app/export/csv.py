"""csv: a header row, then one row per CIDR of each approved entry, for spreadsheets and scripts.

RFC 4180: a field is quoted only when it holds a comma, a quote, CR or LF, with its quotes doubled,
and every record ends in CRLF (the RFC's line break; a line break typed inside an applicant's name
stays inside its quoted field). These are exactly the bytes Python's csv.writer writes with
lineterminator="\\r\\n" (a test holds the two together), formatted here by hand because the csv
module takes three times as long on a million rows. UTF-8 without a byte-order mark, so the first
header cell reads "cidr" to scripts. An entry without an expiry has an empty expires_at.

Applicants type their own names, and a name such as `=HYPERLINK(...)` would run as a formula when a
reviewer or an ISP opens the file in a spreadsheet (CSV injection). So a text cell that starts with
= + - @, a tab or a carriage return is written with a leading single quote ('=HYPERLINK...), which
spreadsheets show as plain text (OWASP's advice; app.spreadsheet, as in every CSV the portal writes).
Only the free-text columns, applicant and category, can start that way: CIDRs, ids and ISO dates never do.
"""
from collections.abc import Iterable, Iterator

from app.export.snapshot import Holder, Snapshot
from app.spreadsheet import safe_cell

HEADER = ("cidr", "application_id", "applicant", "category", "approved_at", "expires_at")
NEEDS_QUOTES = frozenset(',"\r\n')


def text_cell(text: str) -> str:
    """A free-text field as it is written: defused against formulas, then quoted if it must be."""
    text = safe_cell(text)
    if NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def render_csv(snapshot: Snapshot) -> bytes:
    return b"".join(csv_chunks([csv_rows(snapshot.entries, snapshot.holders)]))


def csv_chunks(row_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The header, then the rows as they come (each chunk whole rows, from csv_rows)."""
    yield (",".join(HEADER) + "\r\n").encode()
    yield from (chunk for chunk in row_chunks if chunk)


def csv_rows(entries: Iterable[tuple[str, int]], holders: dict[int, Holder]) -> bytes:
    """The rows of (cidr, application id) entries, in their order."""
    tails = _tails(holders)
    return b"".join([cidr.encode() + tails[application_id] for cidr, application_id in entries])


def _tails(holders: dict[int, Holder]) -> dict[int, bytes]:
    """Every cell after the CIDR belongs to the application: written once per application, as bytes (a single
    Urdu name would otherwise widen a whole million-line text; see json)."""
    return {application_id: f",{application_id},{text_cell(applicant)},{text_cell(category)},"
                            f"{approved_at},{expires_at}\r\n".encode()
            for application_id, (applicant, category, approved_at, expires_at) in holders.items()}
