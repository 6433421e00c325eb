"""The reviewer's view of one application, its documents, notes, and every decision taken from it."""
import io
import re

from sqlalchemy import select

from app.choices import REJECTION_REASONS, State
from app.extensions import db as _db
from app.models import Application, AuditEvent, Override
from tests.review.conftest import PDF, PNG

ERROR = ("address.too_broad", "error")


def reload(application) -> Application:
    _db.session.expire_all()
    return _db.session.get(Application, application.id)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<div class="error-text" id="{field}-error">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_the_review_page_shows_entries_findings_where_documents_profile_and_history(
        login, reviewer, queued, approved_application, make_applicant_as):
    firm = make_applicant_as("Indus Soft (Pvt) Ltd", isp="Nayatel")
    older = queued(["39.32.200.0/24"], applicant=firm, state=State.REJECTED)
    owner = approved_application(["39.32.12.128/25"])
    application = queued(
        ["39.32.12.0/24", "2400:adc0:100::/48"], applicant=firm, state=State.FLAGGED,
        findings=[(0, "overlap.approved_other", "error", {"application_id": owner.id}),
                  (0, "geo.asn", "info", None)],
        documents=[("ntn_certificate", "ntn.pdf", "application/pdf", PDF),
                   ("cnic_front", "front.png", "image/png", PNG)])
    page = login(reviewer).get(f"/review/applications/{application.id}").text
    assert "<h1>Application #%d" % application.id in page and 'badge-flagged' in page
    assert "Office VPN to our client in Germany" in page and "Indus Soft (Pvt) Ltd" in page
    # Each entry: its size, where it is, and its findings with the overlapping application as a link.
    entry_row = page.split("<code>39.32.12.0/24</code>")[1].split("</tr>")[0]
    assert ">256<" in entry_row and "Pakistan (PK)" in entry_row
    assert f'href="/review/applications/{owner.id}">application #{owner.id}</a>' in entry_row
    assert entry_row.index("badge-error") < entry_row.index("badge-info")  # errors first
    assert "2^80" in page  # a /48 counted without 25 digits
    # Documents inline, each also a download.
    pdf, png = application.documents
    inline = f"/review/applications/{application.id}/documents/{{}}/inline"
    assert f'<iframe class="document-frame" src="{inline.format(pdf.id)}"' in page
    assert f'<img class="document-image" src="{inline.format(png.id)}"' in page
    assert f'/applications/{application.id}/documents/{pdf.id}"' in page
    # The applicant's profile and their other applications.
    assert "1234567-8" in page and "Nayatel" in page and firm.email in page
    assert f'href="/review/applications/{older.id}">#{older.id}</a>' in page
    # Open decisions for a flagged application.
    assert "Override a finding" in page and '<option value="overlap.approved_other">' in page
    assert "Reject" in page and "Request information" in page
    assert "this application has error findings not overridden (overlap.approved_other)" in page  # why not batchable


def test_the_timeline_names_the_reviewers(login, reviewer, queued):
    application = queued()
    client = login(reviewer)
    client.post(f"/review/applications/{application.id}/request-info", data={"message": "Upload your NTN."})
    page = client.get(f"/review/applications/{application.id}").text
    timeline = page.split('<ol class="audit-timeline">')[1]
    assert "Application needs info" in timeline and f"by {reviewer.email}" in timeline


def test_inline_documents_are_sandboxed_and_never_sniffed(login, reviewer, queued, make_user, as_user, db):
    application = queued(documents=[("ntn_certificate", "ntn.pdf", "application/pdf", PDF)])
    document = application.documents[0]
    url = f"/review/applications/{application.id}/documents/{document.id}/inline"
    response = login(reviewer).get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # the portal's own page may frame it; nothing else
    assert "no-store" in response.headers["Cache-Control"]
    opened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.downloaded"))
    assert opened.actor_id == reviewer.id  # who looked at it is on the trail
    elsewhere = f"/review/applications/{application.id + 1}/documents/{document.id}/inline"
    assert login(reviewer).get(elsewhere).status_code == 404
    assert as_user(make_user("applicant")).get(url).status_code == 403


