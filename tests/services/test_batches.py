"""Maker-checker batches: what can be batched, who can approve, and the all-or-nothing re-check."""
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from app import audit
from app.choices import BatchState, FindingCode, Severity, State
from app.models import (
    Application,
    ApprovedPrefix,
    Finding,
    Notification,
    WhitelistFile,
    batch_applications,
)
from app.models.types import utcnow
from app.services import Conflict, NotAllowed, ServiceError
from app.services.publication import files
from app.services.review import approved_space, batches
from app.services.review import decisions as review
from app.services.transitions import move

ERROR = Severity.ERROR


@pytest.fixture
def reviewers(make_user):
    return make_user("reviewer"), make_user("reviewer")


def _problems(refused) -> dict[int, str]:
    """application id -> its problems' messages, one a line."""
    problems: dict[int, str] = {}
    for problem in refused.value.details:
        problems[problem["application_id"]] = (problems.get(problem["application_id"], "") + problem["message"]
                                               + "\n")
    return problems


def _txt(db, serial) -> str:
    return files.body(db.session.get(WhitelistFile, (serial, "txt")).sha256).decode()


def test_create_batch_stores_what_it_batched_and_audits(db, reviewers, make_reviewable):
    maker, _ = reviewers
    ready = make_reviewable(["39.32.0.0/24"])
    flagged = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED, findings=[("isp.disputed", ERROR)])
    review.override(flagged, "isp.disputed", "PTCL confirmed by letter.", maker)
    batch = batches.create_batch([flagged.id, ready.id, ready.id], maker, note="  Lahore firms  ")
    db.session.commit()
    assert (batch.state, batch.made_by_id, batch.note) == (BatchState.PENDING_APPROVAL, maker.id, "Lahore firms")
    assert batches.application_ids_of(batch) == [ready.id, flagged.id]
    assert batches.batch_for(ready).id == batch.id and batches.pending_batches() == [batch]
    [event] = audit.timeline(batch)
    assert (event.action, event.actor_id, event.data["application_ids"]) == (
        "batch.created", maker.id, [ready.id, flagged.id])


def test_create_batch_names_each_refused_application_and_batches_nothing(db, reviewers, make_reviewable):
    maker, _ = reviewers
    ready = make_reviewable(["39.32.0.0/24"])
    open_error = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED, findings=[("breadth.too_broad", ERROR)])
    rejected = make_reviewable(["39.32.2.0/24"])
    review.reject(rejected, "no", maker)
    already = make_reviewable(["39.32.3.0/24"])
    first = batches.create_batch([already.id], maker)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        batches.create_batch([ready.id, open_error.id, rejected.id, already.id], maker)
    problems = _problems(refused)
    assert set(problems) == {open_error.id, rejected.id, already.id}
    assert "breadth.too_broad" in problems[open_error.id]
    assert "is rejected" in problems[rejected.id]
    assert f"already in batch {first.id}" in problems[already.id]
    assert str(open_error.id) in refused.value.message and "Nothing was batched" in refused.value.message
    with pytest.raises(Conflict) as alone:
        batches.create_batch([rejected.id], maker)
    assert alone.value.message == f"The application cannot be batched: #{rejected.id}. Nothing was batched."
    db.session.rollback()
    assert batches.pending_batches() == [first]
    with pytest.raises(ServiceError) as unknown:
        batches.create_batch([ready.id, 9999], maker)
    assert unknown.value.status == 422 and _problems(unknown) == {9999: "Application 9999 does not exist.\n"}


@pytest.mark.parametrize("ids", [[], "1,2", [1, "2"], [True], None])
def test_create_batch_refuses_malformed_ids(db, reviewers, ids):
    with pytest.raises(ServiceError) as refused:
        batches.create_batch(ids, reviewers[0])
    assert refused.value.field == "application_ids"


def test_the_maker_cannot_approve_their_own_batch(db, reviewers, make_reviewable):
    maker, _ = reviewers
    batch = batches.create_batch([make_reviewable(["39.32.0.0/24"]).id], maker)
    db.session.commit()
    with pytest.raises(NotAllowed) as refused:
        batches.approve_batch(batch, maker)
    assert refused.value.status == 403


