"""The migrations create exactly the schema the models describe, on whichever database runs the suite."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db as _db


def test_migrations_match_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _db.metadata)
    assert differences == []


def test_ipv6_integers_round_trip_exactly(db, make_user):
    """128-bit starts and ends survive the database unchanged (SQLite has no 128-bit integer)."""
    from app.models import AddressEntry, Application

    user = make_user()
    application = Application(applicant_id=user.id, purpose="test")
    top = (1 << 128) - 1
    entry = AddressEntry(application=application, input="ffff::/16", version=6,
                         start=0xFFFF << 112, end=top, cidrs=["ffff::/16"])
    db.session.add(application)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AddressEntry, entry.id)
    assert (stored.start, stored.end) == (0xFFFF << 112, top)


def test_migration_0015_gives_submitted_applications_their_due_time(db, make_user, worker_env):
    """Applications submitted before the decision clock get the due time it would have given them."""
    from datetime import datetime, timezone

    from sqlalchemy import inspect, text

    from app.models import Application
    from app.services.decision_clock import PKT
    from tests.conftest import flask_cli

    applicant = make_user()
    friday = datetime(2026, 12, 4, 16, 30, tzinfo=PKT).astimezone(timezone.utc)
    submitted = Application(applicant=applicant, purpose="before the clock", state="ready", submitted_at=friday)
    draft = Application(applicant=applicant, purpose="never submitted")
    db.session.add_all([submitted, draft])
    db.session.commit()
    ids = submitted.id, draft.id
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the table while the migration alters it
    assert flask_cli(worker_env, "db", "downgrade", "0014").returncode == 0
    with db.engine.begin() as connection:
        assert "decision_due_at" not in [c["name"] for c in inspect(connection).get_columns("applications")]
    upgraded = flask_cli(worker_env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with db.engine.connect() as connection:
        due = dict(connection.execute(text("SELECT id, decision_due_at FROM applications")).all())
    db.engine.dispose()
    assert due[ids[1]] is None
    assert db.session.get(Application, ids[0]).decision_due_at == datetime(2026, 12, 7, 16, 30, tzinfo=PKT)
