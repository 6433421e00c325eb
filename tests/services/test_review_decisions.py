"""Reviewer decisions on one application: reject, request information, override, notes."""
import pytest
from sqlalchemy import select

from app import audit
from app.choices import Severity, State
from app.models import Notification, Override
from app.services import Conflict, ServiceError
from app.services.review import batches
from app.services.review import decisions as review

ERROR = Severity.ERROR


def _last_event(application, action):
    return [e for e in audit.timeline(application) if e.action == action][-1]


def _notifications(db, user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_reject_records_the_reviewer_and_reason_and_tells_the_applicant(db, make_user, make_reviewable):
    reviewer = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/24"])
    review.reject(application, "  The documents do not match the applicant.  ", reviewer)
    db.session.commit()
    assert (application.state, application.reviewer_message) == (State.REJECTED,
                                                                 "The documents do not match the applicant.")
    event = _last_event(application, "application.rejected")
    assert (event.actor_id, event.data["reason"], event.data["before"]) == (
        reviewer.id, "The documents do not match the applicant.", State.READY)
    [note] = _notifications(db, application.applicant)
    assert "was rejected" in note.subject and "The documents do not match the applicant." in note.body


@pytest.mark.parametrize("reason", [None, "", "   \n", 42])
def test_reject_without_a_reason_is_refused_naming_the_field(db, make_user, make_reviewable, reason):
    application = make_reviewable(["39.32.0.0/24"])
    with pytest.raises(ServiceError) as refused:
        review.reject(application, reason, make_user("reviewer"))
    assert (refused.value.status, refused.value.field) == (422, "reason")
    db.session.rollback()
    assert db.session.get(type(application), application.id).state == State.READY


def test_request_information_moves_to_needs_info_and_notifies_with_the_message(db, make_user, make_reviewable):
    reviewer = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/24"], state=State.FLAGGED, findings=[("isp.disputed", ERROR)])
    review.request_information(application, "Upload the PTCL bill that shows your subscriber id.", reviewer)
    db.session.commit()
    assert application.state == State.NEEDS_INFO
    event = _last_event(application, "application.needs_info")
    assert event.actor_id == reviewer.id and event.data["message"].startswith("Upload the PTCL bill")
    [note] = _notifications(db, application.applicant)
    assert "Upload the PTCL bill that shows your subscriber id." in note.body


def test_request_information_needs_a_message(db, make_user, make_reviewable):
    with pytest.raises(ServiceError) as refused:
        review.request_information(make_reviewable(["39.32.0.0/24"]), " ", make_user("reviewer"))
    assert refused.value.field == "message"


def test_decisions_on_a_decided_application_are_conflicts(db, make_user, approved_application):
    application = approved_application(["39.32.0.0/24"])
    with pytest.raises(Conflict, match="approved"):
        review.reject(application, "too late", make_user("reviewer"))


def test_an_application_in_a_pending_batch_cannot_be_rejected_until_the_batch_is_cancelled(
        db, make_user, make_reviewable):
    maker = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/24"])
    batch = batches.create_batch([application.id], maker)
    db.session.commit()
    with pytest.raises(Conflict, match=f"batch {batch.id}"):
        review.reject(application, "changed my mind", maker)
    db.session.rollback()
    batches.cancel_batch(batch, maker)
    review.reject(application, "changed my mind", maker)
    db.session.commit()
    assert application.state == State.REJECTED


def test_override_accepts_one_error_code_with_a_reason_and_is_audited(db, make_user, make_reviewable):
    reviewer = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/22"], state=State.FLAGGED,
                                  findings=[("breadth.too_broad", ERROR), ("isp.disputed", ERROR),
                                            ("overlap.pending", Severity.WARNING)])
    assert review.open_error_codes(application) == ["breadth.too_broad", "isp.disputed"]
    assert "breadth.too_broad" in review.batch_problem(application)
    row = review.override(application, "breadth.too_broad", "A /22 for a 600-seat call centre is reasonable.",
                          reviewer)
    db.session.commit()
    assert (row.code, row.reviewer_id) == ("breadth.too_broad", reviewer.id)
    assert review.open_error_codes(application) == ["isp.disputed"]
    event = _last_event(application, "application.overridden")
    assert event.actor_id == reviewer.id
    assert event.data == {"code": "breadth.too_broad", "reason": "A /22 for a 600-seat call centre is reasonable."}
    review.override(application, "isp.disputed", "PTCL confirmed by phone: the dispute was a typo.", reviewer)
    db.session.commit()
    assert review.open_error_codes(application) == [] and review.batch_problem(application) is None


def test_override_refuses_a_code_not_on_the_application_a_warning_and_a_second_override(
        db, make_user, make_reviewable):
    reviewer = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/24"], state=State.FLAGGED,
                                  findings=[("isp.disputed", ERROR), ("overlap.pending", Severity.WARNING)])
    for code in ("breadth.too_broad", "overlap.pending"):
        with pytest.raises(ServiceError) as refused:
            review.override(application, code, "reason", reviewer)
        assert refused.value.status == 422 and refused.value.field == "code" and code in refused.value.message
        assert "isp.disputed" in refused.value.message  # says which codes there are
    with pytest.raises(ServiceError) as refused:
        review.override(application, "isp.disputed", "", reviewer)
    assert refused.value.field == "reason"
    review.override(application, "isp.disputed", "checked", reviewer)
    db.session.commit()
    with pytest.raises(Conflict, match="already overridden"):
        review.override(application, "isp.disputed", "again", reviewer)
    db.session.rollback()
    assert db.session.scalars(select(Override)).all()[0].reason == "checked"


def test_notes_stay_between_reviewers(db, make_user, make_reviewable, api):
    reviewer = make_user("reviewer")
    application = make_reviewable(["39.32.0.0/24"])
    review.add_note(application, "Their NTN certificate looks edited; ask FBR.", reviewer)
    review.add_note(application, "FBR confirmed it is genuine.", make_user("reviewer"))
    db.session.commit()
    assert [n.body for n in review.notes_of(application)] == ["Their NTN certificate looks edited; ask FBR.",
                                                              "FBR confirmed it is genuine."]
    event = _last_event(application, "application.note_added")
    assert event.data[audit.INTERNAL]["note"] == "FBR confirmed it is genuine."
    with pytest.raises(ServiceError) as refused:
        review.add_note(application, "  ", reviewer)
    assert refused.value.field == "body"
    db.session.rollback()
    applicant = api(application.applicant)
    own_view = applicant.get(f"/api/v1/applications/{application.id}")
    assert own_view.status_code == 200 and own_view.json["history"] == []
    assert "FBR" not in own_view.text and "note_added" not in own_view.text  # not even that a note exists
    trail = applicant.get(f"/api/v1/audit?application={application.id}")
    assert trail.status_code == 200 and "FBR" not in trail.text
    staff_view = api(reviewer).get(f"/api/v1/applications/{application.id}").text
    assert "FBR confirmed it is genuine." in staff_view