def test_a_template_reason_rejects_and_the_applicant_reads_it(login, reviewer, queued, as_user):
    application = queued()
    response = login(reviewer).post(f"/review/applications/{application.id}/reject",
                                    data={"template": REJECTION_REASONS[3].english, "reason": ""})
    assert response.status_code == 302
    assert reload(application).state == State.REJECTED
    assert "rejected. The applicant has been told why" in login(reviewer).get(response.headers["Location"]).text
    applicant_page = as_user(application.applicant).get(f"/applications/{application.id}").text
    assert REJECTION_REASONS[3].english in applicant_page


def test_a_written_reason_wins_over_the_template(login, reviewer, queued):
    application = queued()
    login(reviewer).post(f"/review/applications/{application.id}/reject",
                         data={"template": REJECTION_REASONS[0].english, "reason": "Your range belongs to a bank."})
    assert reload(application).reviewer_message == "Your range belongs to a bank."


def test_rejecting_without_a_reason_is_explained_at_the_field(login, reviewer, queued):
    application = queued()
    response = login(reviewer).post(f"/review/applications/{application.id}/reject",
                                    data={"template": "", "reason": "  "})
    assert response.status_code == 422
    assert "Pick a reason from the list or write one" in field_error(response.text, "reason")
    assert reload(application).state == State.READY


def test_a_refused_decision_keeps_the_typed_text(login, reviewer, queued):
    application = queued()
    client = login(reviewer)
    client.post("/review/batches", data={"ids": str(application.id)})
    response = client.post(f"/review/applications/{application.id}/reject",
                           data={"reason": "Documents are for another firm."})
    assert response.status_code == 409
    assert f"is in batch" in field_error(response.text, "reason")
    assert "Documents are for another firm.</textarea>" in response.text
    assert reload(application).state == State.READY


def test_request_information_sends_it_back_with_the_message(login, reviewer, queued, as_user):
    application = queued()
    client = login(reviewer)
    empty = client.post(f"/review/applications/{application.id}/request-info", data={"message": ""})
    assert empty.status_code == 422 and "Write what the applicant should add" in field_error(empty.text, "message")
    # The form sits far down the page: the refusal shows at the top too, and the field takes the focus.
    flashed = re.search(r'<div class="flash flash-error"[^>]*>(.*?)</div>', empty.text, re.S)
    assert flashed and flashed.group(1) == "Write what the applicant should add or change."
    assert re.search(r'<textarea[^>]*\bautofocus\b[^>]*id="message"|<textarea[^>]*id="message"[^>]*\bautofocus\b',
                     empty.text)
    response = client.post(f"/review/applications/{application.id}/request-info",
                           data={"message": "Upload the NTN certificate."})
    assert response.status_code == 302 and reload(application).state == State.NEEDS_INFO
    assert "Upload the NTN certificate." in as_user(application.applicant).get(f"/applications/{application.id}").text


def test_an_override_shows_on_the_application_and_opens_the_batch(login, reviewer, queued, db):
    application = queued(["39.32.0.0/16"], state=State.FLAGGED, findings=[(0, *ERROR, None)])
    client = login(reviewer)
    empty = client.post(f"/review/applications/{application.id}/override", data={"code": ERROR[0], "reason": ""})
    assert empty.status_code == 422 and "Write why this finding does not stop" in field_error(empty.text, "reason")
    response = client.post(f"/review/applications/{application.id}/override",
                           data={"code": ERROR[0], "reason": "Call centre with 40,000 seats."})
    assert response.status_code == 302
    override = db.session.scalar(select(Override))
    assert (override.code, override.reviewer_id) == (ERROR[0], reviewer.id)
    page = client.get(f"/review/applications/{application.id}").text
    assert f"Overridden by {reviewer.name}: “Call centre with 40,000 seats.”" in page
    assert "Add to a new batch" in page and "Override a finding" not in page  # nothing left to override


