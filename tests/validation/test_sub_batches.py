"""Sub-batches: many applications per transaction, with exactly the findings of one at a time, and a bad
row that fails only itself."""
from rq import Callback, Retry
from sqlalchemy import delete, select, update

from app.choices import ConfirmationState, FindingCode, State
from app.extensions import queues
from app.jobs.validation import on_failure, validate_applications
from app.models import AddressEntry, Application, AuditEvent, Document, Finding, IspConfirmation, IspOrganisation
from app.queues import VALIDATION
from app.services.national_register import Register
from app.services.validation.batch import lock_validating, validate_many
from tests.validation.conftest import findings_of


def _scenario(db, make_application, make_user):
    """Applications that exercise every check reading other rows, and pending overlaps in both directions."""
    approved = make_application(["39.32.50.0/24"], state=State.APPROVED)
    waiting = make_application(["39.32.60.0/24"], state=State.READY)        # outside the sub-batch
    first = make_application(["39.32.12.0/25", "39.32.200.0/24"])
    second = make_application(["39.32.12.64/26"])                          # overlaps `first`
    third = make_application(["39.32.60.128/25", "2400:cb00::/48", "39.32.60.10"])  # overlaps `waiting` twice
    crossing = make_application(["39.32.50.10-39.32.51.3"])                # another's approved space
    twin = make_application(["39.32.70.0/24"], ntn="7654321-0")
    twin_too = make_application(["39.32.71.0/24"], ntn="7654321-0")        # shares the NTN with `twin`
    disputed = make_application(["39.32.80.0/24"], endpoints=[("10.0.0.1", "wireguard", 51820)], ntn="1111111-1")
    last = make_application(["39.32.12.100"], ntn="2222222-2")             # overlaps first and second
    isp = IspOrganisation(name="Nayatel")
    db.session.add(isp)
    db.session.flush()
    db.session.add(IspConfirmation(application_id=disputed.id, organisation_id=isp.id, subscriber_id="N-1",
                                   state=ConfirmationState.DISPUTED, reason="not our customer"))
    for application in (twin, crossing):
        db.session.add(Document(application_id=application.id, kind="other", display_name="deed.pdf",
                                stored_name=f"deed-{application.id}.pdf", content_type="application/pdf", size=1,
                                sha256="cd" * 32, uploaded_by_id=application.applicant_id))
    db.session.commit()
    # Deliberately not in id order: a later application's overlap lands on an earlier one and vice versa.
    return [second, first, third, crossing, twin_too, twin, disputed, last], waiting, approved


def _all_findings(db, ids):
    db.session.expire_all()
    rows = db.session.execute(select(Finding.application_id, Finding.code, Finding.severity, Finding.message,
                                     Finding.entry_id, Finding.endpoint_id, Finding.data)
                              .where(Finding.application_id.in_(ids))).all()
    states = dict(db.session.execute(select(Application.id, Application.state).where(Application.id.in_(ids))).all())
    return states, sorted((r[0], r[1], r[2], r[3], r[4] or 0, r[5] or 0, sorted(r[6].items())) for r in rows)


def _validate(db, groups):
    register = Register()
    register.refresh()
    for ids in groups:
        validate_many(lock_validating(ids), register)
        db.session.commit()


