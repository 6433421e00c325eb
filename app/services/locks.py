"""Locks that make every reviewer decision a compare-and-set, on PostgreSQL and on SQLite alike.

PostgreSQL locks rows (SELECT ... FOR UPDATE) and, for the approved space, one advisory lock.
SQLite has no row locks: it has one write lock per database, taken by a transaction's first
write. So on SQLite a decision first takes that lock with a write that matches no row, and only
then reads what it checks: a racing decision waits (busy_timeout) and then reads the winner's
committed result. The read must come after the lock: pysqlite runs SELECTs outside a transaction
until the first write, so nothing read earlier is held.
"""
from sqlalchemy import Select, text

from app.extensions import db

_APPROVED_SPACE_KEY = 0x5241_4150  # "RAAP": approvals, revocations and expiries, one at a time


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def take_sqlite_write_lock() -> None:
    if _dialect() == "sqlite":
        db.session.execute(text("UPDATE batches SET id = id WHERE 0"))


def locked(query: Select, of=None) -> list:
    """The rows of `query`, locked until the transaction ends and read fresh (not from the session's cache).

    `of` names the table to lock when the query joins others (FOR UPDATE OF applications).
    """
    take_sqlite_write_lock()
    return db.session.scalars(query.with_for_update(of=of).execution_options(populate_existing=True)).all()


def lock_approved_space() -> None:
    """Serialise every change of the approved space, so each one re-checks against the last one's result.

    Of two reviewers approving overlapping batches, the second waits here and then finds the first's
    approved prefixes, and gets a 409 that names each conflict. PostgreSQL's exclusion constraint on
    approved_prefixes stays as the backstop for any path that skips this lock.
    """
    if _dialect() == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPROVED_SPACE_KEY})
    else:
        take_sqlite_write_lock()
