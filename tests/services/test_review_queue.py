"""The review queue: filters, rows, keyset pages and the search by address."""
from datetime import timedelta

import pytest

from app.choices import ConfirmationState, Severity, State
from app.models import IspConfirmation, IspOrganisation
from app.models.types import utcnow
from app.services import ServiceError
from app.services.profiles import ProfileInput, save_profile
from app.services.review import decisions as review
from app.services.review.queue import QueueFilter, matching_count, matching_ids, queue_page, state_counts


def _ids(**filters) -> list[int]:
    return [row.id for row in queue_page(QueueFilter(**filters), limit=200).rows]


def test_default_queue_is_open_applications_oldest_first_with_counts(db, make_reviewable, approved_application):
    now = utcnow()
    newer = make_reviewable(["39.32.0.0/24"], submitted_at=now - timedelta(days=1))
    older = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED, submitted_at=now - timedelta(days=9))
    waiting = make_reviewable(["39.32.2.0/24"], state=State.NEEDS_INFO, submitted_at=now - timedelta(days=5))
    failed = make_reviewable(["39.32.3.0/24"], state=State.VALIDATION_FAILED)
    make_reviewable(["39.32.4.0/24"], state=State.REJECTED)
    approved = approved_application(["39.32.5.0/24"])
    assert _ids() == [older.id, waiting.id, newer.id, failed.id]
    assert state_counts() == {"suspended": 0, "ready": 1, "flagged": 1, "needs_info": 1, "validation_failed": 1,
                              "batched": 0}
    assert _ids(state="approved") == [approved.id]
    assert matching_count(QueueFilter()) == 4 and matching_ids(QueueFilter(), limit=2) == [older.id, waiting.id]


def test_a_row_carries_what_the_reviewer_scans(db, make_user, make_applicant, make_reviewable):
    firm = make_applicant(name="Indus Soft (Pvt) Ltd", isp="Nayatel")
    application = make_reviewable(["39.32.0.0/24", "39.32.9.1", "2400:adc0::/126"], applicant=firm,
                                  state=State.FLAGGED, submitted_at=utcnow() - timedelta(days=3, hours=1),
                                  findings=[("overlap.pending", Severity.WARNING), ("isp.disputed", Severity.ERROR),
                                            ("breadth.too_broad", Severity.ERROR), ("country.foreign", "info")])
    review.override(application, "isp.disputed", "checked", make_user("reviewer"))
    [row] = queue_page(QueueFilter()).rows
    assert (row.applicant_name, row.applicant_email, row.kind, row.category, row.isp_name) == (
        "Indus Soft (Pvt) Ltd", firm.email, "firm", "company_vpn", "Nayatel")
    assert (row.entry_count, row.address_count, row.age_days, row.override_count) == (3, 256 + 1 + 4, 3, 1)
    assert (row.worst_severity, row.worst_code) == ("error", "breadth.too_broad")


def test_filters(db, make_user, make_applicant, make_reviewable):
    freelancer = make_user()
    save_profile(freelancer, ProfileInput(kind="freelancer", name="Ayesha Khan", city="Karachi",
                                          cnic="42101-1234567-1", isp_name="StormFiber", isp_subscriber_id="SF-9"))
    firm = make_applicant(name="Indus Soft (Pvt) Ltd", isp="PTCL")
    old = make_reviewable(["39.32.0.0/24"], applicant=firm, state=State.FLAGGED, category="call_center",
                          findings=[("breadth.too_broad", Severity.ERROR)], submitted_at=utcnow() - timedelta(days=20))
    new = make_reviewable(["39.32.1.0/24"], applicant=freelancer, category="freelancer_vpn")
    review.override(old, "breadth.too_broad", "fine", make_user("reviewer"))
    organisation = IspOrganisation(name="PTCL")
    db.session.add(IspConfirmation(application=old, organisation=organisation, subscriber_id="PTCL-1",
                                   state=ConfirmationState.DISPUTED))
    db.session.commit()
    assert _ids(state="flagged") == [old.id] and _ids(state="ready") == [new.id]
    assert _ids(code="breadth.too_broad") == [old.id] and _ids(code="isp.disputed") == []
    assert _ids(category="freelancer_vpn") == [new.id]
    assert _ids(kind="firm") == [old.id] and _ids(kind="freelancer") == [new.id]
    assert _ids(city="karachi") == [new.id] and _ids(isp="ptcl") == [old.id] and _ids(isp="stormfiber") == [new.id]
    assert _ids(older_than_days=10) == [old.id] and _ids(older_than_days="0") == [old.id, new.id]
    assert _ids(has_overrides=True) == [old.id] and _ids(has_overrides="0") == [new.id]
    assert _ids(confirmation="disputed") == [old.id] and _ids(confirmation="none") == [new.id]
    assert _ids(confirmation="pending") == []
    assert _ids(q="ayesha") == [new.id] and _ids(q="INDUS soft") == [old.id] and _ids(q=firm.email.upper()) == [old.id]
    assert _ids(q="1234567-8") == [old.id] and _ids(q="12345678") == [old.id]       # NTN with or without dash
    assert _ids(q="4210112345671") == [new.id] and _ids(q="42101-1234567-1") == [new.id]
    assert _ids(q="100%_") == []  # LIKE wildcards are text here
    assert _ids(kind="firm", state="ready") == []


