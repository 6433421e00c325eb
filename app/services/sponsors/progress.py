"""What a sponsor may know of its members: how far each invitation went, in four words, and nothing else.

Never a document, a finding, an address or the decision's reasons; and of a member who withdrew consent, only
that. Read in one query whatever the number of members.
"""
from sqlalchemy import select

from app.choices import InvitationState, State
from app.extensions import db
from app.models import Application, Invitation, Sponsor

INVITED, ACCEPTED, SUBMITTED, DECIDED = "invited", "accepted", "submitted", "decided"
DECLINED, WITHDRAWN = InvitationState.DECLINED, InvitationState.WITHDRAWN
PROGRESS = (INVITED, ACCEPTED, SUBMITTED, DECIDED, DECLINED, WITHDRAWN)
_BY_APPLICATION_STATE = {State.DRAFT: ACCEPTED, **{s: SUBMITTED for s in State.PENDING},
                         **{s: DECIDED for s in (State.APPROVED, State.SUSPENDED, State.REJECTED, State.REVOKED,
                                                 State.EXPIRED)},
                         State.WITHDRAWN: WITHDRAWN}


def progress_word(invitation_state: str, application_state: str | None) -> str:
    if invitation_state != InvitationState.ACCEPTED:
        return invitation_state
    return _BY_APPLICATION_STATE.get(application_state, ACCEPTED)


def members_progress(sponsor: Sponsor) -> list[dict]:
    """[{"invitation_id", "row", "import_id", "name", "email", "progress"}], oldest first. The name and email are
    the sponsor's own (from its file), not what the member corrected them to."""
    rows = db.session.execute(
        select(Invitation.id, Invitation.import_id, Invitation.row, Invitation.name, Invitation.email,
               Invitation.state, Application.state)
        .outerjoin(Application, Application.id == Invitation.application_id)
        .where(Invitation.sponsor_id == sponsor.id).order_by(Invitation.id)).all()
    return [{"invitation_id": i, "import_id": import_id, "row": row, "name": name, "email": email,
             "progress": progress_word(state, application_state)}
            for i, import_id, row, name, email, state, application_state in rows]
