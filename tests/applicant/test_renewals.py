"""Approvals are renewed from a prefilled draft, with one reminder 30 days before they expire."""
from datetime import timedelta

from sqlalchemy import select

from app.choices import State
from app.extensions import queues
from app.jobs.periodic import remind_expiring_approvals, run_periodic
from app.models import Application, Notification
from app.models.types import utcnow
from app.queues import DEFAULT


def _approve(db, application_id, expires_in_days):
    application = db.session.get(Application, application_id)
    application.state = State.APPROVED
    application.approved_at = utcnow() - timedelta(days=300)
    application.expires_at = utcnow() + timedelta(days=expires_in_days)
    db.session.commit()
    return application


def test_one_reminder_30_days_before_expiry(applicant, draft, db, run_worker, app):
    _approve(db, draft["id"], expires_in_days=12)
    later = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["39.32.99.0/24"]}).json
    _approve(db, later["id"], expires_in_days=90)
    queues.queue(DEFAULT).enqueue(run_periodic, "app.jobs.periodic.remind_expiring_approvals")
    run_worker()
    assert remind_expiring_approvals() == []  # already reminded: never twice
    notes = db.session.scalars(select(Notification)).all()
    assert [n.subject for n in notes] == [f"Application {draft['id']} expires in 11 days"]
    mail = [p.read_text() for p in (app.config["INSTANCE_DIR"] / "mail").glob("*.eml")]
    assert any(f"/applications/{draft['id']}" in m and "Renew it" in m for m in mail)


def test_renew_asks_first_then_prefills_a_new_draft(applicant, draft, db, login):
    client = login(applicant.user)
    refused = client.post(f"/applications/{draft['id']}/renew", follow_redirects=True)  # a draft: nothing to renew
    assert refused.status_code == 200 and "only an approved or expired application can be renewed" in refused.text
    _approve(db, draft["id"], expires_in_days=12)
    page = client.get(f"/applications/{draft['id']}")
    assert f'href="/applications/{draft["id"]}/renew">Renew</a>' in page.text
    confirm = client.get(f"/applications/{draft['id']}/renew")
    assert confirm.status_code == 200 and "<h1>Make a renewal draft?</h1>" in confirm.text
    assert "No, keep it" in confirm.text and "button-danger" not in confirm.text
    assert db.session.scalar(select(Application).where(Application.renewal_of_id == draft["id"])) is None
    response = client.post(f"/applications/{draft['id']}/renew")
    renewal = db.session.scalar(select(Application).where(Application.renewal_of_id == draft["id"]))
    assert response.headers["Location"] == f"/applications/{renewal.id}/edit"
    assert renewal.state == State.DRAFT and [e.input for e in renewal.entries] == [
        e["input"] for e in draft["entries"]]
    assert [(e.host, e.port) for e in renewal.endpoints] == [("vpn.indussoft.pk", 51820)]
