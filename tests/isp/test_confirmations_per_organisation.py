"""Confirmations per organisation: the profile's ISP answers for the address entries, each operator for the
subscriptions it serves; each sees and answers for its own part only."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.addresses import parse_entry
from app.choices import ConfirmationState, DocumentKind, FindingCode, State, SubscriptionKind
from app.models import Application, IspConfirmation
from app.models.types import utcnow
from app.services import applications
from app.services.application_input import ApplicationInput
from app.services.documents import store_document
from app.services.isp_organisations import find_organisation
from app.services.profiles import ProfileInput, save_profile
from app.services.subscriptions.inputs import SubscriptionInput
from tests.applicant.conftest import PDF

JAZZ_NUMBER, ZONG_NUMBER = "+923001234567", "+923151112222"


@pytest.fixture
def mixed(db, isp_user, subscriber):
    """mixed() -> a submitted application with an address entry (profile ISP PTCL, subscriber id PTCL-1001),
    a Jazz and a Zong number and a PTCL broadband account; PTCL, Jazz and Zong each have a user."""
    users = {name: isp_user(name) for name in ("PTCL", "Jazz", "Zong")}

    def make(entries=("39.32.12.0/24",), applicant=None):
        applicant = applicant or subscriber("PTCL", "PTCL-1001", name="Indus Soft")
        wanted = [SubscriptionInput(SubscriptionKind.MOBILE, find_organisation("Jazz").id, "Jazz", JAZZ_NUMBER),
                  SubscriptionInput(SubscriptionKind.MOBILE, find_organisation("Zong").id, "Zong", ZONG_NUMBER),
                  SubscriptionInput(SubscriptionKind.FIXED, find_organisation("PTCL").id, "PTCL", "lhr-0042")]
        data = ApplicationInput("Freelance work for clients abroad", "company_vpn",
                                [(text, parse_entry(text)) for text in entries], subscriptions=wanted)
        application = applications.create_application(applicant, data)
        for subscription in application.subscriptions:
            subscription.verified_at = utcnow()  # proven by SMS code (tests/subscriptions cover that)
        store_document(application, DocumentKind.NTN_CERTIFICATE, FileStorage(io.BytesIO(PDF), filename="ntn.pdf"))
        applications.submit(application)
        db.session.commit()
        return application

    make.users = users
    return make


def _rows(db, application):
    db.session.expire_all()
    return {c.organisation.name: c for c in db.session.scalars(
        select(IspConfirmation).where(IspConfirmation.application_id == application.id))}


def _isp_findings(db, application):
    db.session.expire_all()
    return sorted((f.data.get("organisation"), f.code, f.severity, f.message)
                  for f in db.session.get(Application, application.id).findings if f.code.startswith("isp."))


def _ready(db, application):
    db.session.get(Application, application.id).state = State.READY
    db.session.commit()


def test_each_organisation_serving_a_part_is_asked(db, mixed):
    application = mixed()
    rows = _rows(db, application)
    assert {name: (c.subscriber_id, c.state) for name, c in rows.items()} == {
        "PTCL": ("PTCL-1001", ConfirmationState.PENDING), "Jazz": ("", ConfirmationState.PENDING),
        "Zong": ("", ConfirmationState.PENDING)}


def test_each_organisation_sees_only_its_own_part_and_the_holders_id(db, mixed, api):
    application = mixed()
    jazz = api(mixed.users["Jazz"]).get("/api/v1/isp/confirmations")
    [row] = jazz.json
    assert (row["application_id"], row["entries"], row["subscriber_id"], row["ntn"]) == (
        application.id, [], None, "1234567-8")
    assert [(s["kind"], s["identifier"]) for s in row["subscriptions"]] == [("mobile", JAZZ_NUMBER)]
    text = jazz.data.decode()
    for secret in (ZONG_NUMBER, "lhr-0042", "PTCL-1001", "39.32.12.0"):
        assert secret not in text
    [ptcl] = api(mixed.users["PTCL"]).get("/api/v1/isp/confirmations").json
    assert (ptcl["entries"], ptcl["subscriber_id"]) == (["39.32.12.0/24"], "PTCL-1001")
    assert [s["identifier"] for s in ptcl["subscriptions"]] == ["lhr-0042"]
    assert JAZZ_NUMBER not in str(ptcl) and ZONG_NUMBER not in str(ptcl)


def test_answers_are_per_organisation_and_pending_stays_until_all_confirmed(db, mixed, api):
    application = mixed()
    _ready(db, application)
    assert api(mixed.users["Jazz"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                         json={"answer": "confirm"}).status_code == 200
    assert api(mixed.users["PTCL"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                         json={"answer": "confirm"}).status_code == 200
    assert _isp_findings(db, application) == sorted([
        ("Jazz", FindingCode.ISP_CONFIRMED, "info", f"Jazz confirmed that mobile number {JAZZ_NUMBER} is the "
                                                     "applicant's connection."),
        ("PTCL", FindingCode.ISP_CONFIRMED, "info", "PTCL confirmed that subscriber id PTCL-1001 and account "
                                                     "lhr-0042 are the applicant's connections."),
    ])  # each answer adds its own finding; Zong's awaited one is made by validation (next test)
    response = api(mixed.users["Zong"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                             json={"answer": "dispute", "reason": "Not our subscriber"})
    assert response.status_code == 200
    findings = _isp_findings(db, application)
    assert ("Zong", FindingCode.ISP_DISPUTED, "error", f"Zong disputed mobile number {ZONG_NUMBER}: "
                                                       "“Not our subscriber”") in findings
    assert [f[1] for f in findings if f[0] in ("Jazz", "PTCL")] == [FindingCode.ISP_CONFIRMED] * 2
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.FLAGGED


def test_validation_gives_each_organisation_its_finding(db, mixed, api, run_worker):
    application = mixed()
    run_worker()
    findings = _isp_findings(db, application)
    assert [(name, code, severity) for name, code, severity, _ in findings] == [
        ("Jazz", FindingCode.ISP_PENDING, "warning"), ("PTCL", FindingCode.ISP_PENDING, "warning"),
        ("Zong", FindingCode.ISP_PENDING, "warning")]
    assert f"Awaiting Zong's confirmation of mobile number {ZONG_NUMBER}." in [f[3] for f in findings]


def test_a_subscription_only_application_asks_only_the_operators(db, mixed, make_user):
    applicant = make_user()
    save_profile(applicant, ProfileInput(kind="freelancer", name="Ayesha Khan", city="Multan", cnic="35202-7654321-2"))
    db.session.commit()
    application = mixed(entries=(), applicant=applicant)
    assert sorted(_rows(db, application)) == ["Jazz", "PTCL", "Zong"]  # PTCL for the broadband account only
    assert _rows(db, application)["PTCL"].subscriber_id == ""


def test_an_operators_dispute_after_approval_suspends(db, mixed, api):
    application = mixed()
    row = db.session.get(Application, application.id)
    row.state, row.approved_at = State.APPROVED, utcnow()
    db.session.commit()
    response = api(mixed.users["Jazz"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                             json={"answer": "dispute", "reason": "Number not in her name"})
    assert response.status_code == 200, response.json
    assert response.json["application_state"] == State.SUSPENDED
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.SUSPENDED


def test_an_organisation_no_longer_concerned_loses_its_row_on_resubmission(db, mixed):
    application = mixed()
    row = db.session.get(Application, application.id)
    row.subscriptions = [s for s in row.subscriptions if s.identifier != ZONG_NUMBER]
    row.state = State.NEEDS_INFO
    db.session.commit()
    applications.submit(db.session.get(Application, application.id))
    db.session.commit()
    assert sorted(_rows(db, application)) == ["Jazz", "PTCL"]


def test_the_confirmations_page_shows_each_organisation_its_part_and_the_holders_id(app, db, mixed, client, login):
    mixed()
    login(mixed.users["Jazz"])
    app.config["WTF_CSRF_ENABLED"] = True  # the answer forms render their tokens
    page = client.get("/isp/confirmations").data.decode()
    assert JAZZ_NUMBER in page and "Holder's NTN" in page and "1234567-8" in page
    for secret in (ZONG_NUMBER, "lhr-0042", "PTCL-1001", "39.32.12.0"):
        assert secret not in page


def test_other_numbers_for_the_same_operator_ask_it_again(db, mixed, api):
    application = mixed()
    assert api(mixed.users["Jazz"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                         json={"answer": "confirm"}).status_code == 200
    assert api(mixed.users["Zong"]).post(f"/api/v1/isp/confirmations/{application.id}",
                                         json={"answer": "confirm"}).status_code == 200
    row = db.session.get(Application, application.id)
    for subscription in row.subscriptions:
        if subscription.identifier == JAZZ_NUMBER:
            subscription.identifier = "+923009998888"  # as an edit of the number leaves it
    row.state = State.NEEDS_INFO
    db.session.commit()
    applications.submit(db.session.get(Application, application.id))
    db.session.commit()
    rows = _rows(db, application)
    assert (rows["Jazz"].state, rows["Zong"].state) == (ConfirmationState.PENDING, ConfirmationState.CONFIRMED)
