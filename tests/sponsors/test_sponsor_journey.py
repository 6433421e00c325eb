"""The issue's journey at a small scale: a sponsor imports its members, half of them accept, prove who they are and
are approved through the ordinary desk (real validation worker, maker-checker batch); the sponsor then reads
"decided" for those and "invited" for the rest, and nothing more."""
import io
import os

from sqlalchemy import select

from app.models import Invitation
from app.services.sponsors.invitations import token_for
from tests.applicant.conftest import PDF
from tests.sponsors.conftest import csv_of

# The issue's own scale is 500 members (SPONSOR_JOURNEY_MEMBERS=500: 24 s on SQLite, 33 s on PostgreSQL); the suite runs 20.
MEMBERS = int(os.environ.get("SPONSOR_JOURNEY_MEMBERS", "20"))
ACCEPTING = (MEMBERS + 1) // 2  # every other member, from the first


def test_half_the_members_accept_and_are_approved_through_the_desk(db, api, make_sponsor, make_user, run_worker):
    sponsor, sponsor_user = make_sponsor(name="Software Houses Association")
    rows = [f"Member {n},35202-{n:07d}-1,member{n}@example.pk,,,,,39.{32 + n // 256}.{n % 256}.0/24,"
            "VPN to our client in Germany" for n in range(MEMBERS)]
    imported = api(sponsor_user).post("/api/v1/sponsor/imports", content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(csv_of(*rows)), "members.csv")})
    assert imported.status_code == 201 and imported.json["invitations"] == MEMBERS
    application_ids = []
    for invitation in db.session.scalars(select(Invitation).order_by(Invitation.row)).all()[::2]:
        member = api(make_user(email=invitation.email))
        token = token_for(invitation.id, invitation.email)
        accepted = member.post(f"/api/v1/sponsor/invitations/{token}/accept",
                               json={"city": "Lahore", "isp": "PTCL", "subscriber_id": f"PTCL-{invitation.row}"})
        assert accepted.status_code == 201 and accepted.json["submitted"] is False  # the CNIC copies first
        application_id = accepted.json["application_id"]
        for kind in ("cnic_front", "cnic_back"):
            uploaded = member.post(f"/api/v1/applications/{application_id}/documents",
                                   data={"kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")})
            assert uploaded.status_code == 201, uploaded.json
        assert member.post(f"/api/v1/applications/{application_id}/submit").status_code == 202
        application_ids.append(application_id)
    progress = api(sponsor_user).get("/api/v1/sponsor/members").json
    assert sorted(m["progress"] for m in progress) == ["invited"] * (MEMBERS - ACCEPTING) + ["submitted"] * ACCEPTING
    run_worker()
    maker, checker = api(make_user(role="reviewer")), api(make_user(role="admin"))
    queue, cursor = [], ""
    while cursor is not None:  # the queue comes in pages of at most 200
        page = maker.get(f"/api/v1/review/queue?sponsor={sponsor.id}&limit=200&cursor={cursor}").json
        queue, cursor = queue + page["applications"], page["next_cursor"]
    assert sorted(r["id"] for r in queue) == sorted(application_ids)
    assert {r["state"] for r in queue} == {"ready"}, queue
    batch = maker.post("/api/v1/batches", json={"application_ids": application_ids})
    assert batch.status_code == 201, batch.json
    approved = checker.post(f"/api/v1/batches/{batch.json['id']}/approve")
    assert approved.status_code == 200, approved.json
    progress = api(sponsor_user).get("/api/v1/sponsor/members")
    assert sorted(m["progress"] for m in progress.json) == ["decided"] * ACCEPTING + ["invited"] * (MEMBERS - ACCEPTING)
    assert "approved" not in progress.text and "39.32" not in progress.text


def test_suspending_a_sponsor_sends_its_members_waiting_applications_back_for_their_own_letter(
        db, api, make_sponsor, make_user, make_reviewable, run_worker):
    from app.choices import SponsorState
    from app.models import Application, Finding
    from app.services.sponsors.registry import decide

    sponsor, _user = make_sponsor()
    waiting, alone = make_reviewable(["39.32.1.0/24"]), make_reviewable(["39.32.2.0/24"])
    waiting.sponsor_id = sponsor.id
    db.session.commit()
    decide(sponsor, SponsorState.SUSPENDED, "Registration lapsed", make_user(role="reviewer"))
    db.session.commit()
    assert (db.session.get(Application, waiting.id).state, db.session.get(Application, alone.id).state) == (
        "validating", "ready")
    run_worker()
    db.session.expire_all()
    letters = db.session.scalars(select(Finding.message).where(Finding.application_id == waiting.id,
                                                               Finding.code == "document.missing")).all()
    assert any("Employer letter" in m for m in letters), letters
