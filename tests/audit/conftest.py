"""Audit fixtures: a short chain of events, an application with a timeline, and a way past the triggers."""
import pytest
from sqlalchemy import text

from app import audit
from app.models import Application


@pytest.fixture
def chain(db):
    """chain(n) -> n committed events from the system actor, seqs 1..n."""

    def make(n: int = 5):
        events = [audit.record("test.event", ("thing", i), n=i) for i in range(1, n + 1)]
        db.session.commit()
        return events

    return make


@pytest.fixture
def tamper(db):
    """tamper(sql, **params): run a write on audit_events the way an intruder with DDL rights would.

    The triggers are off only inside this one transaction: PostgreSQL disables them (ALTER TABLE is
    transactional, so no other session ever sees them off); SQLite drops them and creates them again
    from their stored definitions. So verify_chain() finds every trigger in force afterwards and
    judges the chain alone.
    """

    def run(*statements: str, **params):
        with db.engine.begin() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                for table in ("audit_events", "audit_checkpoints"):
                    connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                                   "AND tbl_name IN ('audit_events', 'audit_checkpoints')")).all()
                for name, _ in triggers:
                    connection.execute(text(f"DROP TRIGGER {name}"))
            for statement in statements:
                connection.execute(text(statement), params)
            if postgres:
                for table in ("audit_events", "audit_checkpoints"):
                    connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            else:
                for _, sql in triggers:
                    connection.execute(text(sql))
        db.session.expire_all()

    return run


@pytest.fixture
def application(db, make_user):
    """An applicant's application with a three-event timeline, one event with a reviewer's internal note."""
    owner, reviewer = make_user("applicant"), make_user("reviewer")
    row = Application(applicant_id=owner.id, purpose="Office VPN")
    db.session.add(row)
    db.session.flush()
    audit.record("application.created", row, actor=owner, after={"purpose": "Office VPN"})
    audit.record("application.needs_info", row, actor=reviewer, before="ready", after="needs_info",
                 message="Please upload your NTN certificate.", internal={"note": "ISP says range is shared"})
    audit.record("application.edited", row, actor=owner, before={"purpose": "Office VPN"},
                 after={"purpose": "Office VPN to Germany"})
    db.session.commit()
    row.owner, row.reviewer = owner, reviewer
    return row
