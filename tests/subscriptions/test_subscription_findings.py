"""Validation of subscriptions: the same operator and identifier approved or pending elsewhere, and holders with
unusually many, through the single path, the sub-batch path and the real queue alike."""
from sqlalchemy import delete, select, update

from app.choices import FindingCode, Severity, State
from app.extensions import db as _db
from app.models import Application, Finding
from app.services.national_register import Register
from app.services.validation.batch import lock_validating, validate_many
from app.services.validation.queue import enqueue_batch

OTHERS = "+923001111111"
WAITING = "+923002222222"
MINE = "+923003333333"


def _validate(groups):
    register = Register()
    register.refresh()
    for ids in groups:
        validate_many(lock_validating(ids), register)
        _db.session.commit()


def _findings(ids):
    _db.session.expire_all()
    rows = _db.session.execute(select(Finding.application_id, Finding.code, Finding.severity, Finding.message,
                                      Finding.reviewer_message, Finding.subscription_id, Finding.data)
                               .where(Finding.application_id.in_(ids))).all()
    return sorted((r[0], r[1], r[2], r[3], r[4] or "", r[5] or 0, sorted((r[6] or {}).items())) for r in rows)


def _scenario(subscribed):
    approved = subscribed([OTHERS], state=State.APPROVED)
    waiting = subscribed([WAITING], state=State.READY)
    mine_approved = subscribed([MINE], state=State.APPROVED)
    crossing = subscribed([OTHERS, WAITING], state=State.VALIDATING)
    renewal = subscribed([MINE], state=State.VALIDATING, applicant=mine_approved.applicant)
    plain = subscribed(["+923004444444"], state=State.VALIDATING)
    return approved, waiting, mine_approved, crossing, renewal, plain


def test_each_finding_names_the_subscription_and_never_the_other_applicant(db, subscribed):
    approved, waiting, mine_approved, crossing, renewal, plain = _scenario(subscribed)
    _validate([[crossing.id, renewal.id, plain.id]])
    db.session.expire_all()
    by_code = {(f.application_id, f.code): f for f in db.session.scalars(select(Finding))}
    taken = by_code[(crossing.id, FindingCode.SUBSCRIPTION_APPROVED_OTHER)]
    assert taken.severity == Severity.ERROR
    assert taken.subscription_id == crossing.subscriptions[0].id
    assert taken.data == {"application_id": approved.id, "subscription_id": approved.subscriptions[0].id}
    assert "0300-1111111 (Jazz) cannot be whitelisted for you" in taken.message
    other_name = approved.applicant.profile.name
    assert other_name not in taken.message and f"application {approved.id}" not in taken.message
    assert f"application {approved.id}" in taken.reviewer_message
    pending = by_code[(crossing.id, FindingCode.SUBSCRIPTION_PENDING)]
    assert (pending.severity, pending.subscription_id) == (Severity.WARNING, crossing.subscriptions[1].id)
    assert pending.data["application_id"] == waiting.id and f"application {waiting.id}" not in pending.message
    told = by_code[(waiting.id, FindingCode.SUBSCRIPTION_PENDING)]  # the waiting one is told too
    assert told.data["application_id"] == crossing.id and told.subscription_id == waiting.subscriptions[0].id
    own = by_code[(renewal.id, FindingCode.SUBSCRIPTION_APPROVED_OWN)]
    assert (own.severity, own.data["application_id"]) == (Severity.INFO, mine_approved.id)
    assert not [code for application_id, code in by_code
                if application_id == plain.id and code.startswith("subscription.")]
    states = dict(db.session.execute(select(Application.id, Application.state)
                                     .where(Application.id.in_([crossing.id, renewal.id, plain.id]))).all())
    assert states == {crossing.id: State.FLAGGED, renewal.id: State.READY, plain.id: State.READY}


def test_one_holder_with_many_subscriptions_is_a_warning_past_the_threshold(app, db, subscribed):
    app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"] = 5
    first = subscribed([f"+92300555000{i}" for i in range(3)], state=State.APPROVED, cnic="35202-5555555-5")
    subscribed(["+923005550003"], state=State.NEEDS_INFO, applicant=first.applicant)
    subscribed(["+923005550009"], state=State.REJECTED, applicant=first.applicant)  # not counted
    at_limit = subscribed(["+923005550004"], state=State.VALIDATING, applicant=first.applicant)
    _validate([[at_limit.id]])
    assert FindingCode.SUBSCRIPTION_MANY not in {code for _, code, *_ in _findings([at_limit.id])}
    past = subscribed(["+923005550005", "+923005550006"], state=State.VALIDATING, applicant=first.applicant)
    _validate([[past.id]])
    (many,) = [f for f in _findings([past.id]) if f[1] == FindingCode.SUBSCRIPTION_MANY]
    assert many[2] == Severity.WARNING
    assert "CNIC 35202-5555555-5 holds 7 mobile numbers and accounts" in many[3]
    assert dict(many[6]) == {"holder": "35202-5555555-5", "subscriptions": 7, "threshold": 5}
    # Reviewers filter on it.
    from app.services.review.queue import QueueFilter, queue_page
    assert [r.id for r in queue_page(QueueFilter(code=FindingCode.SUBSCRIPTION_MANY, state=State.READY)).rows] \
        == [past.id]


def test_a_sub_batch_finds_exactly_what_one_at_a_time_finds(db, subscribed):
    approved, waiting, mine_approved, crossing, renewal, plain = _scenario(subscribed)
    rival = subscribed([WAITING, "+923004444444"], state=State.VALIDATING)  # pending against `waiting` and `plain`
    ids = [rival.id, crossing.id, renewal.id, plain.id]
    everything = ids + [approved.id, waiting.id, mine_approved.id]
    _validate([[i] for i in ids])
    one_at_a_time = _findings(everything)
    db.session.execute(delete(Finding).where(Finding.application_id.in_(everything)))
    db.session.execute(update(Application).where(Application.id.in_(ids)).values(state=State.VALIDATING))
    db.session.commit()
    _validate([ids])
    assert _findings(everything) == one_at_a_time
    codes = {(a, code, dict(data).get("application_id")) for a, code, *_, data in one_at_a_time}
    assert (rival.id, FindingCode.SUBSCRIPTION_PENDING, plain.id) in codes
    assert (plain.id, FindingCode.SUBSCRIPTION_PENDING, rival.id) in codes
    assert (crossing.id, FindingCode.SUBSCRIPTION_PENDING, rival.id) in codes


def test_the_queue_and_its_bulk_job_find_the_same(db, subscribed, run_worker):
    approved, waiting, mine_approved, crossing, renewal, plain = _scenario(subscribed)
    ids = [crossing.id, renewal.id, plain.id]
    enqueue_batch(ids)
    db.session.commit()
    run_worker()
    found = {(a, code) for a, code, *_ in _findings(ids)}
    assert found == {(crossing.id, FindingCode.SUBSCRIPTION_APPROVED_OTHER),
                     (crossing.id, FindingCode.SUBSCRIPTION_PENDING),
                     (renewal.id, FindingCode.SUBSCRIPTION_APPROVED_OWN)} | {
        (a, code) for a, code in found if not code.startswith("subscription.")}
    db.session.expire_all()
    assert db.session.get(Application, crossing.id).state == State.FLAGGED
