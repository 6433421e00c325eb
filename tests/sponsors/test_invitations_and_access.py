"""A member answers the invitation (consents, declines, withdraws consent); a sponsor reads its members' progress
and nothing else; reviewers approve and suspend sponsors, and a suspension brings back the employer letter."""
import io

import pytest
from sqlalchemy import select

from app.choices import DocumentKind, InvitationState
from app.models import Application, Invitation, SponsorDocument
from app.services.sponsors.invitations import token_for
from tests.sponsors.conftest import csv_of

ROW = "Sana Iqbal,35202-9876543-1,{email},,,,,39.32.12.0/24,VPN to our client in Dubai"


def imported(db, api, user, email="sana@example.pk") -> tuple[Invitation, str]:
    response = api(user).post("/api/v1/sponsor/imports", content_type="multipart/form-data",
                              data={"file": (io.BytesIO(csv_of(ROW.format(email=email))), "m.csv")})
    assert response.status_code == 201, response.json
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == email))
    return invitation, token_for(invitation.id, invitation.email)


@pytest.fixture
def member(make_user, api):
    user = make_user(email="sana@example.pk")
    client = api(user)
    client.user = user
    return client


def test_the_member_sees_the_proposal_corrects_it_consents_and_the_application_is_theirs(db, api, make_sponsor,
                                                                                       member):
    sponsor, user = make_sponsor(name="P@SHA")
    invitation, token = imported(db, api, user)
    seen = member.get(f"/api/v1/sponsor/invitations/{token}")
    assert seen.status_code == 200 and seen.json["sponsor"] == "P@SHA"
    assert seen.json["proposal"]["addresses"] == ["39.32.12.0/24"] and seen.json["proposal"]["cnic"] == \
        "35202-9876543-1"
    answer = member.post(f"/api/v1/sponsor/invitations/{token}/accept",
                         json={"city": "Lahore", "addresses": ["39.32.12.0/25"], "isp": "PTCL",
                               "subscriber_id": "PTCL-77"})
    assert answer.status_code == 201, answer.json
    application = db.session.get(Application, answer.json["application_id"])
    assert application.applicant_id == member.user.id and application.sponsor_id == sponsor.id
    assert [e.input for e in application.entries] == ["39.32.12.0/25"]  # the member's correction, not the proposal
    # freelancer VPN needs the CNIC copies: the application waits as the member's draft, saying so
    assert answer.json["submitted"] is False and "CNIC" in answer.json["waiting"]
    assert application.state == "draft"
    progress = api(user).get("/api/v1/sponsor/members").json
    assert [(m["email"], m["progress"]) for m in progress] == [("sana@example.pk", "accepted")]
    again = member.post(f"/api/v1/sponsor/invitations/{token}/accept", json={"city": "Lahore"})
    assert again.status_code == 409


def test_the_sponsors_attestation_stands_for_the_employer_letter_until_it_is_suspended(db, api, make_sponsor,
                                                                                     member, make_user):
    from app.choices import SponsorState
    from app.services.sponsors.registry import decide
    from app.services.validation.checks.documents import required_documents

    sponsor, user = make_sponsor()
    _invitation, token = imported(db, api, user)
    answer = member.post(f"/api/v1/sponsor/invitations/{token}/accept", json={"city": "Lahore", "isp": "PTCL",
                                                                               "subscriber_id": "PTCL-77"})
    application = db.session.get(Application, answer.json["application_id"])
    assert DocumentKind.EMPLOYER_LETTER not in required_documents(application)
    decide(sponsor, SponsorState.SUSPENDED, "Registration lapsed", make_user(role="reviewer"))
    db.session.commit()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert DocumentKind.EMPLOYER_LETTER in required_documents(application)


