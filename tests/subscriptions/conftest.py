"""Subscriptions: a freelancer on mobile data registers the connection, not an address."""
import pytest

FREELANCER = {"kind": "freelancer", "name": "Ayesha Khan", "cnic": "35202-7654321-2", "city": "Multan"}
MOBILE = {"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}


@pytest.fixture
def freelancer(applicant_with):
    """A freelancer with no ISP in the profile (a 4G connection) and an API client."""
    return applicant_with(FREELANCER)


@pytest.fixture
def subscribed(db, make_user):
    """subscribed(["+923001234567"], state="ready", applicant=None, cnic=..., operator="Jazz", entries=())
    -> a committed application holding these mobile numbers (E.164), submitted, as validation leaves it; an
    approved one has its ApprovedSubscription rows, as a batch approval leaves it."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.addresses import parse_entry
    from app.choices import State
    from app.extensions import db as _db
    from app.models import AddressEntry, Application, ApprovedSubscription, IspOrganisation, Subscription
    from app.models.types import utcnow
    from app.services.profiles import ProfileInput, save_profile

    counter = iter(range(1, 10_000))

    def make(numbers, state=State.READY, applicant=None, cnic=None, operator="Jazz", entries=(), verified=True):
        if applicant is None:
            applicant = make_user()
            number = next(counter)
            save_profile(applicant, ProfileInput(kind="freelancer", name=f"Freelancer {number}", city="Multan",
                                                 cnic=cnic or f"35202-{7000000 + number}-1"))
        organisation = _db.session.scalar(select(IspOrganisation).where(IspOrganisation.name == operator))
        now = utcnow()
        application = Application(applicant=applicant, purpose="Freelance work over 4G", category="freelancer_vpn",
                                  state=state, submitted_at=now, validated_at=None if state == State.VALIDATING
                                  else now, decision_due_at=now + timedelta(hours=8))
        if state == State.APPROVED:
            application.approved_at, application.expires_at = now, now + timedelta(days=365)
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            application.entries.append(AddressEntry(position=position, input=text, version=rng.version,
                                                    start=rng.start, end=rng.end, cidrs=rng.cidrs))
        for position, identifier in enumerate(numbers):
            application.subscriptions.append(Subscription(
                position=position, kind="mobile", organisation_id=organisation.id, identifier=identifier,
                verified_at=now if verified else None))
        _db.session.add(application)
        _db.session.flush()
        if state == State.APPROVED:
            for s in application.subscriptions:
                _db.session.add(ApprovedSubscription(application_id=application.id, subscription_id=s.id,
                                                     applicant_id=applicant.id, organisation_id=organisation.id,
                                                     kind=s.kind, identifier=s.identifier))
        _db.session.commit()
        return application

    return make
