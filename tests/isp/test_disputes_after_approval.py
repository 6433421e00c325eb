"""An ISP's dispute of an approved application suspends it at once: out of a whitelist version published in
the same transaction, reviewers and applicant told, first in the queue; a reviewer reinstates or revokes it."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import audit
from app.choices import FindingCode, State
from app.models import (
    Application,
    ApprovedPrefix,
    IspConfirmation,
    Notification,
    WhitelistFile,
)
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services import isp_confirmations as confirmations
from app.services.publication import files
from app.services.publication.publish import latest_version, publish
from app.services.review import approvals, suspensions
from app.services.review.queue import (
    QueueFilter,
    matching_ids,
    queue_page,
    state_counts,
)

REASON = "Subscriber id PTCL-1 is not on our books"


def _txt(db, serial) -> str:
    return files.body(db.session.get(WhitelistFile, (serial, "txt")).sha256).decode()


def _reload(db, application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _dispute(db, isp, application, reason=REASON):
    confirmation = db.session.scalar(select(IspConfirmation).where(IspConfirmation.application_id == application.id))
    confirmations.answer(confirmation, "dispute", reason, isp)
    db.session.commit()


def test_a_dispute_of_an_approved_application_suspends_it_and_publishes_a_version_without_it(
        db, api, make_user, ptcl, approved_asked, approved_application):
    reviewers = [make_user("reviewer"), make_user("admin")]
    applicant_only = make_user("applicant")
    kept = approved_application(["111.68.96.0/24"])
    disputed = approved_asked(["39.32.0.0/24"])
    assert publish("start").serial == 1
    db.session.commit()

    response = api(ptcl).post(f"/api/v1/isp/confirmations/{disputed.id}", json={"answer": "dispute", "reason": REASON})
    assert response.status_code == 200
    assert (response.json["state"], response.json["application_state"], response.json["whitelist_serial"]) == (
        "disputed", "suspended", 2)

    disputed = _reload(db, disputed)
    assert disputed.state == State.SUSPENDED
    assert latest_version().serial == 2 and "suspended" in latest_version().reason
    assert _txt(db, 1) == "39.32.0.0/24\n111.68.96.0/24\n" and _txt(db, 2) == "111.68.96.0/24\n"
    assert db.session.scalars(select(ApprovedPrefix.application_id).distinct()).all() == [kept.id]
    assert [(f.code, f.severity) for f in disputed.findings] == [(FindingCode.ISP_DISPUTED, "error")]
    actions = [e.action for e in audit.timeline(disputed)]
    assert actions[-2:] == ["application.isp_disputed", "application.suspended"]
    suspended = audit.timeline(disputed)[-1]
    assert (suspended.actor_id, suspended.data["before"], suspended.data["organisation"], suspended.data["reason"]) == (
        ptcl.id, State.APPROVED, "PTCL", REASON)
    assert audit.timeline(("whitelist_version", 2))[-1].action == "whitelist.published"

    [told] = db.session.scalars(select(Notification).where(Notification.user_id == disputed.applicant_id)).all()
    assert told.subject == f"Application {disputed.id} is suspended: your ISP disputed it"
    for words in ("PTCL told us that subscriber id PTCL-1 is not your connection", REASON,
                  "ISPs no longer let its addresses through", "check the subscriber id with PTCL",
                  "contact the regulator", "A reviewer will decide"):
        assert words in told.body
    for reviewer in reviewers:
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == reviewer.id)).all()
        assert note.subject == f"Application {disputed.id} suspended: PTCL disputed it after approval"
        assert "whitelist version 2, published now, leaves it out" in note.body and REASON in note.body
        assert note.link == f"/review/applications/{disputed.id}"
    assert not db.session.scalars(select(Notification).where(Notification.user_id == applicant_only.id)).all()


def test_the_same_dispute_again_changes_nothing_and_a_dispute_of_an_open_application_only_flags_it(
        db, ptcl, approved_asked, subscriber, submitted):
    disputed = approved_asked(["39.32.0.0/24"])
    _dispute(db, ptcl, disputed)
    serial = latest_version().serial
    _dispute(db, ptcl, disputed)
    assert latest_version().serial == serial and _reload(db, disputed).state == State.SUSPENDED

    open_one = submitted(subscriber(subscriber_id="PTCL-5"))
    db.session.get(Application, open_one.id).state = State.READY
    db.session.commit()
    _dispute(db, ptcl, open_one)
    assert _reload(db, open_one).state == State.FLAGGED and latest_version().serial == serial


def test_suspended_applications_head_the_queue_and_its_counts(db, login, make_user, make_reviewable, ptcl,
                                                              approved_asked):
    old = make_reviewable(["39.40.0.0/24"], submitted_at=utcnow() - timedelta(days=30))
    flagged = make_reviewable(["39.40.1.0/24"], state=State.FLAGGED, submitted_at=utcnow() - timedelta(days=20))
    suspended = approved_asked(["39.32.0.0/24"])
    _dispute(db, ptcl, suspended)

    assert [row.id for row in queue_page(QueueFilter()).rows] == [suspended.id, old.id, flagged.id]
    first = queue_page(QueueFilter(), limit=1)  # pages cross from the suspended part to the rest
    second = queue_page(QueueFilter(), cursor=first.next_cursor, limit=1)
    third = queue_page(QueueFilter(), cursor=second.next_cursor, limit=1)
    assert [p.rows[0].id for p in (first, second, third)] == [suspended.id, old.id, flagged.id]
    assert third.next_cursor is None
    assert matching_ids(QueueFilter()) == [suspended.id, old.id, flagged.id]
    assert list(state_counts().items())[0] == (State.SUSPENDED, 1)

    client = login(make_user("reviewer"))
    for page in (client.get("/review/").text, client.get("/dashboard").text):  # the queue and the dashboard
        assert f'state-count-suspended" href="/review/?state=suspended"' in page
    queue = client.get("/review/").text
    assert queue.index(f"#{suspended.id}</a>") < queue.index(f"#{old.id}</a>")
    assert "Suspended after a dispute" in queue


def test_reinstating_approves_it_again_as_it_was_and_publishes_it(db, api, make_user, ptcl, approved_asked):
    reviewer = make_user("reviewer")
    application = approved_asked(["39.32.0.0/24"])
    approved_at, expires_at = application.approved_at, application.expires_at
    publish("start")
    db.session.commit()
    _dispute(db, ptcl, application)
    assert _txt(db, 2) == ""

    client = api(reviewer)
    assert client.post(f"/api/v1/applications/{application.id}/reinstate", json={}).status_code == 422
    assert client.post(f"/api/v1/applications/{application.id}/reinstate",
                       json={"reason": "  "}).json["error"]["details"] == {"reason": "Write why the approval is "
                                                                          "reinstated (the applicant reads it); it "
                                                                          "cannot be empty."}
    response = client.post(f"/api/v1/applications/{application.id}/reinstate",
                           json={"reason": "PTCL mistyped the subscriber id; it confirmed by phone."})
    assert response.status_code == 200
    assert (response.json["state"], response.json["whitelist_serial"]) == (State.APPROVED, 3)
    assert _txt(db, 3) == "39.32.0.0/24\n"
    application = _reload(db, application)
    assert (application.approved_at, application.expires_at) == (approved_at, expires_at)
    assert db.session.scalars(select(ApprovedPrefix.application_id).distinct()).all() == [application.id]
    event = audit.timeline(application)[-1]
    assert (event.action, event.actor_id, event.data["before"], event.data["reason"]) == (
        "application.approved", reviewer.id, State.SUSPENDED, "PTCL mistyped the subscriber id; it confirmed by phone.")
    told = db.session.scalars(select(Notification).where(Notification.user_id == application.applicant_id)
                              .order_by(Notification.id.desc())).first()
    assert told.subject == f"Application {application.id} is approved again"
    assert "PTCL mistyped the subscriber id" in told.body

    again = client.post(f"/api/v1/applications/{application.id}/reinstate", json={"reason": "twice"})
    assert again.status_code == 409
    assert "only a suspended application can be reinstated" in again.json["error"]["message"]


def test_reinstating_is_refused_when_another_applicant_now_holds_the_space(db, make_user, ptcl, approved_asked,
                                                                           approved_application):
    application = approved_asked(["39.32.0.0/24"])
    _dispute(db, ptcl, application)
    holder = approved_application(["39.32.0.128/25"])  # the space was free, so another applicant got it
    with pytest.raises(Conflict) as refused:
        suspensions.reinstate(application, "The dispute was a mistake.", make_user("reviewer"))
    db.session.rollback()
    assert f"application {holder.id}" in refused.value.message
    assert [d["application_id"] for d in refused.value.details] == [holder.id]
    assert "39.32.0.128/25" in refused.value.details[0]["message"]
    assert _reload(db, application).state == State.SUSPENDED


def test_a_suspended_application_can_be_revoked_and_expires_when_its_time_is_up(db, api, make_user, ptcl,
                                                                                approved_asked):
    revoked, expiring = approved_asked(["39.32.0.0/24"]), approved_asked(["39.32.1.0/24"], name="Ravi Textiles")
    for application in (revoked, expiring):
        _dispute(db, ptcl, application)
    response = api(make_user("reviewer")).post(f"/api/v1/applications/{revoked.id}/revoke",
                                               json={"reason": "The subscriber id was never theirs."})
    assert response.status_code == 200 and response.json["state"] == State.REVOKED
    assert response.json["whitelist_serial"] == latest_version().serial

    db.session.get(Application, expiring.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict, match="ran out"):
        suspensions.reinstate(_reload(db, expiring), "Too late.", make_user("reviewer"))
    db.session.rollback()
    assert approvals.expire_due() == [expiring.id]
    db.session.commit()
    assert _reload(db, expiring).state == State.EXPIRED


def test_only_staff_reinstate_and_only_a_suspended_application(db, api, make_user, approved_application,
                                                               make_reviewable):
    approved, ready = approved_application(["39.32.0.0/24"]), make_reviewable(["39.32.1.0/24"])
    for role in ("applicant", "isp"):
        assert api(make_user(role)).post(f"/api/v1/applications/{approved.id}/reinstate",
                                         json={"reason": "x"}).status_code == 403
    client = api(make_user("reviewer"))
    for application in (approved, ready):
        refused = client.post(f"/api/v1/applications/{application.id}/reinstate", json={"reason": "x"})
        assert refused.status_code == 409 and refused.json["error"]["details"] == {"state": application.state}
    assert client.post("/api/v1/applications/999999/reinstate", json={"reason": "x"}).status_code == 404
    with pytest.raises(ServiceError):
        suspensions.reinstate(approved, None, make_user("reviewer"))


def test_a_confirmation_after_the_dispute_tells_the_reviewers_and_leaves_it_suspended(db, make_user, ptcl,
                                                                                       approved_asked):
    reviewer = make_user("reviewer")
    application = approved_asked(["39.32.0.0/24"])
    _dispute(db, ptcl, application)
    confirmation = db.session.scalar(select(IspConfirmation).where(IspConfirmation.application_id == application.id))
    confirmations.answer(confirmation, "confirm", None, ptcl)
    db.session.commit()
    assert _reload(db, application).state == State.SUSPENDED
    assert [f.code for f in _reload(db, application).findings] == [FindingCode.ISP_CONFIRMED]
    latest = db.session.scalars(select(Notification).where(Notification.user_id == reviewer.id)
                                .order_by(Notification.id.desc())).first()
    assert latest.subject == f"Application {application.id}: PTCL now confirms the subscriber id"
    assert "stays suspended until a reviewer reinstates" in latest.body


def test_disputes_sent_together_publish_one_version(db, api, ptcl, approved_asked):
    first, second = approved_asked(["39.32.0.0/24"]), approved_asked(["39.32.1.0/24"], name="Ravi Textiles")
    publish("start")
    db.session.commit()
    response = api(ptcl).post("/api/v1/isp/confirmations", json=[
        {"application_id": first.id, "answer": "dispute", "reason": REASON},
        {"application_id": second.id, "answer": "dispute", "reason": "Closed in 2023"}])
    assert response.status_code == 200
    assert {_reload(db, a).state for a in (first, second)} == {State.SUSPENDED}
    assert latest_version().serial == 2 and _txt(db, 2) == ""
