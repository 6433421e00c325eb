"""What people read about an ISP's answer: the applicant never reads "awaiting" on a decided application."""
from app.choices import FindingCode, Severity, State
from app.models import Application, Finding


def _with_pending_finding(db, application):
    db.session.add(Finding(application_id=application.id, code=FindingCode.ISP_PENDING, severity=Severity.WARNING,
                           message="Awaiting PTCL's confirmation of subscriber id PTCL-1."))
    db.session.commit()
    return application


def test_the_applicant_reads_awaiting_only_while_the_application_is_open(db, login, ptcl, approved_asked):
    application = _with_pending_finding(db, approved_asked(["39.32.0.0/24"]))
    client = login(application.applicant)
    page = client.get(f"/applications/{application.id}").text
    assert "awaiting" not in page.lower() and "Approved. ISPs apply it" in page

    db.session.get(Application, application.id).state = State.READY  # as if still waiting for review
    db.session.commit()
    assert "Awaiting PTCL&#39;s confirmation of subscriber id PTCL-1." in client.get(
        f"/applications/{application.id}").text