@pytest.mark.parametrize("name, value", [
    ("state", "pending"), ("category", "gaming"), ("kind", "company"), ("older_than_days", "-1"),
    ("older_than_days", "ten"), ("has_overrides", "maybe"), ("confirmation", "yes"), ("address", "39.32.0.256"),
    ("address", "39.32.0.1/24"), ("q", "x" * 201),
])
def test_a_bad_filter_is_refused_naming_it(app, name, value):
    with pytest.raises(ServiceError) as refused:
        QueueFilter.from_args({name: value})
    assert refused.value.field == name and refused.value.status == 422


def test_from_args_takes_the_contracts_flag_and_round_trips(app):
    f = QueueFilter.from_args({"flag": "isp.disputed", "address": " 39.32.0.0/24 ", "has_overrides": "yes",
                               "older_than_days": "7", "state": ""})
    assert (f.code, str(f.address), f.has_overrides, f.older_than_days, f.state) == (
        "isp.disputed", "39.32.0.0/24", True, 7, None)
    assert QueueFilter.from_args(f.to_args()) == f


def test_keyset_pages_neither_repeat_nor_skip_rows_with_equal_times(db, make_applicant, make_reviewable):
    at = utcnow() - timedelta(days=2)
    firm = make_applicant()
    ids = [make_reviewable([f"39.32.{n}.0/24"], applicant=firm, submitted_at=at).id for n in range(7)]
    earliest = make_reviewable(["39.33.0.0/24"], applicant=firm, submitted_at=at - timedelta(seconds=1)).id
    seen, cursor, pages = [], None, 0
    while True:
        page = queue_page(QueueFilter(), cursor=cursor, limit=3)
        seen += [row.id for row in page.rows]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [earliest] + ids and pages == 3
    second = queue_page(QueueFilter(), cursor=queue_page(QueueFilter(), limit=3).next_cursor, limit=3)
    assert [row.id for row in second.rows] == ids[2:5]


@pytest.mark.parametrize("cursor", ["nonsense", "WzEsMl0", "!!!", "eyJhIjoxfQ"])
def test_a_bad_cursor_is_refused_naming_it(app, cursor):
    with pytest.raises(ServiceError) as refused:
        queue_page(QueueFilter(), cursor=cursor)
    assert refused.value.field == "cursor" and "first page" in refused.value.message


def test_search_by_address(db, make_reviewable, approved_application):
    ranged = make_reviewable(["39.32.10.1-39.32.10.20"])
    wide = make_reviewable(["39.32.0.0/20"], state=State.FLAGGED)
    approved = approved_application(["39.32.12.0/23", "10.1.0.0/16"])
    v6 = make_reviewable(["2400:adc0:100::/48"])
    make_reviewable(["39.32.16.0/24"])           # next to the /20, not in it
    rejected = make_reviewable(["39.32.10.5"], state=State.REJECTED)
    assert _ids(address="39.32.10.5") == [ranged.id, wide.id]          # a single address inside a range
    assert _ids(address="39.32.10.16/28") == [ranged.id, wide.id]      # a CIDR overlapping the range partly
    assert _ids(address="39.32.13.255") == [wide.id, approved.id]      # approved applications are found too
    assert _ids(address="39.32.8.0/21") == [ranged.id, wide.id, approved.id]
    assert _ids(address="39.0.0.0/8") == [ranged.id, wide.id, approved.id] + _ids(address="39.32.16.0")
    assert _ids(address="2400:adc0:100:7::1") == [v6.id] and _ids(address="2400:adc0::/32") == [v6.id]
    assert _ids(address="2400:adc0:101::") == []
    assert _ids(address="39.32.10.5", state="rejected") == [rejected.id]
    assert _ids(address="39.32.10.5", state="flagged") == [wide.id]


def test_matching_count_can_stop_counting_past_a_cap(db, make_applicant, make_reviewable):
    firm = make_applicant()
    for n in range(5):
        make_reviewable([f"39.32.{n}.0/24"], applicant=firm)
    assert matching_count(QueueFilter()) == 5
    assert matching_count(QueueFilter(), cap=3) == 4 and matching_count(QueueFilter(), cap=10) == 5


