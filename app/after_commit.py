"""Run work (like enqueueing a job) only once the current transaction has committed.

A worker must never pick up a job before the row it reads is committed, and a rolled-back change
must not leave a job behind.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "raasta.after_commit"


def call_after_commit(callback) -> None:
    db.session.info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    for callback in session.info.pop(_KEY, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_callbacks(session: Session) -> None:
    session.info.pop(_KEY, None)
