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
