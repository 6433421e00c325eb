"""The fee on the applicant's page (before and after submitting), the receipt and renewal there; the admins' fee
schedule and reconciliation pages, their CSV and the mark-paid fallback."""
import csv
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from app.models import AuditEvent, FeeSchedule, Payment
from app.models.types import utcnow
from app.services.fees.schedule import today
from app.services.profiles import ProfileInput, save_profile


def _submitted(applicant, call_centre_draft, db) -> Payment:
    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    return db.session.scalar(select(Payment).where(Payment.application_id == draft["id"]))


def test_the_applicant_sees_the_fee_before_submitting_then_its_reference(applicant, call_centre_draft,
                                                                         call_centre_fee, login, db):
    draft = call_centre_draft()
    web = login(applicant.user)
    page = web.get(f"/applications/{draft['id']}").text
    assert 'id="fee-on-submit"' in page and "Submitting makes a fee of" in page and "PKR 50,000" in page
    assert "counts 6 addresses" in page
    assert web.post(f"/applications/{draft['id']}/submit").status_code == 302
    payment = db.session.scalar(select(Payment).where(Payment.application_id == draft["id"]))
    page = web.get(f"/applications/{draft['id']}").text
    assert 'id="fee-on-submit"' not in page and 'id="fee"' in page and payment.reference in page
    assert "Awaiting payment" in page and "receipt.pdf" not in page
    assert web.get(f"/applications/{draft['id']}/receipt.pdf").status_code == 404


def test_the_applicant_renews_an_expired_reference_and_downloads_the_receipt(applicant, call_centre_draft,
                                                                             call_centre_fee, login, db, app):
    from app.cli.fees import payments

    payment = _submitted(applicant, call_centre_draft, db)
    payment.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    web = login(applicant.user)
    page = web.get(f"/applications/{payment.application_id}").text
    assert "Reference expired" in page and "Get a new payment reference" in page
    renewed = web.post(f"/applications/{payment.application_id}/fee/renew", follow_redirects=True).text
    db.session.expire_all()
    new = db.session.scalar(select(Payment).where(Payment.renewal_of_id == payment.id))
    assert new is not None and f"Your new payment reference is {new.reference}" in renewed
    assert app.test_cli_runner().invoke(payments, ["settle", new.reference]).exit_code == 0
    page = web.get(f"/applications/{payment.application_id}").text
    assert "Download the receipt (PDF)" in page
    receipt = web.get(f"/applications/{payment.application_id}/receipt.pdf")
    assert receipt.status_code == 200
    assert new.reference in PdfReader(io.BytesIO(receipt.data)).pages[0].extract_text()


def test_a_freelancers_receipt_carries_the_cnic(applicant_with, call_centre_draft, call_centre_fee, db, app):
    from app.cli.fees import payments

    freelancer = applicant_with({"kind": "freelancer", "name": "Bilal Ahmed", "cnic": "35202-1234567-1",
                                 "city": "Karachi", "isp_name": "PTCL", "isp_subscriber_id": "PTCL-42"})
    payment = _submitted(freelancer, lambda: call_centre_draft(client=freelancer), db)
    assert app.test_cli_runner().invoke(payments, ["settle", payment.reference]).exit_code == 0
    text = PdfReader(io.BytesIO(freelancer.get(f"/api/v1/applications/{payment.application_id}/receipt.pdf")
                                .data)).pages[0].extract_text()
    assert "35202-1234567-1" in text and "Bilal Ahmed" in text


def test_an_admin_adds_a_fee_row_but_never_in_the_past(make_user, login, db, client):
    admin = make_user(role="admin")
    web = login(admin)
    assert "No fees set" in web.get("/admin/fees").text
    past = web.post("/admin/fees", data={"category": "call_center", "amount": "50000", "threshold": "5",
                                         "effective_from": (today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and "is in the past" in past.text and 'value="50000"' in past.text
    added = web.post("/admin/fees", data={"category": "call_center", "amount": "50,000", "threshold": "5",
                                          "effective_from": today().isoformat()}, follow_redirects=True)
    assert "the fee is PKR 50,000 at 5 or more addresses" in added.text
    row = db.session.scalar(select(FeeSchedule))
    assert (row.amount, row.created_by_id) == (50_000, admin.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fee_schedule.added"))
    assert event.actor_id == admin.id and event.data["amount"] == 50_000


def test_only_admins_see_fees_and_payments(make_user, login, client):
    for role in ("applicant", "reviewer"):
        web = login(make_user(role=role))
        for url in ("/admin/fees", "/admin/payments", "/admin/payments.csv"):
            assert web.get(url).status_code == 403, (role, url)
        web.post("/sign-out")


def test_reconciliation_by_state_csv_and_mark_paid(applicant, call_centre_draft, call_centre_fee, make_user, login,
                                                   db):
    save_profile(applicant.user, ProfileInput(kind="firm", name="=HYPERLINK(\"http://evil\")", city="Lahore",
                                              ntn="1234567-8", isp_name="Nayatel", isp_subscriber_id="NT-998877"))
    db.session.commit()
    first = _submitted(applicant, call_centre_draft, db)
    second = _submitted(applicant, call_centre_draft, db)
    second.expires_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    web = login(make_user(role="admin"))
    pending = web.get("/admin/payments?state=pending").text
    assert first.reference in pending and second.reference not in pending
    expired = web.get("/admin/payments?state=expired").text
    assert second.reference in expired and first.reference not in expired
    assert web.get("/admin/payments?state=nonsense").status_code == 400

    missing = web.post(f"/admin/payments/{first.reference}/mark-paid", data={"bank_reference": " "},
                       follow_redirects=True).text
    assert "the bank&#39;s own reference" in missing or "the bank's own reference" in missing
    marked = web.post(f"/admin/payments/{first.reference}/mark-paid", data={"bank_reference": "HBL-2026-778"},
                      follow_redirects=True).text
    assert f"{first.reference} marked paid (bank reference HBL-2026-778)" in marked
    refused = web.post(f"/admin/payments/{second.reference}/mark-paid", data={"bank_reference": "HBL-1"},
                       follow_redirects=True).text
    assert "expired on" in refused
    db.session.expire_all()
    paid = db.session.get(Payment, first.id)
    assert (paid.state, paid.paid_via, paid.bank_reference) == ("paid", "admin", "HBL-2026-778")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.settled"))
    assert event.data["via"] == "admin" and event.data["bank_reference"] == "HBL-2026-778"

    exported = web.get("/admin/payments.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference[first.reference]["state"] == "paid" and by_reference[second.reference]["state"] == "expired"
    assert by_reference[first.reference]["applicant"] == "'=HYPERLINK(\"http://evil\")"  # no formula runs
    only_paid = list(csv.DictReader(io.StringIO(web.get("/admin/payments.csv?state=paid").text)))
    assert [row["reference"] for row in only_paid] == [first.reference]
