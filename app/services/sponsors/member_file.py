"""A sponsor's member file, CSV or XLSX, read into a header and rows of text; a file that cannot be read safely is
refused as a whole (FileRefused), with a message that says what to do.

CSV text is read as UTF-8 (with or without a byte order mark, as Excel's "CSV UTF-8" writes it), else as
Windows-1252 (Excel's plain "CSV" on a Windows PC in Pakistan); which one was used is kept and shown. A file in
which some lines are UTF-8 and others are not was stitched together from two sources: any one reading of it would
garble half of the names, so it is refused, naming a line of each.
"""
import csv
import io
import zipfile
from dataclasses import dataclass

from app.i18n import _, ngettext
from app.services import ServiceError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_XLSX_UNPACKED = 50 * 1024 * 1024  # an XLSX is a zip: a few kilobytes can unpack to gigabytes
UTF8, UTF8_BOM, CP1252 = "utf-8", "utf-8-sig", "cp1252"
ENCODING_NAMES = {UTF8: "UTF-8", UTF8_BOM: "UTF-8 (with byte order mark)", CP1252: "Windows-1252"}
CSV, XLSX = "csv", "xlsx"


class FileRefused(ServiceError):
    """The file as a whole cannot be read: nothing in it is checked further."""


class FileTooLarge(FileRefused):
    status = 413
    code = "too_large"


@dataclass
class MemberFile:
    file_format: str
    encoding: str | None          # for a CSV: UTF8, UTF8_BOM or CP1252
    header: list[str]
    rows: list[list[str]]         # each as text, stripped; rows[0] is the file's row 2 (the header is row 1)


def too_large_message(size: int | None = None) -> str:
    limit = f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
    if size is None:
        return _("The file is larger than %(limit)s; split the members over several files of at most %(rows)s "
                 "rows.", limit=limit, rows=f"{MAX_ROWS:,}")
    return _("The file is %(size)s MB, more than %(limit)s; split the members over several files of at most "
             "%(rows)s rows.", size=f"{size / (1024 * 1024):.1f}", limit=limit, rows=f"{MAX_ROWS:,}")


def file_format_of(filename: str, content: bytes) -> str:
    """CSV or XLSX, from the name and the first bytes (an XLSX is a zip); anything else is refused."""
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        if name.endswith((".xlsx", ".xlsm")) or not name.endswith(".csv"):
            return XLSX
    if name.endswith((".csv", ".txt")) and content[:4] != b"PK\x03\x04":
        return CSV
    if name.endswith(".xls") or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(_("'%(file)s' is an old Excel 97-2003 workbook; save it as .xlsx or as CSV UTF-8 and "
                            "upload that.", file=filename), field="file")
    raise FileRefused(_("'%(file)s' is neither a CSV nor an XLSX file; save the member list as CSV UTF-8 or "
                        "as an Excel workbook (.xlsx).", file=filename), field="file")


def decode_csv(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 if it all is, else Windows-1252 if no line is UTF-8 with non-ASCII letters."""
    try:
        return content.decode(UTF8_BOM), UTF8_BOM if content.startswith(b"\xef\xbb\xbf") else UTF8
    except UnicodeDecodeError:
        pass
    first_utf8 = first_other = None
    for number, line in enumerate(content.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode(UTF8_BOM)
            first_utf8 = first_utf8 or number
        except UnicodeDecodeError:
            first_other = first_other or number
        if first_utf8 and first_other:
            raise FileRefused(_("The file mixes two text encodings: line %(utf8)s is UTF-8 but line %(other)s is "
                                "not. Open it in Excel and save it again as \"CSV UTF-8\", then upload that.",
                                utf8=first_utf8, other=first_other), field="file")
    try:
        return content.decode(CP1252), CP1252
    except UnicodeDecodeError:
        raise FileRefused(_("The file is neither UTF-8 nor Windows-1252 text; save it from Excel as \"CSV UTF-8\" "
                            "and upload that."), field="file") from None


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in some locales writes ;
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileRefused(_("The CSV cannot be read (%(reason)s); save it from Excel as \"CSV UTF-8\" and upload "
                            "that.", reason=str(exc)), field="file") from None


def _cell_text(value) -> str:
    """An XLSX cell as text: whole numbers without ".0" (a CNIC typed as a number), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only when an XLSX comes: the import costs 0.3 s

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise FileTooLarge(_("The workbook unpacks to %(size)s MB, more than %(limit)s MB; save the member list "
                                 "alone, as CSV UTF-8, and upload that.", size=unpacked // (1024 * 1024),
                                 limit=MAX_XLSX_UNPACKED // (1024 * 1024)), field="file")
        # data_only=False: a formula cell reads as its formula ("=HYPERLINK(...)"), which the row checks refuse.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        workbook.close()
        return rows
    except FileRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or disguised file
        raise FileRefused(_("The workbook cannot be read (%(reason)s); save it again from Excel as .xlsx, or as CSV "
                            "UTF-8, and upload that.", reason=type(exc).__name__), field="file") from None


def read_member_file(filename: str, content: bytes) -> MemberFile:
    """The header and the non-blank rows of the file, each cell text with surrounding spaces removed."""
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(too_large_message(len(content)), field="file")
    if not content.strip():
        raise FileRefused(_("'%(file)s' is empty; put a header row (name, cnic, email, ...) and one row per "
                            "member.", file=filename), field="file")
    file_format = file_format_of(filename, content)
    encoding = None
    if file_format == CSV:
        text, encoding = decode_csv(content)
        rows = _csv_rows(text)
    else:
        rows = _xlsx_rows(content)
    rows = [[cell.strip() for cell in row] for row in rows]
    if not rows:
        raise FileRefused(_("'%(file)s' has no rows; put a header row (name, cnic, email, ...) and one row per "
                            "member.", file=filename), field="file")
    header, body = rows[0], rows[1:]
    while body and not any(body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        raise FileRefused(ngettext("The file has more than %(num)s member row; split it into files of at most "
                                   "%(num)s rows.",
                                   "The file has more than %(num)s member rows; split it into files of at most "
                                   "%(num)s rows.", MAX_ROWS), field="file")
    return MemberFile(file_format, encoding, header, body)