def test_the_applicant_is_not_asked_to_fix_what_a_reviewer_accepted_or_what_is_decided(
        login, reviewer, queued, as_user, db):
    application = queued(["39.32.0.0/16"], state=State.FLAGGED, findings=[(0, *ERROR, None)])
    applicant = as_user(application.applicant)
    assert "1 problem to fix" in applicant.get(f"/applications/{application.id}").text
    login(reviewer).post(f"/review/applications/{application.id}/override",
                         data={"code": ERROR[0], "reason": "Call centre with 40,000 seats."})
    page = applicant.get(f"/applications/{application.id}").text
    assert "problem to fix" not in page and "(accepted by a reviewer: nothing to fix)" in page
    application.state = State.REJECTED  # decided: nothing is the applicant's to fix any more
    application.findings[0].code = "another.error"
    db.session.commit()
    assert "problem to fix" not in applicant.get(f"/applications/{application.id}").text


def test_revoking_an_approval_needs_a_reason_and_the_applicant_reads_it(login, reviewer, approved_application,
                                                                       as_user):
    application = approved_application(["39.32.12.0/24"])
    client = login(reviewer)
    page = client.get(f"/review/applications/{application.id}").text
    assert "Revoke the approval" in page and "Reject" not in page
    empty = client.post(f"/review/applications/{application.id}/revoke", data={"reason": ""})
    assert empty.status_code == 422 and "Write why the approval is revoked" in field_error(empty.text, "reason")
    response = client.post(f"/review/applications/{application.id}/revoke", data={"reason": "Court order 12/2026."})
    assert response.status_code == 302 and reload(application).state == State.REVOKED
    assert "Court order 12/2026." in as_user(application.applicant).get(f"/applications/{application.id}").text


def test_notes_stay_between_reviewers(login, reviewer, checker, queued, as_user):
    application = queued()
    response = login(reviewer).post(f"/review/applications/{application.id}/notes",
                                    data={"body": "Called the ISP: the line is theirs."})
    assert response.status_code == 302
    page = as_user(checker).get(f"/review/applications/{application.id}").text
    assert "Called the ISP: the line is theirs." in page and reviewer.name in page
    applicant_page = as_user(application.applicant).get(f"/applications/{application.id}").text
    assert "Called the ISP" not in applicant_page and reviewer.name not in applicant_page


def test_decision_forms_refuse_a_post_without_the_csrf_token(app, login, reviewer, queued):
    application = queued()
    client = login(reviewer)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/review/applications/{application.id}/reject", data={"reason": "No token."})
    assert response.status_code == 400 and "CSRF" in response.text
    assert reload(application).state == State.READY
    page = client.get(f"/review/applications/{application.id}").text
    reject_form = page.split(f'action="/review/applications/{application.id}/reject"')[1]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', reject_form).group(1)
    response = client.post(f"/review/applications/{application.id}/reject",
                           data={"csrf_token": token, "reason": "With a token."})
    assert response.status_code == 302 and reload(application).state == State.REJECTED


def test_the_applicant_answers_a_request_for_information_and_the_reviewer_reads_it(login, reviewer, queued,
                                                                                 as_user):
    application = queued(state=State.NEEDS_INFO)  # no NTN certificate yet: the page leads to its upload first
    applicant = as_user(application.applicant)
    page = applicant.get(f"/applications/{application.id}").text
    assert 'name="reply"' not in page and "Upload the NTN certificate to submit</a>" in page
    url = f"/applications/{application.id}/submit"
    refused = applicant.post(url, data={"reply": "The certificate is attached now."})  # sent from an older page
    assert "Upload the NTN certificate" in refused.text
    assert "The certificate is attached now.</textarea>" in refused.text  # what was typed is kept
    uploaded = applicant.post(f"/applications/{application.id}/documents", content_type="multipart/form-data",
                              data={"kind": "ntn_certificate", "file": (io.BytesIO(PDF), "ntn.pdf")})
    assert uploaded.status_code == 302
    assert 'name="reply"' in applicant.get(f"/applications/{application.id}").text
    sent = applicant.post(url, data={"reply": "The certificate is attached now."}, follow_redirects=True)
    assert "Submitted." in sent.text, sent.text[-3000:]
    page = login(reviewer).get(f"/review/applications/{application.id}").text
    assert "The applicant's answer:</strong> <span class=\"typed-text\">The certificate is attached now." in page