def test_decline_and_withdrawn_consent_leave_the_sponsor_nothing_but_the_word(db, api, make_sponsor, member,
                                                                             make_user):
    _sponsor, user = make_sponsor()
    invitation, token = imported(db, api, user)
    accepted = member.post(f"/api/v1/sponsor/invitations/{token}/accept",
                           json={"city": "Lahore", "isp": "PTCL", "subscriber_id": "PTCL-77"})
    application_id = accepted.json["application_id"]
    withdrawn = member.post(f"/api/v1/sponsor/invitations/{token}/withdraw-consent")
    assert withdrawn.status_code == 200 and withdrawn.json["state"] == InvitationState.WITHDRAWN
    assert db.session.get(Application, application_id).sponsor_id is None
    progress = api(user).get("/api/v1/sponsor/members")
    assert [m["progress"] for m in progress.json] == ["withdrawn"]
    assert set(progress.json[0]) == {"invitation_id", "import_id", "row", "name", "email", "progress"}
    assert "application" not in progress.text and "39.32" not in progress.text
    other = make_user(email="omar@example.pk")
    _invitation, other_token = imported(db, api, user, email="omar@example.pk")
    declined = api(other).post(f"/api/v1/sponsor/invitations/{other_token}/decline")
    assert declined.status_code == 200 and declined.json["state"] == "declined"
    assert sorted(m["progress"] for m in api(user).get("/api/v1/sponsor/members").json) == ["declined",
                                                                                           "withdrawn"]


def test_only_the_invited_email_may_answer_and_an_unknown_token_is_404(db, api, make_sponsor, make_user):
    _sponsor, user = make_sponsor()
    invitation, token = imported(db, api, user)
    stranger = api(make_user(email="stranger@example.pk"))
    seen = stranger.get(f"/api/v1/sponsor/invitations/{token}")
    assert seen.status_code == 403 and "39.32" not in seen.text and "Sana" not in seen.text
    assert stranger.post(f"/api/v1/sponsor/invitations/{token}/accept", json={"city": "Lahore"}).status_code == 403
    assert stranger.get("/api/v1/sponsor/invitations/not-a-token").status_code == 404
    assert db.session.get(Invitation, invitation.id).state == InvitationState.INVITED


@pytest.mark.parametrize("path", ["/api/v1/applications/{application}", "/api/v1/audit?application={application}",
                                  "/api/v1/review/queue", "/api/v1/sponsor/imports/{other_import}",
                                  "/api/v1/sponsor/imports/{other_import}/file", "/api/v1/sponsors"])
def test_a_sponsor_reads_nothing_of_a_member_beyond_progress(db, api, make_sponsor, member, path):
    _sponsor, user = make_sponsor()
    _other, other_user = make_sponsor()
    _invitation, token = imported(db, api, user)
    answer = member.post(f"/api/v1/sponsor/invitations/{token}/accept",
                         json={"city": "Lahore", "isp": "PTCL", "subscriber_id": "PTCL-77"})
    other_import = api(other_user).post(
        "/api/v1/sponsor/imports", content_type="multipart/form-data",
        data={"file": (io.BytesIO(csv_of(ROW.format(email="x@example.pk").replace("9876543", "1231231"))),
                       "o.csv")}).json["id"]
    response = api(user).get(path.format(application=answer.json["application_id"], other_import=other_import))
    assert response.status_code in (403, 404)
    assert "39.32" not in response.text and "PTCL-77" not in response.text and "x@example.pk" not in response.text


