"""A batch's risk signals for the checker (issue 24): each signal with a case, on the page and in the API, and a
number of queries that does not grow with the batch."""
import re
from datetime import timedelta

from sqlalchemy import event, insert

from app.addresses import parse_entry
from app.choices import BatchState, FindingCode, Severity, State, SubscriptionKind
from app.models import (
    AddressEntry,
    ApplicantProfile,
    Application,
    Batch,
    Finding,
    Override,
    Subscription,
    batch_applications,
)
from app.models.types import utcnow
from app.services.isp_organisations import find_organisation
from app.services.review import batch_risks, batches


def _old_account(db, user):
    user.created_at = utcnow() - timedelta(days=60)
    db.session.commit()
    return user


def _seasoned(db, user):
    """An applicant with an account two months old and an application decided before."""
    _old_account(db, user)
    earlier = Application(applicant=user, purpose="Earlier", category="company_vpn", state=State.REJECTED,
                          submitted_at=utcnow() - timedelta(days=50))
    db.session.add(earlier)
    db.session.commit()
    return user


def _subscribe(db, application, *numbers):
    jazz = find_organisation("Jazz")
    for position, number in enumerate(numbers):
        db.session.add(Subscription(application_id=application.id, position=position, kind=SubscriptionKind.MOBILE,
                                    organisation_id=jazz.id, identifier=number))
    db.session.commit()


def _signals(batch) -> dict[str, tuple[int, list[int]]]:
    return {s.code: (s.count, s.application_ids) for s in batch_risks.risk_signals(batch)}


def test_each_signal_names_the_applications_it_concerns(app, db, queued, make_applicant_as, reviewer, make_user):
    app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"] = 2
    seasoned = _seasoned(db, make_applicant_as("Old Hand Ltd"))
    plain = queued(["39.32.1.0/24", "2400:adc0::/48"], applicant=seasoned)  # a /24 and a /48: not wide
    newcomer = queued(["39.32.2.0/24"])                                       # account made today
    first_ever = queued(["39.32.3.0/24"], applicant=_old_account(db, make_applicant_as("Second Firm")))
    wide_v4 = queued(["39.32.4.0/23"], applicant=seasoned)
    wide_v6 = queued(["2400:adc0::/47"], applicant=seasoned)
    foreign = queued(["39.32.6.0/24"], applicant=seasoned,
                     findings=[(0, "geo.outside_pakistan", Severity.WARNING, None)])
    other_isp = queued(["39.32.7.0/24"], applicant=seasoned,
                       findings=[(0, FindingCode.OTHER_ISP, Severity.WARNING, None)])
    overridden = queued(["39.32.8.0/24"], applicant=seasoned, state=State.FLAGGED,
                        findings=[(0, "address.too_broad", Severity.ERROR, None)])
    db.session.add(Override(application_id=overridden.id, code="address.too_broad", reason="Data centre",
                            reviewer_id=reviewer.id))
    # Three numbers on one NTN (the limit is 2): two on the batched application, one on another pending one.
    many = queued([], applicant=seasoned)
    _subscribe(db, many, "+923001111111", "+923001111112")
    _subscribe(db, queued([], applicant=seasoned, state=State.NEEDS_INFO), "+923001111113")
    few = queued([], applicant=_seasoned(db, make_applicant_as("Third Firm", kind="freelancer")))
    _subscribe(db, few, "+923002222222")
    members = [plain, newcomer, first_ever, wide_v4, wide_v6, foreign, other_isp, overridden, many, few]
    batch = batches.create_batch([a.id for a in members], reviewer)
    db.session.commit()
    assert _signals(batch) == {
        "new_applicant": (2, [newcomer.id, first_ever.id]),
        "wide_range": (2, [wide_v4.id, wide_v6.id]),
        "many_subscriptions": (1, [many.id]),
        "foreign_network": (2, [foreign.id, other_isp.id]),
        "overrides": (1, [overridden.id]),
    }

    page = app.test_client()
    page.post("/sign-in", data={"email": make_user("reviewer").email, "password": "correct horse battery staple"})
    html = page.get(f"/review/batches/{batch.id}").text
    section = html.split('id="risks"', 1)[1].split("</section>", 1)[0]
    assert "Risk signals" in section
    wide = section.split('class="risk risk-wide_range"', 1)[1].split("</li>", 1)[0]
    assert "<strong>Wide ranges</strong>" in wide and "2 applications" in wide
    assert "An entry is wider than a /24 (IPv4) or a /48 (IPv6)." in wide
    assert re.findall(r'href="/review/applications/(\d+)"', wide) == [str(wide_v4.id), str(wide_v6.id)]
    assert "holds more than 2 mobile numbers and accounts" in section


