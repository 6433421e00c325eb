"""CSV exports never hand a spreadsheet a formula (issue 11.11)."""
import csv
import io
from types import SimpleNamespace

from app import audit
from app.spreadsheet import safe_cell


def test_cells_that_a_spreadsheet_would_evaluate_are_prefixed():
    assert [safe_cell(v) for v in ("=1+2", "+92 300", "-5", "@SUM(A1)", "\tx", "plain", 7, None)] == \
        ["'=1+2", "'+92 300", "'-5", "'@SUM(A1)", "'\tx", "plain", 7, None]


def test_the_audit_csv_export_neutralises_an_actor_named_like_a_formula(db):
    attacker = SimpleNamespace(id=9, email="=1+2@example.pk", role="applicant")
    audit.record("user.signed_in", ("user", 9), actor=attacker)
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO("".join(audit.export_lines(audit.search(), "csv")))))
    assert rows[0]["actor_name"] == "'=1+2@example.pk"
    jsonl = "".join(audit.export_lines(audit.search(), "jsonl"))
    assert '"actor_name":"=1+2@example.pk"' in jsonl  # the re-verifiable export keeps the exact value
