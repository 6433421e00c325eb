"""The worker's register is read as numpy columns; it must hold exactly what the rows say."""
import pytest

from app.addresses import IndexEntry, parse_entry
from app.choices import State
from app.services import national_register
from app.services.national_register import Register, _rows


# Read in chunks of 3 rows too: on PostgreSQL the binary COPY stream is cut between rows and inside them.
@pytest.mark.parametrize("chunk_rows", [3, national_register.CHUNK_ROWS])
def test_the_columnar_register_holds_every_indexed_entry_as_the_rows_say(db, make_application, monkeypatch,
                                                                         chunk_rows):
    monkeypatch.setattr(national_register, "CHUNK_ROWS", chunk_rows)
    make_application(["39.32.12.0/24", "2400:cb00::/32", "10.0.0.1-10.0.0.9"], state=State.APPROVED)
    make_application(["39.32.12.128/25", "2400:cb00:1::/48"], state=State.READY)
    make_application(["39.32.200.7", "ffff::/16"], state=State.VALIDATING, ntn="7654321-0")
    make_application(["39.32.12.0/26"], state=State.FLAGGED, ntn="1111111-1")
    make_application(["39.32.13.0/24"], state=State.DRAFT, ntn="2222222-2")      # not in the register
    make_application(["39.32.14.0/24"], state=State.WITHDRAWN, ntn="3333333-3")  # nor this
    register = Register()
    register.refresh()
    expected = sorted(IndexEntry(*row) for row in _rows())
    assert len(expected) == 8 and sorted(register.base) == expected

    found = register.conflicts(parse_entry("2400:cb00::/40"))
    assert [(e.version, e.start, e.state) for e in found] == [
        (6, parse_entry("2400:cb00::/32").start, State.APPROVED), (6, parse_entry("2400:cb00:1::/48").start, State.READY)]
    assert all(type(e.application_id) is int and type(e.applicant_id) is int and type(e.state) is str for e in found)
    assert [e.state for e in register.conflicts(parse_entry("39.32.12.0/24"))] == [State.FLAGGED, State.APPROVED,
                                                                                    State.READY]
