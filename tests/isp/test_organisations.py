"""ISP organisations: made by the CLI with their first user, managed by admins, picked by applicants."""
from sqlalchemy import func, select

from app.models import ApplicantProfile, AuditEvent, IspOrganisation, User
from app.services.profiles import ProfileInput, save_profile
from tests.conftest import flask_cli


def test_cli_creates_isp_users_in_their_organisation_and_refuses_mismatches(worker_env, db):
    first = flask_cli(worker_env, "users", "create", "noc@nayatel.pk", "--role", "isp", "--password",
                      "a long enough phrase", "--organisation", "Nayatel")
    second = flask_cli(worker_env, "users", "create", "billing@nayatel.pk", "--role", "isp", "--password",
                       "a long enough phrase", "--organisation", "  nayatel ")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    organisations = db.session.scalars(select(IspOrganisation).where(IspOrganisation.kind == "fixed")).all()
    assert [o.name for o in organisations] == ["Nayatel"]  # the second matched it, ignoring case and spaces
    users = db.session.scalars(select(User).order_by(User.id)).all()
    assert [(str(u.id), u.role, u.organisation_id) for u in users] == [
        (first.stdout.strip(), "isp", organisations[0].id), (second.stdout.strip(), "isp", organisations[0].id)]
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["user.created", "isp_organisation.created", "isp_organisation.member_added",
                       "user.created", "isp_organisation.member_added"]

    missing = flask_cli(worker_env, "users", "create", "x@ptcl.pk", "--role", "isp", "--password",
                        "a long enough phrase")
    wrong = flask_cli(worker_env, "users", "create", "r@pta.gov.pk", "--role", "reviewer", "--password",
                      "a long enough phrase", "--organisation", "PTCL")
    assert missing.returncode != 0 and "add --organisation NAME" in missing.stderr and "Traceback" not in missing.stderr
    assert wrong.returncode != 0 and "--organisation is for roles isp and sponsor only" in wrong.stderr
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # neither refused account exists


def test_admin_creates_renames_and_lists_organisations_with_their_users(db, make_user, login, isp_user, subscriber):
    client = login(make_user(role="admin"))
    page = client.post("/admin/organisations", data={"name": " Wateen  Telecom "}, follow_redirects=True).text
    assert "Fixed-line or broadband ISP Wateen Telecom created." in page
    duplicate = client.post("/admin/organisations", data={"name": "wateen telecom"}).text
    assert "already exists" in duplicate
    wateen = db.session.scalar(select(IspOrganisation).where(IspOrganisation.name == "Wateen Telecom"))
    operator = isp_user("Wateen Telecom")
    applicant = subscriber(isp="wateen telecom")
    assert client.get("/admin/organisations").text.count(">Wateen Telecom</a>") == 1
    detail = client.get(f"/admin/organisations/{wateen.id}").text
    assert operator.email in detail

    renamed = client.post(f"/admin/organisations/{wateen.id}", data={"name": "Wateen"}, follow_redirects=True).text
    assert "Renamed to Wateen." in renamed
    profile = db.session.scalar(select(ApplicantProfile).where(ApplicantProfile.user_id == applicant.id))
    db.session.refresh(profile)
    assert (profile.isp_name, profile.isp_organisation_id) == ("Wateen", wateen.id)  # the applicant keeps it
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "isp_organisation.renamed"))
    assert event.data == {"before": "Wateen Telecom", "after": "Wateen", "profiles": 1}
    assert event.actor_role == "admin"


def test_only_admins_manage_organisations(make_user, login, client):
    assert client.get("/admin/organisations").status_code == 302  # to sign in
    for role in ("applicant", "reviewer", "isp"):
        client.post("/sign-out")
        login(make_user(role=role))
        assert client.get("/admin/organisations").status_code == 403
        assert client.post("/admin/organisations", data={"name": "Mine"}).status_code == 403


def test_profile_links_an_organisation_by_name_and_keeps_other_names_unconfirmed(db, make_user, login, isp_user,
                                                                                   api):
    isp_user("StormFiber")
    client = login(make_user())
    page = client.get("/profile").text
    # Organisations first in the picker, marked as confirming; the seed list after, without StormFiber twice.
    assert page.index('value="StormFiber" label="on Raasta') < page.index('value="PTCL"')
    assert page.count('value="StormFiber"') == 1
    client.post("/profile", data={"kind": "firm", "name": "Indus Soft", "ntn": "1234567-8", "city": "Lahore",
                                  "isp_name": " stormfiber ", "isp_subscriber_id": "SF-77"})
    profile = db.session.scalar(select(ApplicantProfile))
    storm = db.session.scalar(select(IspOrganisation).where(IspOrganisation.name == "StormFiber"))
    assert (profile.isp_name, profile.isp_organisation_id) == ("StormFiber", storm.id)

    other = make_user()
    body = {"kind": "firm", "name": "Cyber Hub", "ntn": "7654321-0", "city": "Quetta",
            "isp_name": "Qubee Wireless", "isp_subscriber_id": "Q-9"}
    response = api(other).put("/api/v1/profile", json=body)
    assert response.status_code == 200 and response.json["isp_name"] == "Qubee Wireless"
    assert response.json["isp_on_raasta"] is False
    typed = db.session.get(User, other.id).profile
    assert typed.isp_organisation_id is None  # not on Raasta: accepted, and nobody confirms it

    save_profile(db.session.get(User, other.id), ProfileInput(**{**body, "isp_name": "STORMFIBER"}))
    db.session.commit()
    assert typed.isp_organisation_id == storm.id and typed.isp_name == "StormFiber"