def test_reviewers_approve_and_suspend_with_a_reason_and_a_sponsor_cannot(db, api, make_sponsor, make_user):
    sponsor, user = make_sponsor(approved=False)
    reviewer = api(make_user(role="reviewer"))
    assert api(user).post(f"/api/v1/sponsors/{sponsor.id}/approve").status_code == 403
    approved = reviewer.post(f"/api/v1/sponsors/{sponsor.id}/approve")
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    assert reviewer.post(f"/api/v1/sponsors/{sponsor.id}/approve").status_code == 409
    no_reason = reviewer.post(f"/api/v1/sponsors/{sponsor.id}/suspend", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["error"]["message"]
    suspended = reviewer.post(f"/api/v1/sponsors/{sponsor.id}/suspend", json={"reason": "Registration lapsed"})
    assert suspended.status_code == 200 and suspended.json["state"] == "suspended"
    trail = reviewer.get("/api/v1/audit").json
    events = trail["events"] if isinstance(trail, dict) else trail
    assert {"sponsor.approved", "sponsor.suspended"} <= {e["action"] for e in events}


def test_a_sponsor_is_approved_only_with_its_papers_which_reviewers_read(db, api, make_user, make_sponsor):
    from tests.applicant.conftest import PDF

    sponsor, user = make_sponsor(approved=False)
    reviewer = api(make_user(role="reviewer"))
    # the fixture uploads both papers: one is taken out again to see the refusal
    db.session.query(SponsorDocument).filter_by(sponsor_id=sponsor.id, kind="signatory_cnic").delete()
    db.session.commit()
    refused = reviewer.post(f"/api/v1/sponsors/{sponsor.id}/approve")
    assert refused.status_code == 422 and "CNIC (copy)" in refused.json["error"]["message"]
    not_a_scan = api(user).post("/api/v1/sponsor/papers", content_type="multipart/form-data",
                                data={"kind": "signatory_cnic", "file": (io.BytesIO(b"MZ\x90\x00evil"), "cnic.exe")})
    assert not_a_scan.status_code == 415 and "cnic.exe" in not_a_scan.json["error"]["message"]
    uploaded = api(user).post("/api/v1/sponsor/papers", content_type="multipart/form-data",
                              data={"kind": "signatory_cnic", "file": (io.BytesIO(PDF), "cnic.pdf")})
    assert uploaded.status_code == 201 and {p["kind"] for p in uploaded.json["papers"]} == {"registration",
                                                                                           "signatory_cnic"}
    read = reviewer.get(f"/api/v1/sponsors/{sponsor.id}/papers/signatory_cnic")
    assert read.status_code == 200 and read.data == PDF and "attachment" in read.headers["Content-Disposition"]
    assert api(user).get(f"/api/v1/sponsors/{sponsor.id}/papers/signatory_cnic").status_code == 403
    assert reviewer.post(f"/api/v1/sponsors/{sponsor.id}/approve").status_code == 200


def test_consenting_keeps_what_the_members_profile_had_that_the_answer_leaves_out(db, api, make_sponsor, member):
    from app.services.profiles import ProfileInput, save_profile

    save_profile(member.user, ProfileInput(kind="freelancer", name="Sana I.", city="Multan", cnic="35202-9876543-1",
                                           phone="0300-7654321", isp_name="Nayatel", isp_subscriber_id="NT-5"))
    db.session.commit()
    _sponsor, user = make_sponsor()
    _invitation, token = imported(db, api, user)
    assert member.post(f"/api/v1/sponsor/invitations/{token}/accept", json={}).status_code == 201
    db.session.expire_all()
    profile = db.session.get(type(member.user), member.user.id).profile
    assert (profile.name, profile.city, profile.phone, profile.isp_name, profile.isp_subscriber_id) == (
        "Sana Iqbal", "Multan", "0300-7654321", "Nayatel", "NT-5")


def test_the_openapi_document_describes_every_sponsor_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/sponsor", "/api/v1/sponsor/details", "/api/v1/sponsor/papers", "/api/v1/sponsor/imports",
            "/api/v1/sponsor/imports/{import_id}", "/api/v1/sponsor/imports/{import_id}/file",
            "/api/v1/sponsor/members", "/api/v1/sponsor/invitations/{token}",
            "/api/v1/sponsor/invitations/{token}/accept", "/api/v1/sponsor/invitations/{token}/decline",
            "/api/v1/sponsor/invitations/{token}/withdraw-consent", "/api/v1/sponsors",
            "/api/v1/sponsors/{sponsor_id}/approve", "/api/v1/sponsors/{sponsor_id}/suspend",
            "/api/v1/sponsors/{sponsor_id}/papers/{kind}"} <= set(paths)
    upload = paths["/api/v1/sponsor/imports"]["post"]
    assert "201" in upload["responses"] and "multipart/form-data" in upload["requestBody"]["content"]
