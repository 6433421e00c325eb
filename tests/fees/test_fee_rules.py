"""The fee rule, the schedule's dates, references and their renewal, the CLI."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cli.fees import fees, payments
from app.models import AuditEvent, FeeSchedule, Payment
from app.models.types import utcnow
from app.services import ServiceError
from app.services.fees.references import REFERENCE_DIGITS, luhn_digit, new_reference, normalised
from app.services.fees.schedule import ScheduleInput, add_schedule, in_force, today


def _fee(client, application_id):
    return client.get(f"/api/v1/applications/{application_id}").json["fee"]


def test_luhn_references_are_17_digits_random_and_catch_typing_slips():
    assert luhn_digit("7992739871") == "3"  # the textbook example
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in list(references)[:200]:
        assert len(reference) == REFERENCE_DIGITS and reference[0] != "0" and normalised(reference) == reference
        assert normalised(f"{reference[:5]} {reference[5:10]}-{reference[10:]}") == reference
        slip = reference[:3] + str((int(reference[3]) + 1) % 10) + reference[4:]
        assert normalised(slip) is None
        swapped = reference[:6] + reference[7] + reference[6] + reference[8:]
        # Luhn's one blind spot among swaps of neighbours: 09 <-> 90.
        assert swapped == reference or {reference[6], reference[7]} == {"0", "9"} or normalised(swapped) is None
    assert normalised("1234") is None and normalised(None) is None and normalised("١٢٣") is None


def test_the_rule_counts_addresses_not_entries(applicant, call_centre_draft, call_centre_fee):
    one_range = call_centre_draft(entries=["39.32.12.8/29"])  # one entry, 8 addresses
    fee = _fee(applicant, one_range["id"])
    assert fee["state"] == "due_on_submit" and "counts 8 addresses" in fee["reason"]
    four = call_centre_draft(entries=["39.32.13.1", "39.32.13.2", "39.32.13.3", "39.32.13.3"])  # a repeat counts once
    assert _fee(applicant, four["id"]) is None
    assert applicant.post(f"/api/v1/applications/{four['id']}/submit").status_code == 202
    assert _fee(applicant, four["id"]) is None


def test_addresses_already_approved_for_the_same_applicant_count(applicant, call_centre_draft, call_centre_fee,
                                                                 approved_application, make_applicant):
    approved_application(["39.32.40.0/31", "39.32.40.1"], applicant=applicant.user)  # 2 addresses, one repeated
    draft = call_centre_draft(entries=["39.32.12.1", "39.32.12.2", "39.32.40.1"])  # 2 new, 1 already approved
    assert _fee(applicant, draft["id"]) is None  # 4 in all
    approved_application(["39.32.50.7"], applicant=applicant.user)
    fee = _fee(applicant, draft["id"])
    assert fee is not None and "counts 5 addresses" in fee["reason"]
    approved_application(["39.32.60.0/24"], applicant=make_applicant())  # another applicant's count for nothing
    assert "counts 5 addresses" in _fee(applicant, draft["id"])["reason"]


def test_only_a_category_with_a_fee_in_force_pays(applicant, call_centre_draft, db):
    draft = call_centre_draft()
    assert _fee(applicant, draft["id"]) is None  # nothing seeded: no fee
    add_schedule(ScheduleInput("video_conferencing", 20_000, today()))
    add_schedule(ScheduleInput("call_center", 50_000, today() + timedelta(days=1)))  # not yet
    db.session.commit()
    assert _fee(applicant, draft["id"]) is None
    assert in_force("call_center", today() + timedelta(days=1)).amount == 50_000


def test_the_schedule_is_never_rewritten(db, call_centre_fee):
    with pytest.raises(ServiceError) as past:
        add_schedule(ScheduleInput("call_center", 10, today() - timedelta(days=1)))
    assert past.value.field == "effective_from" and "in the past" in past.value.message
    with pytest.raises(ServiceError) as same_day:
        add_schedule(ScheduleInput("call_center", 10, today()))
    assert same_day.value.status == 409 and "choose a later day" in same_day.value.message
    for bad, field in ((ScheduleInput("gaming", 1, today()), "category"),
                       (ScheduleInput("call_center", "-5", today()), "amount"),
                       (ScheduleInput("call_center", "five", today()), "amount"),
                       (ScheduleInput("call_center", 5, today(), 0), "threshold"),
                       (ScheduleInput("call_center", 5, "2027-02-30"), "effective_from")):
        with pytest.raises(ServiceError) as refused:
            add_schedule(bad)
        assert refused.value.field == field, bad
    later = add_schedule(ScheduleInput("call_center", "60,000", today() + timedelta(days=30), "10"))
    db.session.commit()
    assert (later.amount, later.threshold) == (60_000, 10)
    assert in_force("call_center").amount == 50_000
    assert in_force("call_center", today() + timedelta(days=30)).amount == 60_000
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fee_schedule.added")).all()
    assert [e.data["amount"] for e in events] == [50_000, 60_000]


def test_flask_fees_set_and_list(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(fees, ["set", "call_center", "50000", "--from", today().isoformat()])
    assert result.exit_code == 0, result.output
    assert "PKR 50,000" in result.output and "5 or more addresses" in result.output
    refused = runner.invoke(fees, ["set", "call_center", "50000", "--from", "2001-01-01"])
    assert refused.exit_code == 1 and "in the past" in refused.output
    assert "call_center PKR 50,000 threshold 5" in runner.invoke(fees, ["list"]).output
    assert db.session.scalar(select(FeeSchedule.amount)) == 50_000


def test_settle_refuses_bad_references_and_amounts(app, applicant, call_centre_draft, call_centre_fee, db):
    draft = call_centre_draft()
    applicant.post(f"/api/v1/applications/{draft['id']}/submit")
    reference = _fee(applicant, draft["id"])["reference"]
    runner = app.test_cli_runner()
    for args, words in ((["settle", "12345"], "is not a payment reference"),
                        (["settle", reference[:-1] + str((int(reference[-1]) + 1) % 10)], "is not a payment reference"),
                        (["settle", reference, "--amount", "49999"], "is for PKR 50,000, not PKR 49,999"),
                        (["settle", reference, "--amount", "fifty"], "is not whole rupees")):
        result = runner.invoke(payments, args)
        assert result.exit_code == 1 and words in result.output, result.output
    assert _fee(applicant, draft["id"])["state"] == "pending"
    assert runner.invoke(payments, ["settle", reference, "--bank-reference", "HBL-778"]).exit_code == 0
    again = runner.invoke(payments, ["settle", reference])
    assert again.exit_code == 1 and "already paid" in again.output
    csv_text = runner.invoke(payments, ["list", "--state", "paid"]).output
    assert reference in csv_text and "HBL-778" in csv_text


def test_an_expired_reference_is_renewed_with_a_new_one(app, applicant, call_centre_draft, call_centre_fee, db):
    draft = call_centre_draft()
    applicant.post(f"/api/v1/applications/{draft['id']}/submit")
    old = _fee(applicant, draft["id"])["reference"]
    early = applicant.post(f"/api/v1/applications/{draft['id']}/fee/renew")
    assert early.status_code == 409 and "still valid" in early.json["error"]["message"]
    payment = db.session.scalar(select(Payment).where(Payment.reference == old))
    payment.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _fee(applicant, draft["id"])["state"] == "expired"
    renewed = applicant.post(f"/api/v1/applications/{draft['id']}/fee/renew")
    assert renewed.status_code == 201, renewed.json
    fee = renewed.json["fee"]
    assert fee["state"] == "pending" and fee["reference"] != old and fee["amount"] == 50_000
    db.session.expire_all()
    assert db.session.scalar(select(Payment.state).where(Payment.reference == old)) == "expired"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.reference_renewed"))
    assert event.data["expired_reference"] == old and event.data["reference"] == fee["reference"]
    result = app.test_cli_runner().invoke(payments, ["settle", old])
    assert result.exit_code == 1 and "expired" in result.output


def test_a_fee_stays_through_resubmission_and_is_cancelled_below_the_threshold(applicant, call_centre_draft,
                                                                               call_centre_fee, db, make_user, api):
    from app.choices import State
    from app.models import Application
    from app.services.transitions import move

    draft = call_centre_draft()
    applicant.post(f"/api/v1/applications/{draft['id']}/submit")
    reference = _fee(applicant, draft["id"])["reference"]
    application = db.session.get(Application, draft["id"])
    move(application, State.READY)
    move(application, State.NEEDS_INFO)
    db.session.commit()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    assert _fee(applicant, draft["id"])["reference"] == reference  # the same fee, not a second one
    application = db.session.get(Application, draft["id"])
    move(application, State.READY)
    move(application, State.NEEDS_INFO)
    db.session.commit()
    smaller = applicant.put(f"/api/v1/applications/{draft['id']}", json={
        "purpose": "Call centre answering customers of a UK energy firm", "category": "call_center",
        "entries": ["39.32.12.10"]})
    assert smaller.status_code == 200, smaller.json
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    assert _fee(applicant, draft["id"]) is None
    assert db.session.scalar(select(Payment.state).where(Payment.reference == reference)) == "cancelled"


def test_withdrawing_or_rejecting_cancels_an_unpaid_fee_but_not_a_paid_one(app, applicant, call_centre_draft,
                                                                           call_centre_fee, db, make_user, api):
    from app.choices import State
    from app.models import Application
    from app.services.transitions import move

    withdrawn, rejected, paid = call_centre_draft(), call_centre_draft(), call_centre_draft()
    for draft in (withdrawn, rejected, paid):
        assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    for draft in (rejected, paid):
        move(db.session.get(Application, draft["id"]), State.READY)
    db.session.commit()
    assert applicant.post(f"/api/v1/applications/{withdrawn['id']}/withdraw").status_code == 200
    reviewer = api(make_user(role="reviewer"))
    assert reviewer.post(f"/api/v1/applications/{rejected['id']}/reject",
                         json={"reason": "Not a call centre."}).status_code == 200
    reference = _fee(applicant, paid["id"])["reference"]
    assert app.test_cli_runner().invoke(payments, ["settle", reference]).exit_code == 0
    assert reviewer.post(f"/api/v1/applications/{paid['id']}/reject",
                         json={"reason": "Not a call centre."}).status_code == 200
    db.session.expire_all()
    states = dict(db.session.execute(select(Payment.application_id, Payment.state)).all())
    assert states == {withdrawn["id"]: "cancelled", rejected["id"]: "cancelled", paid["id"]: "paid"}
    reasons = [e.data["reason"] for e in db.session.scalars(select(AuditEvent)
                                                             .where(AuditEvent.action == "payment.cancelled"))]
    assert reasons == ["application withdrawn", "application rejected"]
    refused = app.test_cli_runner().invoke(payments, ["settle", _reference_of(db, withdrawn["id"])])
    assert refused.exit_code == 1 and "was cancelled" in refused.output


def _reference_of(db, application_id) -> str:
    return db.session.scalar(select(Payment.reference).where(Payment.application_id == application_id))
