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

    PostgreSQL: the trigger is disabled only inside this one transaction (ALTER TABLE is
    transactional), so no other session ever sees it off. SQLite: the test's own copy of the
    database loses its triggers for good.
    """

    def run(*statements: str, **params):
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
            else:
                connection.execute(text("DROP TRIGGER audit_events_no_update"))
                connection.execute(text("DROP TRIGGER audit_events_no_delete"))
            for statement in statements:
                connection.execute(text(statement), params)
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
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