def test_a_quiet_batch_shows_every_signal_at_zero_and_the_api_carries_them(db, api, queued, make_applicant_as,
                                                                            reviewer, checker):
    application = queued(["39.32.1.0/24"], applicant=_seasoned(db, make_applicant_as("Quiet Firm")))
    batch = batches.create_batch([application.id], reviewer)
    db.session.commit()
    body = api(checker).get(f"/api/v1/batches/{batch.id}").json
    assert body["risk_signals"] == [{"code": code, "count": 0, "application_ids": []}
                                    for code in batch_risks.SIGNALS]
    assert body["application_ids"] == [application.id]  # the contract's fields are still there


def _big_batch(db, maker, size: int) -> Batch:
    """A pending batch of `size` applications of ten applicants, each signal present, inserted in bulk."""
    applicants = []
    for n in range(10):
        user = maker.__class__(email=f"bulk{size}-{n}@example.pk", name=f"Bulk {n}", password_hash="x",
                               role="applicant", created_at=utcnow() - timedelta(days=90 if n % 2 else 1))
        user.profile = ApplicantProfile(kind="firm", name=f"Bulk Firm {n}", city="Lahore", ntn=f"{size}-{n % 3}")
        applicants.append(user)
    db.session.add_all(applicants)
    db.session.flush()
    jazz = find_organisation("Jazz")
    applications = []
    for i in range(size):
        rng = parse_entry(f"10.{size % 250}.0.0/23" if i % 7 == 0 else f"10.{size % 250}.1.{i % 128 * 2}/31")
        application = Application(applicant_id=applicants[i % 10].id, purpose="Bulk", category="company_vpn",
                                  state=State.READY, submitted_at=utcnow() - timedelta(days=1))
        application.entries.append(AddressEntry(position=0, input=str(rng), version=rng.version, start=rng.start,
                                                end=rng.end, cidrs=rng.cidrs))
        if i % 5 == 0:
            application.subscriptions.append(Subscription(kind=SubscriptionKind.MOBILE, organisation_id=jazz.id,
                                                          identifier=f"+92300{size:03d}{i:04d}"))
        applications.append(application)
    db.session.add_all(applications)
    db.session.flush()
    db.session.add_all([Finding(application_id=a.id, code="geo.outside_pakistan", severity=Severity.WARNING,
                                message="abroad") for a in applications[::11]])
    db.session.add_all([Override(application_id=a.id, code="address.too_broad", reason="ok", reviewer_id=maker.id)
                        for a in applications[::13]])
    batch = Batch(made_by_id=maker.id, state=BatchState.PENDING_APPROVAL)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(insert(batch_applications), [
        {"batch_id": batch.id, "application_id": a.id, "state_at_batching": a.state} for a in applications])
    db.session.commit()
    return batch


def test_the_query_count_does_not_grow_with_the_batch(app, db, login, api, reviewer, checker):
    app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"] = 1
    small, big = _big_batch(db, reviewer, 20), _big_batch(db, reviewer, 1_000)
    client, token_client = login(checker), api(checker)
    counts = {}
    client.get(f"/review/batches/{small.id}"), token_client.get(f"/api/v1/batches/{small.id}")  # sign-in's own queries
    for name, batch in (("small", small), ("big", big)):
        db.session.refresh(batch)  # loaded as a view has it, before counting
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        signals = {s.code: s.count for s in batch_risks.risk_signals(batch)}
        in_service = len(seen)
        page = client.get(f"/review/batches/{batch.id}")
        in_page = len(seen) - in_service
        in_api = token_client.get(f"/api/v1/batches/{batch.id}")
        event.remove(db.engine, "before_cursor_execute", listener)
        assert page.status_code == 200 and in_api.status_code == 200
        assert {s["code"]: s["count"] for s in in_api.json["risk_signals"]} == signals
        assert all(signals.values()), signals  # every signal has something to count
        counts[name] = (in_service, in_page, len(seen) - in_service - in_page)
    assert counts["small"] == counts["big"], counts
    assert counts["big"][0] <= 7
