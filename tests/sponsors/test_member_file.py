"""Reading a member file as a whole: what is refused before any row is checked, and why."""
import io
import zipfile

import pytest

from app.services.sponsors.member_file import (
    MAX_ROWS,
    FileRefused,
    FileTooLarge,
    decode_csv,
    read_member_file,
)
from tests.sponsors.conftest import csv_of


def test_more_rows_than_the_limit_are_refused_naming_it(app):
    content = csv_of(*[f"M{n},35202-{n:07d}-1,m{n}@example.pk,,,,,," for n in range(MAX_ROWS + 1)])
    with pytest.raises(FileRefused) as refused:
        read_member_file("members.csv", content)
    assert "5,000" in refused.value.message and refused.value.status == 422
    assert len(read_member_file("members.csv", csv_of(*["a,b,c"] * MAX_ROWS)).rows) == MAX_ROWS


def test_a_workbook_that_unpacks_past_the_limit_is_a_413_and_is_never_opened(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(FileTooLarge) as refused:
        read_member_file("members.xlsx", buffer.getvalue())
    assert refused.value.status == 413 and "50 MB" in refused.value.message


@pytest.mark.parametrize("filename, content, says", [
    ("members.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel 97-2003"),
    ("members.pdf", b"%PDF-1.4 nothing", "neither a CSV nor an XLSX"),
    ("members.xlsx", b"PK\x03\x04 not really a zip", "cannot be read"),
    ("members.csv", b"   \n", "is empty"),
])
def test_what_is_not_a_member_file_is_refused_saying_what_to_do(app, filename, content, says):
    with pytest.raises(FileRefused) as refused:
        read_member_file(filename, content)
    assert says in refused.value.message


def test_encodings_are_told_apart():
    assert decode_csv("Zoë".encode()) == ("Zoë", "utf-8")
    assert decode_csv(b"\xef\xbb\xbf" + "Zoë".encode()) == ("Zoë", "utf-8-sig")
    assert decode_csv("Zoë".encode("cp1252")) == ("Zoë", "cp1252")
