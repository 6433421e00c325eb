"""Each validation check through a real worker: what it finds, at which severity, and the result state."""
from sqlalchemy import select

from app.choices import REVIEWER_ONLY_FINDINGS, FindingCode, State
from app.extensions import queues
from app.jobs.validation import validate_applications
from app.models import Application, Document, Finding
from app.queues import VALIDATION
from tests.validation.conftest import findings_of


def _validate(run_worker, *applications):
    queues.queue(VALIDATION).enqueue(validate_applications, [a.id for a in applications])
    run_worker()


def test_overlap_with_another_applicants_approved_space_is_an_error(db, make_application, run_worker):
    approved = make_application(["39.32.12.0/24"], state=State.APPROVED)
    crossing = make_application(["39.32.12.128-39.32.13.10"])  # crosses the /24's edge
    _validate(run_worker, crossing)
    state, found = findings_of(db, crossing)
    assert state == State.FLAGGED and (FindingCode.OVERLAP_APPROVED, "error") in found
    finding = db.session.scalar(select(Finding).where(Finding.code == FindingCode.OVERLAP_APPROVED))
    assert finding.data == {"application_id": approved.id}  # reviewers get the link
    # The applicant learns the space is not theirs to have, not that someone else holds it, nor who.
    assert finding.message == ("'39.32.12.128-39.32.13.10' cannot be whitelisted for you as it stands: part of it is "
                               "not available. Remove it, or explain to the reviewer (with your ISP's allocation "
                               "letter) why it is yours.")


def test_findings_about_other_people_are_shown_to_reviewers_only(db, make_application, run_worker, api, login,
                                                                   make_user):
    make_application(["39.32.12.0/24"], state=State.READY)  # same NTN as the newcomer: identity.shared too
    newcomer = make_application(["39.32.12.7"])
    _validate(run_worker, newcomer)
    held = {f.code for f in db.session.scalars(select(Finding).where(Finding.application_id == newcomer.id))}
    assert {FindingCode.OVERLAP_PENDING, FindingCode.IDENTITY_SHARED} <= held

    def codes(body):
        return {f["code"] for f in body["findings"] + [f for e in body["entries"] for f in e["findings"]]}

    url = f"/api/v1/applications/{newcomer.id}"
    assert not codes(api(newcomer.applicant).get(url).json) & REVIEWER_ONLY_FINDINGS
    assert codes(api(make_user(role="reviewer")).get(url).json) >= {FindingCode.OVERLAP_PENDING,
                                                                       FindingCode.IDENTITY_SHARED}
    page = login(newcomer.applicant).get(f"/applications/{newcomer.id}").text
    assert "also used by another account" not in page and "also waiting for review" not in page
    assert "39.32.12.7" in page  # the page itself is there, with the entry


def test_own_approved_space_is_info_and_ready(db, make_application, run_worker):
    first = make_application(["39.32.12.0/24"], state=State.APPROVED)
    renewal = make_application(["39.32.12.0/25"], applicant=first.applicant)
    _validate(run_worker, renewal)
    state, found = findings_of(db, renewal)
    assert state == State.READY and (FindingCode.OVERLAP_OWN, "info") in found


def test_overlap_with_pending_is_a_warning_on_both(db, make_application, run_worker):
    waiting = make_application(["39.32.12.0/24"], state=State.READY)
    newcomer = make_application(["39.32.12.7"])
    _validate(run_worker, newcomer)
    assert findings_of(db, newcomer) == (State.READY, [
        (FindingCode.DOCUMENT_MISSING, "warning"), ("geo.asn", "info"), (FindingCode.IDENTITY_SHARED, "warning"),
        (FindingCode.ISP_UNCONFIRMED, "info"), (FindingCode.OVERLAP_PENDING, "warning")])
    state, found = findings_of(db, waiting)
    assert state == State.READY and found == [(FindingCode.OVERLAP_PENDING, "warning")]


