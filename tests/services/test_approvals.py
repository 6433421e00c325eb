"""The end of an approval: revocation and expiry publish a version without the space, and re-validate."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import audit
from app.choices import FindingCode, Severity, State
from app.jobs.approvals import expire_approvals
from app.jobs.periodic import PERIODIC
from app.models import Application, ApprovedPrefix, Notification, WhitelistFile
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.publication import files
from app.services.publication.publish import latest_version, publish
from app.services.review import approvals


def _txt(db, serial) -> str:
    return files.body(db.session.get(WhitelistFile, (serial, "txt")).sha256).decode()


def test_revoke_removes_the_space_publishes_and_tells_the_applicant(db, make_user, approved_application):
    reviewer = make_user("reviewer")
    kept = approved_application(["111.68.96.0/24"])
    revoked = approved_application(["39.32.0.0/24"])
    assert publish("start").serial == 1
    db.session.commit()
    version = approvals.revoke(revoked, "  The firm closed.  ", reviewer)
    db.session.commit()
    assert (version.serial, revoked.state, revoked.reviewer_message) == (2, State.REVOKED, "The firm closed.")
    assert _txt(db, 1) == "39.32.0.0/24\n111.68.96.0/24\n" and _txt(db, 2) == "111.68.96.0/24\n"
    assert db.session.scalars(select(ApprovedPrefix.application_id)).all() == [kept.id]
    event = [e for e in audit.timeline(revoked) if e.action == "application.revoked"][0]
    assert (event.actor_id, event.data["reason"]) == (reviewer.id, "The firm closed.")
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == revoked.applicant_id))
    assert "was revoked" in note.subject and "The firm closed." in note.body


def test_revoke_needs_a_reason_and_an_approved_application(db, make_user, approved_application, make_reviewable):
    reviewer = make_user("reviewer")
    with pytest.raises(ServiceError) as refused:
        approvals.revoke(approved_application(["39.32.0.0/24"]), " ", reviewer)
    assert refused.value.field == "reason"
    with pytest.raises(Conflict, match="only an approved application"):
        approvals.revoke(make_reviewable(["39.32.1.0/24"]), "no", reviewer)


def test_revocation_revalidates_the_applications_it_blocked(db, make_user, approved_application, make_reviewable,
                                                             run_worker):
    held = approved_application(["39.32.0.0/24"])
    blocked = make_reviewable(["39.32.0.0/25"], state=State.FLAGGED,
                              findings=[(FindingCode.OVERLAP_APPROVED, Severity.ERROR)])
    approvals.revoke(held, "The firm closed.", make_user("reviewer"))
    db.session.commit()
    run_worker()
    db.session.expire_all()
    blocked = db.session.get(Application, blocked.id)
    assert FindingCode.OVERLAP_APPROVED not in {f.code for f in blocked.findings}
    assert [e.action for e in audit.timeline(blocked)][-2:] == ["application.validating", f"application.{blocked.state}"]


def test_expire_due_expires_publishes_once_and_leaves_the_rest(db, approved_application):
    due = [approved_application(["39.32.0.0/24"]), approved_application(["2400:adc0::/32"])]
    later = approved_application(["111.68.96.0/24"])
    publish("start")
    db.session.commit()
    now = utcnow()
    for application in due:
        application.expires_at = now - timedelta(minutes=1)
    db.session.commit()
    assert approvals.expire_due(now) == [a.id for a in due]
    db.session.commit()
    assert [db.session.get(Application, a.id).state for a in due] == [State.EXPIRED, State.EXPIRED]
    assert latest_version().serial == 2 and _txt(db, 2) == "111.68.96.0/24\n"
    assert db.session.scalars(select(ApprovedPrefix.application_id)).all() == [later.id]
    for application in due:
        event = [e for e in audit.timeline(application) if e.action == "application.expired"][0]
        assert (event.actor_role, event.data["before"]) == ("system", State.APPROVED)
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == application.applicant_id))
        assert "has expired" in note.subject
    assert approvals.expire_due(now) == [] and latest_version().serial == 2


def test_the_hourly_job_expires_and_commits(app, db, approved_application):
    assert PERIODIC["app.jobs.approvals.expire_approvals"] == timedelta(hours=1)
    application = approved_application(["39.32.0.0/24"], days=-1)
    assert expire_approvals() == [application.id]
    db.session.rollback()  # nothing left uncommitted: the job committed
    assert db.session.get(Application, application.id).state == State.EXPIRED
    assert latest_version().serial == 1 and _txt(db, 1) == ""
