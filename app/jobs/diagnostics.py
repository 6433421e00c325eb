"""A job that proves the round trip: enqueued by the web, run by the worker under the app context."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import User


def count_accounts() -> dict:
    """How many accounts the worker sees in the database, by role."""
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    return {role: n for role, n in rows}