def test_a_sub_batch_finds_exactly_what_one_at_a_time_finds(db, make_application, make_user):
    applications, waiting, approved = _scenario(db, make_application, make_user)
    ids = [a.id for a in applications]
    everything = ids + [waiting.id, approved.id]

    _validate(db, [[i] for i in ids])  # one application per transaction, as the redo path runs them
    one_at_a_time = _all_findings(db, everything)
    db.session.execute(delete(Finding).where(Finding.application_id.in_(everything)))
    db.session.execute(update(Application).where(Application.id.in_(ids)).values(state=State.VALIDATING))
    db.session.commit()
    _validate(db, [ids])               # the same applications in one sub-batch
    assert _all_findings(db, everything) == one_at_a_time

    states, found = one_at_a_time
    codes = {(application_id, code, dict(data).get("application_id")) for application_id, code, *_, data in found}
    first, second, third, crossing, twin, disputed, last = (applications[i] for i in (1, 0, 2, 3, 5, 6, 7))
    assert (second.id, FindingCode.OVERLAP_PENDING, first.id) in codes and \
        (first.id, FindingCode.OVERLAP_PENDING, second.id) in codes
    assert (last.id, FindingCode.OVERLAP_PENDING, first.id) in codes and \
        (first.id, FindingCode.OVERLAP_PENDING, last.id) in codes
    assert [(a, c) for a, c, *_ in found if a == waiting.id] == [(waiting.id, FindingCode.OVERLAP_PENDING)]
    assert (crossing.id, FindingCode.OVERLAP_APPROVED, approved.id) in codes
    assert (twin.id, FindingCode.DOCUMENT_REUSED, crossing.id) in codes
    assert (twin.id, FindingCode.IDENTITY_SHARED, None) in codes
    assert (disputed.id, FindingCode.ISP_DISPUTED, None) in codes
    # Each overlap warning once, never twice, on the applications that got it from both sides.
    assert sum(1 for c in codes if c[:2] == (first.id, FindingCode.OVERLAP_PENDING)) == 2
    assert [c for a, c, *_ in found if a == first.id].count(FindingCode.OVERLAP_PENDING) == 2
    assert states[crossing.id] == State.FLAGGED and states[disputed.id] == State.FLAGGED
    assert states[first.id] == State.READY and states[waiting.id] == State.READY


def test_one_event_and_notification_per_application_and_an_intact_chain(db, make_application):
    from app import audit
    from app.models import Notification

    applications = [make_application([f"39.33.{i}.0/24"], ntn=f"{3000000 + i}-1") for i in range(30)]
    _validate(db, [[a.id for a in applications]])
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ["application.ready", "application.flagged"]))).all()
    assert sorted(int(e.subject_id) for e in events) == sorted(a.id for a in applications)
    assert {e.data["before"] for e in events} == {State.VALIDATING}
    assert db.session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) is not None
    assert len(db.session.scalars(select(Notification)).all()) == 30
    assert audit.verify_chain().intact


def test_an_application_withdrawn_while_checked_is_left_alone(db, make_application):
    kept, withdrawn = make_application(["39.32.12.0/24"]), make_application(["39.32.13.0/24"], ntn="7654321-0")
    register = Register()
    register.refresh()
    loaded = lock_validating([kept.id, withdrawn.id])
    # The applicant withdraws it after the worker read it (on SQLite nothing locks the row meanwhile).
    db.session.execute(update(Application).where(Application.id == withdrawn.id).values(state=State.WITHDRAWN)
                       .execution_options(synchronize_session=False))
    assert validate_many(loaded, register) == {kept.id: State.READY, withdrawn.id: None}
    db.session.commit()
    assert findings_of(db, withdrawn) == (State.WITHDRAWN, [])
    assert findings_of(db, kept)[0] == State.READY
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.subject_id == str(withdrawn.id),
                                                      AuditEvent.action == "application.ready")) is None


def test_a_bad_row_fails_only_its_own_application(db, make_application, run_worker):
    good = [make_application([f"39.32.{i}.0/24"], ntn=f"{2000000 + i}-1") for i in range(3)]
    bad = make_application(["39.32.99.0/24"], ntn="2999999-1")
    # start > end: the address engine refuses it, standing in for any row that makes the checks fail.
    db.session.execute(update(AddressEntry).where(AddressEntry.application_id == bad.id).values(start=2, end=1))
    db.session.commit()
    ids = [good[0].id, bad.id, good[1].id, good[2].id]
    job = queues.queue(VALIDATION).enqueue(validate_applications, ids, retry=Retry(max=1),
                                           on_failure=Callback(on_failure))
    run_worker()
    job.refresh()
    assert job.is_failed and f"application {bad.id}: ValueError" in job.latest_result().exc_string
    for application in good:  # its neighbours in the sub-batch were redone one at a time, and passed
        state, found = findings_of(db, application)
        assert state == State.READY and (FindingCode.ISP_UNCONFIRMED, "info") in found
    assert findings_of(db, bad)[0] == State.VALIDATION_FAILED  # after its last retry, visibly