def test_approval_approves_writes_the_space_publishes_and_notifies(app, db, reviewers, make_reviewable):
    maker, checker = reviewers
    app.config["APPROVAL_DAYS"] = 30
    first = make_reviewable(["39.32.0.0/24", "39.32.7.5-39.32.7.9"])
    second = make_reviewable(["2400:adc0:100::/48"])
    batch = batches.create_batch([first.id, second.id], maker)
    db.session.commit()
    batches.approve_batch(batch, checker)
    db.session.commit()
    assert (batch.state, batch.approved_by_id, batch.whitelist_serial) == (BatchState.PUBLISHED, checker.id, 1)
    for application in (first, second):
        db.session.refresh(application)
        assert application.state == State.APPROVED
        assert timedelta(days=29, hours=23) < application.expires_at - utcnow() <= timedelta(days=30)
        event = [e for e in audit.timeline(application) if e.action == "application.approved"][0]
        assert (event.actor_id, event.data) == (checker.id, {"before": "ready", "after": "approved",
                                                             "batch": batch.id})
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == application.applicant_id))
        assert f"Application {application.id} is approved" == note.subject
    prefixes = db.session.scalars(select(ApprovedPrefix.network).order_by(ApprovedPrefix.version,
                                                                         ApprovedPrefix.start)).all()
    assert prefixes == ["39.32.0.0/24", "39.32.7.5/32", "39.32.7.6/31", "39.32.7.8/31", "2400:adc0:100::/48"]
    assert _txt(db, 1) == "39.32.0.0/24\n39.32.7.5/32\n39.32.7.6/31\n39.32.7.8/31\n2400:adc0:100::/48\n"
    assert [e.action for e in audit.timeline(batch)] == ["batch.created", "batch.approved"]
    assert audit.verify_chain().intact  # events written in bulk chain like any others


def test_approval_refuses_an_application_that_changed_since_batching_and_approves_nothing(
        db, reviewers, make_reviewable):
    maker, checker = reviewers
    kept = make_reviewable(["39.32.0.0/24"])
    withdrawn = make_reviewable(["39.32.1.0/24"])
    revalidated = make_reviewable(["39.32.2.0/24"])
    batch = batches.create_batch([kept.id, withdrawn.id, revalidated.id], maker)
    db.session.commit()
    move(withdrawn, State.WITHDRAWN, actor=withdrawn.applicant)
    revalidated.validated_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        batches.approve_batch(batch, checker)
    problems = _problems(refused)
    assert set(problems) == {withdrawn.id, revalidated.id}
    assert "was ready when batched and is withdrawn now" in problems[withdrawn.id]
    assert "validated again" in problems[revalidated.id]
    db.session.rollback()
    db.session.refresh(kept)
    db.session.refresh(batch)
    assert (kept.state, batch.state) == (State.READY, BatchState.PENDING_APPROVAL)
    assert db.session.scalar(select(func.count()).select_from(ApprovedPrefix)) == 0


def test_approval_refuses_a_new_error_finding_not_overridden(db, reviewers, make_reviewable):
    maker, checker = reviewers
    application = make_reviewable(["39.32.0.0/24"])
    batch = batches.create_batch([application.id], maker)
    db.session.commit()
    application.findings.append(Finding(code=FindingCode.ISP_DISPUTED, severity=ERROR,
                                        message="The ISP disputed the subscriber id."))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        batches.approve_batch(batch, checker)
    assert "isp.disputed" in _problems(refused)[application.id]


def test_approval_refuses_overlap_with_another_applicants_approved_space(
        db, reviewers, make_reviewable, approved_application):
    maker, checker = reviewers
    held = approved_application(["39.32.0.0/16"])
    inside = make_reviewable(["39.32.10.0/24"])        # inside their space: found as a containing prefix
    around = make_reviewable(["39.0.0.0/8"], applicant=inside.applicant)  # around it: a prefix starting inside
    clean = make_reviewable(["111.68.0.0/24"])
    batch = batches.create_batch([inside.id, around.id, clean.id], maker)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        batches.approve_batch(batch, checker)
    problems = _problems(refused)
    assert set(problems) == {inside.id, around.id}
    assert (f"has entry 39.32.10.0/24 overlapping 39.32.0.0/16, approved for application {held.id} of another "
            "applicant" in problems[inside.id])
    assert f"39.0.0.0/8 overlapping 39.32.0.0/16, approved for application {held.id}" in problems[around.id]


