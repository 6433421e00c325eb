"""Two reviewers approve overlapping batches of different applicants at the same moment: exactly one wins.

Each request runs in its own thread, through its own app (own engine, own connections) against the
same database, released together by a barrier: real concurrent transactions. On PostgreSQL the
approved-space lock makes the second wait and re-check (the exclusion constraint stands behind it);
on SQLite the database's one write lock does.
"""

from sqlalchemy import func, select

from app.choices import BatchState, State
from app.models import Application, ApprovedPrefix, Batch
from app.services.review import batches
from app.services.tokens import issue_token
from tests.racing import ApiCall, at_once_through_own_apps

ROUNDS = [("39.32.0.0/24", "39.32.0.128/25"), ("2400:adc0::/32", "2400:adc0:100::/48"),
          ("111.68.96.0/22", "111.68.99.7")]


def test_exactly_one_of_two_overlapping_approvals_wins(app, db, make_user, make_reviewable):
    maker = make_user("reviewer")
    checkers = [make_user("reviewer"), make_user("admin")]
    tokens = [issue_token(checker, "race") for checker in checkers]
    db.session.commit()
    for one, other in ROUNDS:
        first, second = make_reviewable([one]), make_reviewable([other])  # two different applicants
        batch_ids = [batches.create_batch([first.id], maker).id, batches.create_batch([second.id], maker).id]
        db.session.commit()
        statuses = at_once_through_own_apps(app, [ApiCall("post", f"/api/v1/batches/{batch_id}/approve", token)
                                             for batch_id, token in zip(batch_ids, tokens)])
        assert sorted(statuses) == [200, 409], (one, other, statuses)
        db.session.expire_all()
        winner = batch_ids[statuses.index(200)]
        states = {b: db.session.get(Batch, b).state for b in batch_ids}
        assert states == {b: BatchState.PUBLISHED if b == winner else BatchState.PENDING_APPROVAL for b in batch_ids}
        approved = db.session.scalars(select(Application.id).where(
            Application.id.in_([first.id, second.id]), Application.state == State.APPROVED)).all()
        assert len(approved) == 1
        holders = db.session.scalars(select(ApprovedPrefix.application_id).distinct().where(
            ApprovedPrefix.application_id.in_([first.id, second.id]))).all()
        assert holders == approved
    assert db.session.scalar(select(func.count()).select_from(Batch).where(
        Batch.state == BatchState.PUBLISHED)) == len(ROUNDS)


def test_two_approvals_of_different_space_at_once_both_publish_in_serial_order(app, db, make_user, make_reviewable):
    """Publication takes one lock for its serial; it must not turn a second, unrelated approval away. Each batch's
    serial is the first version holding its space, and the later version holds both."""
    from app.services.publication import files

    maker = make_user("reviewer")
    tokens = [issue_token(checker, "race") for checker in (make_user("reviewer"), make_user("admin"))]
    first, second = make_reviewable(["39.40.0.0/24"]), make_reviewable(["2400:adc1::/48"])
    batch_ids = [batches.create_batch([first.id], maker).id, batches.create_batch([second.id], maker).id]
    db.session.commit()
    before = files.latest_serial() or 0

    statuses = at_once_through_own_apps(app, [ApiCall("post", f"/api/v1/batches/{batch_id}/approve", token)
                                         for batch_id, token in zip(batch_ids, tokens)])

    assert statuses == [200, 200]
    db.session.expire_all()
    serials = {db.session.get(Batch, b).whitelist_serial: b for b in batch_ids}
    assert sorted(serials) == [before + 1, before + 2], serials
    earlier, later = (files.version_by_ref(serial) for serial in sorted(serials))
    txt = {version.serial: files.body(files.file_of(version, "txt").sha256).decode().split() for version in
           (earlier, later)}
    spaces = {batch_ids[0]: "39.40.0.0/24", batch_ids[1]: "2400:adc1::/48"}
    assert txt[later.serial] == ["39.40.0.0/24", "2400:adc1::/48"]
    assert txt[earlier.serial] == [spaces[serials[earlier.serial]]]
