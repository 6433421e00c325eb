"""Two reviewers reinstate the same suspended application at the same moment: exactly one wins.

Each request runs in its own thread through its own app (own engine and connections), released together by a
barrier, as in tests/review/test_concurrent_approval.py: real concurrent transactions.
"""

from sqlalchemy import func, select

from app.choices import ConfirmationState, State
from app.models import Application, ApprovedPrefix, AuditEvent, IspConfirmation, WhitelistVersion
from app.services import isp_confirmations as confirmations
from app.services.tokens import issue_token
from tests.racing import ApiCall, at_once_through_own_apps


def test_exactly_one_of_two_reinstatements_wins(app, db, make_user, isp_user, make_applicant, approved_application):
    ptcl = isp_user("PTCL")
    application = approved_application(["39.32.0.0/24"], applicant=make_applicant("Indus Soft", "PTCL", "PTCL-1"))
    confirmation = IspConfirmation(application_id=application.id, organisation_id=ptcl.organisation_id,
                                   subscriber_id="PTCL-1", state=ConfirmationState.PENDING)
    db.session.add(confirmation)
    db.session.commit()
    confirmations.answer(confirmation, "dispute", "Not on our books", ptcl)
    db.session.commit()
    tokens = [issue_token(make_user("reviewer"), "race"), issue_token(make_user("admin"), "race")]
    db.session.commit()
    versions_before = db.session.scalar(select(func.count()).select_from(WhitelistVersion))

    url = f"/api/v1/applications/{application.id}/reinstate"
    statuses = at_once_through_own_apps(app, [ApiCall("post", url, token, {"reason": f"Settled ({n})"})
                                              for n, token in enumerate(tokens)])

    assert sorted(statuses) == [200, 409], statuses
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.APPROVED
    reinstated = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.approved",
                                                             AuditEvent.subject_id == str(application.id))).all()
    assert len(reinstated) == 1
    # One set of prefixes (not two) and one new version.
    prefixes = db.session.scalar(select(func.count()).select_from(ApprovedPrefix)
                                 .where(ApprovedPrefix.application_id == application.id))
    assert prefixes == 1
    assert db.session.scalar(select(func.count()).select_from(WhitelistVersion)) == versions_before + 1