def test_approval_refuses_two_applicants_overlapping_within_the_batch(db, reviewers, make_reviewable):
    """Batching refuses them now; a batch made before it did (its rows written here) is still refused."""
    maker, checker = reviewers
    one = make_reviewable(["2400:adc0::/32"])
    other = make_reviewable(["2400:adc0:100::/48"])
    batch = batches.create_batch([one.id], maker)
    db.session.execute(insert(batch_applications).values(batch_id=batch.id, application_id=other.id,
                                                         state_at_batching=other.state,
                                                         validated_at=other.validated_at))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        batches.approve_batch(batch, checker)
    problems = _problems(refused)
    assert f"in this batch too, for application {other.id}" in problems[one.id]
    assert f"in this batch too, for application {one.id}" in problems[other.id]


def test_an_applicant_may_overlap_their_own_space(db, reviewers, make_applicant, make_reviewable,
                                                   approved_application):
    maker, checker = reviewers
    firm = make_applicant()
    approved_application(["39.32.0.0/24"], applicant=firm)  # e.g. the approval this one renews
    renewal = make_reviewable(["39.32.0.0/24"], applicant=firm)
    extension = make_reviewable(["39.32.0.0/23"], applicant=firm)
    batch = batches.create_batch([renewal.id, extension.id], maker)
    db.session.commit()
    batches.approve_batch(batch, checker)
    db.session.commit()
    assert batch.state == BatchState.PUBLISHED
    assert _txt(db, batch.whitelist_serial) == "39.32.0.0/23\n"


def test_approval_without_new_space_keeps_the_latest_serial(db, reviewers, make_reviewable, approved_application):
    """An endpoint-only application changes no list: publish() makes no version, the batch names the latest."""
    from app.services.publication.publish import publish
    maker, checker = reviewers
    approved_application(["39.32.0.0/24"])
    latest = publish("before")
    db.session.commit()
    no_space = make_reviewable([])
    batch = batches.create_batch([no_space.id], maker)
    db.session.commit()
    batches.approve_batch(batch, checker)
    db.session.commit()
    assert batch.whitelist_serial == latest.serial


def test_cancelled_batch_frees_its_applications(db, reviewers, make_reviewable):
    maker, checker = reviewers
    application = make_reviewable(["39.32.0.0/24"])
    batch = batches.create_batch([application.id], maker)
    db.session.commit()
    batches.cancel_batch(batch, checker)
    db.session.commit()
    assert batch.state == BatchState.CANCELLED and batches.batch_for(application) is None
    with pytest.raises(Conflict, match="cancelled"):
        batches.approve_batch(batch, checker)
    db.session.rollback()
    assert batches.create_batch([application.id], maker).id != batch.id


def test_approval_revalidates_pending_applications_touching_the_space(app, db, reviewers, make_reviewable,
                                                                      run_worker):
    maker, checker = reviewers
    approved = make_reviewable(["39.32.0.0/24"])
    other = make_reviewable(["39.32.0.128/25"], findings=[(FindingCode.OVERLAP_PENDING, Severity.WARNING)])
    elsewhere = make_reviewable(["111.68.0.0/24"])
    batch = batches.create_batch([approved.id], maker)
    db.session.commit()
    batches.approve_batch(batch, checker)
    db.session.commit()
    run_worker()
    db.session.expire_all()
    other, elsewhere = db.session.get(Application, other.id), db.session.get(Application, elsewhere.id)
    assert other.state == State.FLAGGED
    codes = {(f.code, f.severity, f.data.get("application_id")) for f in other.findings}
    assert (FindingCode.OVERLAP_APPROVED, ERROR, approved.id) in codes
    assert elsewhere.state == State.READY and elsewhere.validated_at is not None
    events = [e.action for e in audit.timeline(other)]
    assert events[-2:] == ["application.validating", "application.flagged"]
    mail = list((app.config["INSTANCE_DIR"] / "mail").glob("*.eml"))
    assert any(f"Application {approved.id} is approved" in m.read_text() for m in mail)  # emailed by the job


