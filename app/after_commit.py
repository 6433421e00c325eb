"""Run work (like enqueueing a job) only once the current transaction has committed.

A worker must never pick up a job before the row it reads is committed, and a rolled-back change
must not leave a job behind.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "raasta.after_commit"


def call_after_commit(callback) -> None:
    session = db.session()  # the scoped session's own Session
    if not session.in_transaction():
        session.begin()  # so that a close() before any SQL still ends a transaction, which drops the callback
    session.info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    for callback in session.info.pop(_KEY, []):
        callback()


@event.listens_for(Session, "after_transaction_end")
def _drop_callbacks(session: Session, transaction) -> None:
    # Rolled back, or closed without a commit (close() fires no rollback event): its callbacks must not run after
    # the next commit of the same session. After a commit they have already run.
    if transaction.parent is None:
        session.info.pop(_KEY, None)
