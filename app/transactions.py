"""The one place a change is committed: the boundary of a request, a job or a CLI command.

Services change rows and never commit (each leaves it to its caller); the boundary runs them inside
`committed()`, which commits once when the block ends and rolls back when it raises, so a refusal
(a ServiceError) or a crash leaves nothing half-done. What was queued with the change (jobs in the outbox,
files to delete: app.after_commit) runs once the commit has succeeded.
"""
from contextlib import contextmanager

from app.extensions import db


@contextmanager
def committed():
    """Commit what the block changed, or roll it all back if the block raises (and let the error through)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
