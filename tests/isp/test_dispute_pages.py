"""What people read about an ISP's answer: the applicant never reads "awaiting" on a decided application, and a
suspended one explains itself to the applicant and offers the reviewer reinstate or revoke."""
from sqlalchemy import select

from app.choices import FindingCode, Severity, State
from app.models import Application, Finding, IspConfirmation
from app.services import isp_confirmations as confirmations
from tests.isp.test_pages import _csrf

REASON = "Subscriber id PTCL-1 is not on our books"


def _with_pending_finding(db, application):
    db.session.add(Finding(application_id=application.id, code=FindingCode.ISP_PENDING, severity=Severity.WARNING,
                           message="Awaiting PTCL's confirmation of subscriber id PTCL-1."))
    db.session.commit()
    return application


def _dispute(db, isp, application):
    confirmation = db.session.scalar(select(IspConfirmation).where(IspConfirmation.application_id == application.id))
    confirmations.answer(confirmation, "dispute", REASON, isp)
    db.session.commit()


def test_the_applicant_reads_awaiting_only_while_the_application_is_open(db, login, ptcl, approved_asked):
    application = _with_pending_finding(db, approved_asked(["39.32.0.0/24"]))
    client = login(application.applicant)
    page = client.get(f"/applications/{application.id}").text
    assert "awaiting" not in page.lower() and "Approved. ISPs apply it" in page

    db.session.get(Application, application.id).state = State.READY  # as if still waiting for review
    db.session.commit()
    assert "Awaiting PTCL&#39;s confirmation of subscriber id PTCL-1." in client.get(
        f"/applications/{application.id}").text


def test_a_suspended_application_tells_the_applicant_what_happened_and_what_to_do(db, login, ptcl, approved_asked):
    application = _with_pending_finding(db, approved_asked(["39.32.0.0/24"]))
    _dispute(db, ptcl, application)
    page = login(application.applicant).get(f"/applications/{application.id}").text
    assert "Suspended after a dispute" in page
    assert "your ISP told us that the subscriber id in your profile is not your connection" in page
    assert "ISPs no longer let these addresses through" in page and "contact the regulator" in page
    assert REASON in page  # the ISP's own words, in its finding
    # The timeline: the ISP's answer and the suspension, both by the ISP (not "a reviewer").
    assert 'Your ISP disputed the subscriber id <span class="muted">(your ISP)</span>' in page
    assert 'Approval suspended: your ISP disputed the subscriber id <span class="muted">(your ISP)</span>' in page
    assert "awaiting" not in page.lower()
    assert "Renew" not in page and "Withdraw this application" not in page


def test_the_reviewer_reinstates_or_revokes_a_suspended_application_from_its_page(db, login, make_user, ptcl,
                                                                                  approved_asked):
    reinstated, revoked = approved_asked(["39.32.0.0/24"]), approved_asked(["39.32.1.0/24"], name="Ravi Textiles")
    for application in (reinstated, revoked):
        _dispute(db, ptcl, application)
    client = login(make_user("reviewer"))
    page = client.get(f"/review/applications/{reinstated.id}").text
    assert "Suspended since" in page and "PTCL disputed subscriber id <code>PTCL-1</code> after the approval" in page
    assert REASON in page
    assert "Reinstate the approval" in page and "Revoke the approval" in page
    assert page.count('id="reinstate-reason"') == 1 and page.count('id="reason"') == 1  # two forms, distinct fields

    empty = client.post(f"/review/applications/{reinstated.id}/reinstate", data={"reinstate-reason": " "})
    assert empty.status_code == 422 and "Write why the approval is reinstated" in empty.text
    done = client.post(f"/review/applications/{reinstated.id}/reinstate",
                       data={"reinstate-reason": "PTCL confirmed by phone: a typo in its records."})
    assert done.status_code == 302
    assert "reinstated: approved again" in client.get(done.headers["Location"]).text

    done = client.post(f"/review/applications/{revoked.id}/revoke", data={"reason": "Not their connection."})
    assert done.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Application, reinstated.id).state, db.session.get(Application, revoked.id).state) == (
        State.APPROVED, State.REVOKED)


def test_the_isp_is_told_that_disputing_an_approved_application_suspends_it(app, db, login, ptcl, approved_asked):
    application = approved_asked(["39.32.0.0/24"])
    client = login(ptcl)
    app.config["WTF_CSRF_ENABLED"] = True  # the page's answer forms carry their tokens
    page = client.get("/isp/confirmations").text
    assert f"Application #{application.id} is already approved: disputing it suspends the approval at once" in page
    prefix = f"a{application.id}-"
    answered = client.post(f"/isp/confirmations/{application.id}", follow_redirects=True, data={
        f"{prefix}csrf_token": _csrf(page, prefix), f"{prefix}answer": "dispute", f"{prefix}reason": REASON})
    assert (f"Application {application.id}: disputed; the reviewer and the applicant see your reason. It was "
            "approved, so its approval is suspended") in answered.text.replace("&#39;", "'")
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.SUSPENDED
