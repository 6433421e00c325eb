"""The issue's done-when: a call-centre application with 6 addresses is shown its fee before submitting, gets a
payment reference, pays by the embedded bank command, is then approved, and gets its receipt (download and email)."""
import email
import io
from email import policy
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from app.cli.fees import payments
from app.models import AuditEvent, Payment
from app.services.fees.references import normalised


def _emails(app) -> list:
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def test_call_centre_pays_by_bank_command_and_gets_its_receipt(app, db, applicant, call_centre_draft, call_centre_fee,
                                                               make_user, api, run_worker, login, client):
    draft = call_centre_draft()
    # Before submitting: the fee, its amount and why, and no reference yet.
    fee = applicant.get(f"/api/v1/applications/{draft['id']}").json["fee"]
    assert fee["amount"] == 50_000 and fee["currency"] == "PKR" and fee["state"] == "due_on_submit"
    assert fee["reference"] is None and "counts 6 addresses" in fee["reason"] and "5 or more" in fee["reason"]

    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    fee = applicant.get(f"/api/v1/applications/{draft['id']}").json["fee"]
    reference = fee["reference"]
    assert fee["state"] == "pending" and normalised(reference) == reference and len(reference) == 17
    run_worker()  # validation, and the reference's email
    state = applicant.get(f"/api/v1/applications/{draft['id']}").json["state"]
    assert state in ("ready", "flagged"), state
    told = [m for m in _emails(app) if reference in m["Subject"]]
    assert told and reference in told[0].get_body().get_content() and "PKR 50,000" in told[0].get_body().get_content()

    # Reviewing and batching stay allowed; approval waits for the fee, naming it and its reference.
    maker, checker = make_user(role="reviewer"), make_user(role="reviewer")
    review_page = login(maker).get(f"/review/applications/{draft['id']}").text
    assert reference in review_page and "awaiting payment" in review_page and "approved once paid" in review_page
    client.post("/sign-out")
    for code in [f["code"] for f in applicant.get(f"/api/v1/applications/{draft['id']}").json["findings"]
                 if f["severity"] == "error"]:
        assert api(maker).post(f"/api/v1/applications/{draft['id']}/override",
                               json={"code": code, "reason": "checked by hand for this test"}).status_code == 200
    batch = api(maker).post("/api/v1/batches", json={"application_ids": [draft["id"]]})
    assert batch.status_code == 201, batch.json
    refused = api(checker).post(f"/api/v1/batches/{batch.json['id']}/approve")
    assert refused.status_code == 409
    problem = refused.json["error"]["details"][0]
    assert problem["application_id"] == draft["id"] and reference in problem["message"]
    assert "unpaid fee of PKR 50,000" in problem["message"]

    # The embedded bank: the same settle function as the aggregator's callback.
    result = app.test_cli_runner().invoke(payments, ["settle", reference])
    assert result.exit_code == 0, result.output
    assert f"{reference} paid: PKR 50,000" in result.output
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
    assert payment.state == "paid" and payment.paid_via == "bank_command"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.settled")).data["reference"] == \
        reference

    approved = api(checker).post(f"/api/v1/batches/{batch.json['id']}/approve")
    assert approved.status_code == 200, approved.json
    assert applicant.get(f"/api/v1/applications/{draft['id']}").json["fee"]["state"] == "paid"

    receipt = applicant.get(f"/api/v1/applications/{draft['id']}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert f"raasta-receipt-{reference}.pdf" in receipt.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    for expected in (reference, "PKR 50,000", "Indus Soft (Pvt) Ltd", "1234567-8",
                     payment.paid_at.strftime("%Y-%m-%d")):
        assert expected in text, (expected, text)

    run_worker()  # the "payment received" email, with the receipt attached
    received = [m for m in _emails(app) if "Payment received" in m["Subject"]]
    assert len(received) == 1
    attached = [part for part in received[0].iter_attachments()]
    assert [a.get_filename() for a in attached] == [f"raasta-receipt-{reference}.pdf"]
    attached_text = PdfReader(io.BytesIO(attached[0].get_payload(decode=True))).pages[0].extract_text()
    assert reference in attached_text


def test_no_receipt_before_payment_and_none_for_another_applicant(applicant, applicant_with, call_centre_draft,
                                                                   call_centre_fee):
    from tests.applicant.conftest import FIRM

    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    assert applicant.get(f"/api/v1/applications/{draft['id']}/receipt.pdf").status_code == 404
    other = applicant_with({**FIRM, "ntn": "7654321-0"})
    assert other.get(f"/api/v1/applications/{draft['id']}/receipt.pdf").status_code == 404