def test_duplicates_inside_an_application_are_merged_info(db, make_application, run_worker):
    application = make_application(["39.32.12.0/24", "39.32.12.10", "39.32.13.0/24"], ntn="7654321-0")
    _validate(run_worker, application)
    state, found = findings_of(db, application)
    assert state == State.READY and found.count((FindingCode.DUPLICATE_ENTRY, "info")) == 1


def test_special_purpose_and_too_broad_entries_flag(db, make_application, run_worker):
    application = make_application(["100.64.0.0/24", "39.0.0.0/16"], ntn="7654321-0")
    _validate(run_worker, application)
    state, found = findings_of(db, application)
    assert state == State.FLAGGED
    assert ("address.special_purpose", "error") in found and ("address.too_broad", "error") in found


def test_endpoint_checks(db, make_application, run_worker):
    application = make_application([], endpoints=[("10.1.2.3", "wireguard", 51820), ("vpn.example.pk", "ipsec", 500),
                                                  ("bad_host!", "openvpn", 70000)], ntn="7654321-0")
    _validate(run_worker, application)
    state, found = findings_of(db, application)
    assert state == State.FLAGGED
    assert sorted(c for c, _ in found) == sorted([FindingCode.ENDPOINT_HOST, FindingCode.ENDPOINT_PORT,
                                                  FindingCode.ENDPOINT_SPECIAL, FindingCode.DOCUMENT_MISSING,
                                                  FindingCode.ISP_UNCONFIRMED])  # PTCL is not on Raasta here


def test_missing_and_reused_documents_and_shared_identity_warn(db, make_application, run_worker, make_user):
    first = make_application(["39.32.12.0/24"], state=State.READY)
    second = make_application(["39.32.14.0/24"])  # same NTN as the first: another account
    for application in (first, second):
        db.session.add(Document(application_id=application.id, kind="other", display_name="contract.pdf",
                                stored_name=f"x{application.id}.pdf", content_type="application/pdf", size=1,
                                sha256="ab" * 32, uploaded_by_id=application.applicant_id))
    db.session.commit()
    _validate(run_worker, second)
    state, found = findings_of(db, second)
    assert state == State.READY
    assert {(FindingCode.DOCUMENT_MISSING, "warning"), (FindingCode.DOCUMENT_REUSED, "warning"),
            (FindingCode.IDENTITY_SHARED, "warning")} <= set(found)


def test_a_file_another_applicant_used_twice_is_one_warning(db, make_application, run_worker, make_user):
    """Identity papers are copied onto each new application, so another applicant's one file sits on several of
    theirs: the reviewer was told the same thing once per copy."""
    other = make_user()
    earlier = [make_application([entry], state=State.APPROVED, applicant=other, ntn="7654321-0")
               for entry in ("39.32.20.0/24", "39.32.21.0/24")]
    mine = make_application(["39.32.14.0/24"], ntn="1111111-1")
    for application in (*earlier, mine):
        db.session.add(Document(application_id=application.id, kind="ntn_certificate", display_name="ntn.pdf",
                                stored_name=f"n{application.id}.pdf", content_type="application/pdf", size=1,
                                sha256="cd" * 32, uploaded_by_id=application.applicant_id))
    db.session.commit()
    _validate(run_worker, mine)
    [reused] = db.session.scalars(select(Finding).where(Finding.application_id == mine.id,
                                                        Finding.code == FindingCode.DOCUMENT_REUSED)).all()
    assert reused.data["application_ids"] == [a.id for a in earlier] and reused.data["application_id"] == earlier[0].id
    assert reused.message == "'ntn.pdf' is the very same file another applicant uploaded (on 2 of their applications)."


def test_validation_is_idempotent(db, make_application, run_worker):
    make_application(["39.32.12.0/24"], state=State.APPROVED)
    application = make_application(["39.32.12.0/25", "39.32.12.0/25", "192.168.0.1"])
    _validate(run_worker, application)
    first = findings_of(db, application)
    application = db.session.get(Application, application.id)
    application.state = State.VALIDATING  # as a re-run after a lost acknowledgement would find it
    db.session.commit()
    _validate(run_worker, application, application)
    assert findings_of(db, application) == first
