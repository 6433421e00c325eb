"""The sponsor's pages, the member's invitation page and the reviewers' sponsors page, through the real forms."""
import io

from sqlalchemy import select

from app.models import Application, Invitation, Sponsor
from app.services.sponsors.invitations import token_for
from tests.sponsors.conftest import csv_of

GOOD = "Sana Iqbal,35202-9876543-1,sana@example.pk,,,,,39.32.12.0/24,VPN to our client in Dubai"


def test_a_pending_sponsor_gives_its_details_and_papers_on_its_page(db, client, login, make_sponsor):
    from tests.applicant.conftest import PNG

    sponsor, user = make_sponsor(approved=False)
    login(user)
    page = client.get("/sponsor")
    assert "Registration certificate" in page.text and 'name="signatory_cnic"' in page.text
    saved = client.post("/sponsor/details", data={"registration_number": "PSEB-42", "signatory_name": "Ali Khan",
                                                  "signatory_cnic": "3520212345671"}, follow_redirects=True)
    assert "Details saved" in saved.text and db.session.get(Sponsor, sponsor.id).signatory_cnic == "35202-1234567-1"
    uploaded = client.post("/sponsor/papers", data={"kind": "registration", "file": (io.BytesIO(PNG), "reg.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Registration certificate uploaded" in uploaded.text and "reg.png" in uploaded.text


def test_a_sponsor_uploads_sees_the_problems_table_downloads_and_fixes_the_file(db, client, login, make_sponsor):
    _sponsor, user = make_sponsor(name="Lahore Coworking")
    login(user)
    page = client.get("/sponsor")
    assert page.status_code == 200 and "Lahore Coworking" in page.text and 'for="file"' in page.text
    bad = csv_of(GOOD.replace("35202-9876543-1", "3520-98"))
    response = client.post("/sponsor/imports", data={"file": (io.BytesIO(bad), "members.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "nothing was imported" in response.text
    assert "<td data-label=\"Row\">2</td>" in response.text and "3520-98" in response.text
    import_id = int(response.request.path.rsplit("/", 1)[1])
    assert client.get(f"/sponsor/imports/{import_id}/file").data == bad
    fixed = client.post(f"/sponsor/imports/{import_id}", data={"file": (io.BytesIO(csv_of(GOOD)), "members.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "1 member invited" in fixed.text
    members = client.get("/sponsor")
    assert "sana@example.pk" in members.text and "Invited" in members.text


def test_the_member_consents_on_the_invitation_page(db, client, login, make_sponsor, make_user, api):
    sponsor, user = make_sponsor()
    api(user).post("/api/v1/sponsor/imports", content_type="multipart/form-data",
                   data={"file": (io.BytesIO(csv_of(GOOD)), "m.csv")})
    invitation = db.session.scalar(select(Invitation))
    token = token_for(invitation.id, invitation.email)
    member = make_user(email="sana@example.pk")
    login(member)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200 and "39.32.12.0/24" in page.text and "35202-9876543-1" in page.text
    answer = client.post(f"/invitations/{token}", data={
        "name": "Sana Iqbal", "cnic": "35202-9876543-1", "city": "Lahore", "purpose": "VPN to our client in Dubai",
        "isp": "PTCL", "subscriber_id": "PTCL-9", "addresses": "39.32.12.0/24", "consent": "1"})
    assert answer.status_code == 302
    application = db.session.scalar(select(Application).where(Application.applicant_id == member.id))
    assert application.sponsor_id == sponsor.id and answer.headers["Location"].endswith(
        f"/applications/{application.id}")


def test_a_reviewer_approves_and_suspends_from_the_sponsors_page(db, client, login, make_sponsor, make_user):
    sponsor, _user = make_sponsor(name="Software Houses Association", approved=False)
    login(make_user(role="reviewer"))
    page = client.get("/review/sponsors")
    assert page.status_code == 200 and "Software Houses Association" in page.text and "SECP-" in page.text
    paper = client.get(f"/review/sponsors/{sponsor.id}/papers/registration")
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF") and f"/papers/registration" in page.text
    client.post(f"/review/sponsors/{sponsor.id}/approved", data={"reason": ""})
    refused = client.post(f"/review/sponsors/{sponsor.id}/suspended", data={"reason": ""}, follow_redirects=True)
    assert "Give the reason" in refused.text
    client.post(f"/review/sponsors/{sponsor.id}/suspended", data={"reason": "Registration lapsed"})
    db.session.expire_all()
    assert db.session.get(Sponsor, sponsor.id).state == "suspended"


def test_the_review_queue_filters_by_sponsor(db, api, make_sponsor, make_user, make_reviewable):
    sponsor, _user = make_sponsor()
    mine, other = make_reviewable(["39.32.1.0/24"]), make_reviewable(["39.32.2.0/24"])
    mine.sponsor_id = sponsor.id
    db.session.commit()
    reviewer = api(make_user(role="reviewer"))
    rows = reviewer.get(f"/api/v1/review/queue?sponsor={sponsor.id}").json["applications"]
    assert [r["id"] for r in rows] == [mine.id] and other.id != mine.id
    assert reviewer.get(f"/api/v1/applications/{mine.id}").json["sponsor"]["name"] == sponsor.name
    assert reviewer.get("/api/v1/review/queue?sponsor=x").status_code == 422


def test_the_queue_page_filters_by_sponsor_and_select_all_keeps_the_filter(db, client, login, make_sponsor,
                                                                          make_user, make_reviewable):
    sponsor, _user = make_sponsor(name="Karachi Freelancers")
    mine, other = make_reviewable(["39.32.1.0/24"]), make_reviewable(["39.32.2.0/24"])
    mine.sponsor_id = sponsor.id
    db.session.commit()
    login(make_user(role="reviewer"))
    page = client.get(f"/review/?sponsor={sponsor.id}")
    assert page.status_code == 200 and "Karachi Freelancers" in page.text
    assert f"#{mine.id}" in page.text and f"#{other.id}" not in page.text
    assert f'<input type="hidden" name="sponsor" value="{sponsor.id}">' in page.text
    shown = client.get(f"/review/applications/{mine.id}")
    assert "Karachi Freelancers" in shown.text


def test_a_sponsor_opens_no_member_page_on_the_web(db, client, login, make_sponsor, make_user, api):
    _sponsor, user = make_sponsor()
    _other, other_user = make_sponsor()
    api(user).post("/api/v1/sponsor/imports", content_type="multipart/form-data",
                   data={"file": (io.BytesIO(csv_of(GOOD)), "m.csv")})
    invitation = db.session.scalar(select(Invitation))
    member = make_user(email="sana@example.pk")
    accepted = api(member).post(f"/api/v1/sponsor/invitations/{token_for(invitation.id, invitation.email)}/accept",
                                json={"city": "Lahore", "isp": "PTCL", "subscriber_id": "PTCL-9"}).json
    other_import = api(other_user).post(
        "/api/v1/sponsor/imports", content_type="multipart/form-data",
        data={"file": (io.BytesIO(csv_of(GOOD.replace("sana@", "zed@").replace("9876543", "1212121"))),
                       "o.csv")}).json["id"]
    login(user)
    for path in (f"/applications/{accepted['application_id']}", f"/review/applications/{accepted['application_id']}",
                 "/review/", f"/sponsor/imports/{other_import}", f"/sponsor/imports/{other_import}/file",
                 f"/invitations/{token_for(invitation.id, invitation.email)}", "/review/sponsors"):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert "39.32" not in response.text and "PTCL-9" not in response.text and "zed@" not in response.text


def test_a_file_over_the_limit_on_the_web_is_a_413_page_naming_the_limit(db, client, login, make_sponsor):
    _sponsor, user = make_sponsor()
    login(user)
    response = client.post("/sponsor/imports", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_of(GOOD) + b"#" * (6 * 1024 * 1024)), "big.csv")})
    assert response.status_code == 413 and "5 MB" in response.text and "5,000" in response.text
    listed = client.get("/sponsor")
    assert "big.csv" not in listed.text
