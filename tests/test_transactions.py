"""One place commits: a request, a job or a CLI command commits once at its boundary, through
app.transactions.committed(); services never commit."""
import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import audit
from app.after_commit import call_after_commit
from app.models import AuditEvent
from app.services import ServiceError
from app.transactions import committed

APP = Path(__file__).resolve().parent.parent / "app"
# A rollback outside committed() only clears what a failed job left before its failure callback writes,
# or resets a connection the health check found broken.
ROLLBACK_ALLOWED = ("app/jobs/", "app/web/health.py")


def _session_calls(name: str):
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                yield str(path.relative_to(APP.parent)), node.lineno


def test_only_the_boundary_helper_commits():
    elsewhere = [f"{path}:{line}" for path, line in _session_calls("commit") if path != "app/transactions.py"]
    assert not elsewhere, "commit through app.transactions.committed() instead:\n" + "\n".join(elsewhere)


def test_rollbacks_are_only_where_they_are_allowed():
    elsewhere = [f"{path}:{line}" for path, line in _session_calls("rollback")
                 if path != "app/transactions.py" and not path.startswith(ROLLBACK_ALLOWED)]
    assert not elsewhere, "\n".join(elsewhere)


def _events(db) -> int:
    """Events committed, read on a connection of its own (after a commit the session may not emit SQL)."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent))


def test_committed_commits_the_block_and_then_runs_what_waited_for_the_commit(db):
    ran = []
    before = _events(db)
    with committed():
        audit.record("test.committed", None)
        call_after_commit(lambda: ran.append(_events(db)))
        assert ran == []
    assert ran == [before + 1] and _events(db) == before + 1


def test_a_refusal_rolls_the_whole_block_back_and_is_raised(db):
    ran = []
    before = _events(db)
    with pytest.raises(ServiceError, match="refused"), committed():
        audit.record("test.refused", None)
        call_after_commit(lambda: ran.append("sent"))
        raise ServiceError("refused")
    assert _events(db) == before and ran == []


def test_what_waited_for_a_commit_that_never_came_does_not_run_after_the_next_one(db):
    """close() ends a transaction without a rollback event: its after-commit work is dropped with it, not run
    when the same session next commits (a document file removed for a removal that was never committed)."""
    ran = []
    call_after_commit(lambda: ran.append("abandoned"))
    db.session.close()
    with committed():
        call_after_commit(lambda: ran.append("committed"))
    assert ran == ["committed"]
