"""The fee's pages read in Urdu: the applicant's fee before and after submitting, expired and paid; the admins'
payments with rows in every state. Latin letters only where kept left-to-right (references, amounts)."""
from datetime import timedelta

from sqlalchemy import select

from app.cli.fees import payments
from app.models import Payment
from app.models.types import utcnow
from tests.i18n.test_pages_in_urdu import URDU_PURPOSE, english_in


def _english(web, path) -> list[str]:
    response = web.get(path)
    assert response.status_code == 200, path
    return english_in(response.text)[0]


def test_fee_pages_in_urdu(app, applicant, call_centre_draft, call_centre_fee, login, make_user, db):
    due, expired, paid = (call_centre_draft(purpose=URDU_PURPOSE) for _ in range(3))
    web = login(applicant.user)
    web.get("/?lang=ur")
    assert _english(web, f"/applications/{due['id']}") == []
    for draft in (expired, paid):
        assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    late = db.session.scalar(select(Payment).where(Payment.application_id == expired["id"]))
    late.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    reference = db.session.scalar(select(Payment.reference).where(Payment.application_id == paid["id"]))
    assert app.test_cli_runner().invoke(payments, ["settle", reference]).exit_code == 0
    for draft in (expired, paid):
        page = web.get(f"/applications/{draft['id']}").text
        assert 'id="fee"' in page
        assert english_in(page)[0] == [], draft
    web.post("/sign-out")
    admin = login(make_user(role="admin"))
    admin.get("/?lang=ur")
    for path in ("/admin/payments", "/admin/payments?state=expired", "/admin/fees"):
        assert _english(admin, path) == [], path


def test_the_reference_and_the_receipt_email_reach_an_urdu_reader_in_urdu(app, applicant, call_centre_draft,
                                                                          call_centre_fee, db, run_worker):
    import email
    from email import policy
    from pathlib import Path

    applicant.user.language = "ur"
    db.session.commit()
    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    reference = db.session.scalar(select(Payment.reference).where(Payment.application_id == draft["id"]))
    assert app.test_cli_runner().invoke(payments, ["settle", reference]).exit_code == 0
    run_worker()
    mails = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
             for p in sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"))]
    subjects = [m["Subject"] for m in mails]
    assert any("ادائیگی کا حوالہ نمبر" in s and reference in s for s in subjects), subjects
    received = next(m for m in mails if "ادائیگی وصول ہوئی" in m["Subject"])
    assert reference in received.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in received.iter_attachments()] == [f"raasta-receipt-{reference}.pdf"]
