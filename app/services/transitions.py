"""Every application state change goes through move(), checked against choices.TRANSITIONS.

move() is a compare-and-set on the row: `UPDATE ... WHERE id = :id AND state = :expected`. Of two
requests racing from the same state (withdraw against submit, two submits, a worker finishing a
validation the applicant just withdrew), exactly one changes the row and the other gets a 409.
"""
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.choices import TRANSITIONS, State
from app.extensions import db
from app.models import Application
from app.models.types import utcnow
from app.services import Conflict
from app.services.notifications import notify_state
from app.services.register import announce, register_class

# Timestamps that a state change stamps on the application.
_STAMPS = {
    State.VALIDATING: "submitted_at",
    State.READY: "validated_at",
    State.FLAGGED: "validated_at",
    State.APPROVED: "approved_at",
    State.REJECTED: "decided_at",
    State.NEEDS_INFO: "decided_at",
}


def can_move(application: Application, new_state: str) -> bool:
    return new_state in TRANSITIONS[application.state]


def move(application: Application, new_state: str, actor=None, **data) -> None:
    """Change the state and record `application.<new_state>` in the same transaction."""
    if not can_move(application, new_state):
        raise Conflict(
            f"Application {application.id} is {application.state.replace('_', ' ')}; "
            f"it cannot become {new_state.replace('_', ' ')}.",
            details={"state": application.state, "requested": new_state},
        )
    previous = application.state
    changed = db.session.execute(
        update(Application).where(Application.id == application.id, Application.state == previous)
        .values(state=new_state).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict(f"Application {application.id} changed while this was being done (it is no longer "
                       f"{previous.replace('_', ' ')}); reload it and try again.",
                       details={"state": previous, "requested": new_state})
    set_committed_value(application, "state", new_state)  # the row has it already; no second UPDATE
    if new_state in _STAMPS:
        setattr(application, _STAMPS[new_state], utcnow())
    audit.record(f"application.{new_state}", application, actor=actor, before=previous, after=new_state, **data)
    if register_class(previous) != register_class(new_state):
        announce(application)
    notify_state(application)
