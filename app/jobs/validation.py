"""RQ job: validate one submitted application."""
from app.extensions import db
from app.models import Application
from app.services.validation import validate_application as validate


def validate_application(application_id: int) -> str | None:
    """Load the application, validate it and commit; returns its new state (None if it is gone)."""
    application = db.session.get(Application, application_id)
    if application is None:
        return None
    state = validate(application)
    db.session.commit()
    return state