@pytest.mark.parametrize("inline", [0, 2_000])
def test_search_gives_the_same_rows_listed_or_as_a_subquery(db, monkeypatch, make_applicant, make_reviewable,
                                                            inline):
    """A search matching few applicants (or applications) lists their ids in the query; more use a subquery."""
    from app.services.review import queue as review_queue
    monkeypatch.setattr(review_queue, "INLINE_IDS", inline)
    indus, other = make_applicant(name="Indus Soft"), make_applicant(name="Karachi Labs")
    mine = [make_reviewable([f"39.32.{n}.0/24"], applicant=indus).id for n in range(3)]
    theirs = make_reviewable(["39.33.0.0/24"], applicant=other).id
    assert _ids(q="indus") == mine and _ids(q=other.email) == [theirs]
    assert _ids(address="39.32.0.0/16") == mine and _ids(address="39.33.0.9") == [theirs]


def test_an_application_in_a_pending_batch_is_shown_with_it_counted_apart_and_never_offered(db, make_user,
                                                                                           make_reviewable):
    from app.services.review import batches
    from app.services.review.queue import matching_counts
    now = utcnow()
    batched = make_reviewable(["39.32.0.0/24"], submitted_at=now - timedelta(days=3))
    flagged_batched = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED, submitted_at=now - timedelta(days=2),
                                      findings=[("isp.disputed", Severity.ERROR)])
    free = make_reviewable(["39.32.2.0/24"], submitted_at=now - timedelta(days=1))
    maker = make_user("reviewer")
    review.override(flagged_batched, "isp.disputed", "Letter from PTCL.", maker)
    batch = batches.create_batch([batched.id, flagged_batched.id], maker)
    db.session.commit()
    rows = queue_page(QueueFilter()).rows
    assert [(r.id, r.batch_id) for r in rows] == [(batched.id, batch.id), (flagged_batched.id, batch.id),
                                                  (free.id, None)]
    assert _ids(batched="yes") == [batched.id, flagged_batched.id] and _ids(batched="no") == [free.id]
    assert _ids(batched=True, state="flagged") == [flagged_batched.id]
    assert state_counts() == {"suspended": 0, "ready": 1, "flagged": 0, "needs_info": 0, "validation_failed": 0, "batched": 2}
    assert matching_ids(QueueFilter()) == [free.id] and matching_ids(QueueFilter(batched="yes")) == []
    counted = matching_counts(QueueFilter(), cap=100)
    assert (counted.total, counted.batchable) == (3, 1)
    assert (matching_counts(QueueFilter(batched="1"), cap=100).batchable, matching_count(QueueFilter())) == (0, 3)
    batches.cancel_batch(batch, maker)
    assert matching_ids(QueueFilter()) == [batched.id, flagged_batched.id, free.id]
    assert state_counts()["batched"] == 0 and queue_page(QueueFilter()).rows[0].batch_id is None


def test_the_batched_filter_is_refused_naming_it(app):
    with pytest.raises(ServiceError) as refused:
        QueueFilter(batched="perhaps")
    assert refused.value.field == "batched" and "'perhaps' is not yes or no" in refused.value.message


def test_many_batched_applications_filter_alike_listed_or_as_a_subquery(db, monkeypatch, make_user, make_reviewable):
    from app.services.review import batches
    from app.services.review import queue as review_queue
    batched = [make_reviewable([f"39.32.{i}.0/24"]) for i in range(3)]
    free = make_reviewable(["39.40.0.0/24"])
    batches.create_batch([a.id for a in batched], make_user("reviewer"))
    db.session.commit()
    for inline in (2_000, 1):  # 1: more ids than INLINE_IDS, so a subquery / NOT EXISTS
        monkeypatch.setattr(review_queue, "INLINE_IDS", inline)
        assert _ids(batched=True) == [a.id for a in batched] and _ids(batched=False) == [free.id]
        assert matching_ids(QueueFilter()) == [free.id]


def test_the_worst_finding_is_an_overlap_before_lesser_warnings(db, make_reviewable):
    """isp.pending becomes a warning (revision 3); an overlap with another pending application still leads."""
    warnings = make_reviewable(["39.32.0.0/24"], findings=[
        ("document.reused", Severity.WARNING), ("identity.shared", Severity.WARNING), ("isp.pending", Severity.WARNING),
        ("overlap.pending", Severity.WARNING), ("geo.asn", Severity.INFO)])
    infos = make_reviewable(["39.33.0.0/24"], findings=[("entry.duplicate", Severity.INFO),
                                                        ("overlap.approved_own", Severity.INFO)])
    error_first = make_reviewable(["39.34.0.0/24"], state=State.FLAGGED, findings=[
        ("overlap.pending", Severity.WARNING), ("address.too_broad", Severity.ERROR)])
    worst = {r.id: (r.worst_severity, r.worst_code) for r in queue_page(QueueFilter()).rows}
    assert worst == {warnings.id: ("warning", "overlap.pending"), infos.id: ("info", "overlap.approved_own"),
                     error_first.id: ("error", "address.too_broad")}