def test_the_exclusion_constraint_refusal_becomes_a_409(db, reviewers, make_reviewable, approved_application,
                                                       monkeypatch):
    """A path that skipped the re-check still cannot approve the same space twice on PostgreSQL."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    maker, checker = reviewers
    approved_application(["39.32.0.0/16"])
    application = make_reviewable(["39.32.10.0/24"])
    batch = batches.create_batch([application.id], maker)
    db.session.commit()
    monkeypatch.setattr(approved_space, "clashes", lambda entries: [])
    with pytest.raises(Conflict, match="the database refused its space"):
        batches.approve_batch(batch, checker)
    assert db.session.get(Application, application.id).state == State.READY  # session still usable
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ApprovedPrefix)) == 1


@pytest.mark.parametrize("windows", [1, 2, 50])
def test_the_recheck_finds_every_clash_whatever_the_windows(db, monkeypatch, make_applicant, approved_application,
                                                            windows):
    """Spans far apart share a window when there are more than MAX_WINDOWS of them; nothing is missed and
    approved space between them that touches no entry is no clash."""
    monkeypatch.setattr(approved_space, "MAX_WINDOWS", windows)
    approved_application(["39.32.0.0/24", "39.40.0.0/16", "39.60.0.0/24"])
    firm = make_applicant()
    approved_application(["39.50.0.0/24"], applicant=firm)
    entries = [approved_space.SpaceEntry(1, firm.id, 1, 4, *bounds) for bounds in [
        (0x27_1E_00_00, 0x27_1E_00_FF),     # 39.30.0.0/24: nothing approved there
        (0x27_28_05_00, 0x27_28_05_0F),     # 39.40.5.0/28: inside another applicant's /16 (contains it)
        (0x27_32_00_00, 0x27_32_00_FF),     # 39.50.0.0/24: the applicant's own
        (0x27_46_00_00, 0x27_46_00_FF),     # 39.70.0.0/24: nothing approved there
    ]]
    found = sorted((str(c.entry), str(c.other)) for c in approved_space.clashes(entries))
    assert found == [("39.40.5.0/28", "39.40.0.0/16")]


def test_batching_refuses_two_applicants_overlapping_each_other_naming_both(db, reviewers, make_reviewable):
    maker, _ = reviewers
    one = make_reviewable(["39.32.0.0/24", "2400:adc0::/32"])
    other = make_reviewable(["39.32.7.5-39.32.7.9", "2400:adc0:100::/48"])  # overlaps only one's IPv6 entry
    clean = make_reviewable(["39.32.7.10-39.32.7.20"])                      # starts right after other's range
    with pytest.raises(Conflict) as refused:
        batches.create_batch([clean.id, other.id, one.id], maker)
    assert refused.value.status == 409
    assert refused.value.message == (f"2 of the 3 applications cannot be batched: #{one.id}, #{other.id}. "
                                     "Nothing was batched.")
    problems = _problems(refused)
    assert set(problems) == {one.id, other.id}
    assert (f"Application {one.id} has entry 2400:adc0::/32 overlapping 2400:adc0:100::/48 of application "
            f"{other.id}, another applicant's, selected with it; batch one of the two, and decide the other once "
            "the first is approved or refused.") in problems[one.id]
    assert f"has entry 2400:adc0:100::/48 overlapping 2400:adc0::/32 of application {one.id}" in problems[other.id]
    db.session.rollback()
    assert batches.pending_batches() == []
    assert batches.create_batch([one.id, clean.id], maker).id  # one of the two, and decide the other after


def test_batching_allows_an_applicants_own_overlaps_and_ranges_that_only_touch(db, reviewers, make_applicant,
                                                                                make_reviewable):
    maker, _ = reviewers
    firm = make_applicant()
    renewal = make_reviewable(["39.32.0.0/24"], applicant=firm)
    extension = make_reviewable(["39.32.0.0/23"], applicant=firm)
    below = make_reviewable(["39.31.255.0/24"])      # ends at 39.31.255.255, one before the firm's start
    above = make_reviewable(["39.32.2.0-39.32.2.9"])  # starts one after 39.32.1.255
    batch = batches.create_batch([renewal.id, extension.id, below.id, above.id], maker)
    assert batches.application_ids_of(batch) == sorted([renewal.id, extension.id, below.id, above.id])


def _brute_force(entries) -> set[int]:
    return {e.entry_id for e in entries for f in entries
            if e.applicant_id != f.applicant_id and e.version == f.version and e.start <= f.end and f.start <= e.end}


@pytest.mark.parametrize("seed", range(25))
def test_within_names_every_entry_overlapping_another_applicants_as_comparing_every_pair_would(seed):
    import random
    rng = random.Random(seed)
    entries = []
    for entry_id in range(1, rng.randint(2, 60)):
        version = rng.choice((4, 6))
        start = rng.randint(0, 200)
        entries.append(approved_space.SpaceEntry(entry_id, rng.randint(1, 4), entry_id, version, start,
                                                 start + rng.choice((0, 0, 1, 5, 30))))
    found = approved_space.within(entries)
    assert {c.entry.entry_id for c in found} == _brute_force(entries)
    for clash in found:  # each names a real overlap with another applicant's entry
        assert clash.entry.applicant_id != clash.other.applicant_id and clash.entry.version == clash.other.version
        assert clash.entry.start <= clash.other.end and clash.other.start <= clash.entry.end


def test_within_sweeps_instead_of_pairing():
    """20,000 entries of 20,000 applicants on one range: a pairwise check would report 400 million clashes."""
    stacked = [approved_space.SpaceEntry(i, i, i, 4, 100, 200) for i in range(1, 20_001)]
    found = approved_space.within(stacked)
    assert {c.entry.entry_id for c in found} == set(range(1, 20_001)) and len(found) <= 2 * len(stacked)


def test_removing_an_application_from_a_pending_batch_audits_who_and_why(db, reviewers, make_reviewable):
    maker, other_reviewer = reviewers
    kept, removed, also = (make_reviewable(["39.32.0.0/24"]), make_reviewable(["39.32.1.0/24"]),
                           make_reviewable(["39.32.2.0/24"]))
    batch = batches.create_batch([kept.id, removed.id, also.id], maker)
    db.session.commit()
    batches.remove_from_batch(batch, [removed.id], other_reviewer, reasons={removed.id: "  ISP letter pending.  "})
    batches.remove_from_batch(batch, [also.id], maker)  # the maker may too, and give no reason
    db.session.commit()
    assert batches.application_ids_of(batch) == [kept.id] and batch.state == BatchState.PENDING_APPROVAL
    assert batches.batch_for(removed) is None and db.session.get(Application, removed.id).state == State.READY
    events = [e for e in audit.timeline(batch) if e.action == "batch.application_removed"]
    assert [(e.actor_id, e.data) for e in events] == [
        (other_reviewer.id, {"application_id": removed.id, "reason": "ISP letter pending.", "applications_left": 2}),
        (maker.id, {"application_id": also.id, "reason": None, "applications_left": 1})]
    assert audit.verify_chain().intact
    assert batches.create_batch([removed.id], maker).id != batch.id  # offered again


def test_removal_is_refused_outside_a_pending_batch_and_for_what_is_not_in_it(db, reviewers, make_reviewable):
    maker, checker = reviewers
    first, second, outside = (make_reviewable(["39.32.0.0/24"]), make_reviewable(["39.32.1.0/24"]),
                              make_reviewable(["39.32.2.0/24"]))
    batch = batches.create_batch([first.id, second.id], maker)
    db.session.commit()
    with pytest.raises(batches.NotInBatch) as absent:
        batches.remove_from_batch(batch, [outside.id], checker)
    assert absent.value.status == 404 and f"Application {outside.id} is not in batch {batch.id}" in absent.value.message
    with pytest.raises(Conflict, match="cancel the batch instead"):
        batches.remove_from_batch(batch, [first.id, second.id], checker)
    with pytest.raises(ServiceError) as not_text:
        batches.remove_from_batch(batch, [first.id], checker, reasons={first.id: ["a list"]})
    assert not_text.value.field == "reason" and not_text.value.status == 422
    db.session.rollback()
    batches.approve_batch(batch, checker)
    db.session.commit()
    with pytest.raises(Conflict) as published:
        batches.remove_from_batch(batch, [first.id], maker)
    assert "published" in published.value.message and "only a batch awaiting approval" in published.value.message
    db.session.rollback()
    assert batches.application_ids_of(batch) == [first.id, second.id]


def test_approval_after_a_removal_approves_only_what_is_left(db, reviewers, make_reviewable):
    maker, checker = reviewers
    kept, removed = make_reviewable(["39.32.0.0/24"]), make_reviewable(["39.32.1.0/24"])
    batch = batches.create_batch([kept.id, removed.id], maker)
    db.session.commit()
    batches.remove_from_batch(batch, [removed.id], maker)
    batches.approve_batch(batch, checker)
    db.session.commit()
    assert db.session.get(Application, kept.id).state == State.APPROVED
    assert db.session.get(Application, removed.id).state == State.READY
    assert _txt(db, batch.whitelist_serial) == "39.32.0.0/24\n"
