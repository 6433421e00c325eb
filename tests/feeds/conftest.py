"""Subscriber feed fixtures: approved applications holding subscriptions, as an approval leaves them."""
from datetime import timedelta

import pytest

from app.choices import OrganisationKind, State, SubscriptionKind
from app.models import Application, ApprovedSubscription, Subscription
from app.models.types import utcnow
from app.services.isp_organisations import create_organisation, find_organisation
from app.services.publication import dirty
from tests.whitelist.conftest import publish  # noqa: F401 (the same fixture: publish and commit)


def organisation(name: str):
    """The organisation called `name`: a seeded mobile operator, or a fixed ISP created now."""
    return find_organisation(name) or create_organisation(name, kind=OrganisationKind.FIXED)


@pytest.fixture
def approved_subscriber(db, make_applicant):
    """approved_subscriber([("Jazz", "+923001234567"), ("PTCL", "acct-1")], name=..., days=365) -> an approved
    application holding those subscriptions (mobile for a mobile operator, fixed otherwise), with their
    ApprovedSubscription rows and their operators' feeds marked for the next publication, committed."""

    def make(subscriptions, name="Ayesha Khan", applicant=None, days=365):
        applicant = applicant or make_applicant(name)
        now = utcnow()
        application = Application(applicant=applicant, purpose="test", category="freelancer", state=State.APPROVED,
                                  submitted_at=now, validated_at=now, approved_at=now,
                                  expires_at=now + timedelta(days=days))
        db.session.add(application)
        db.session.flush()
        for position, (operator, identifier) in enumerate(subscriptions):
            served_by = organisation(operator)
            kind = SubscriptionKind.MOBILE if served_by.kind == OrganisationKind.MOBILE else SubscriptionKind.FIXED
            subscription = Subscription(application_id=application.id, position=position, kind=kind,
                                        organisation_id=served_by.id, identifier=identifier, verified_at=now)
            db.session.add(subscription)
            db.session.flush()
            db.session.add(ApprovedSubscription(application_id=application.id, subscription_id=subscription.id,
                                                applicant_id=applicant.id, organisation_id=served_by.id, kind=kind,
                                                identifier=identifier))
            dirty.mark_organisations([served_by.id])  # as approved_space.add_subscriptions does
        db.session.commit()
        return application

    return make


@pytest.fixture
def operator_api(api, db, make_user):
    """operator_api("Jazz") -> an API client of an isp account in that organisation."""
    from app.services.isp_organisations import create_isp_user
    from tests.conftest import PASSWORD
    counter = iter(range(1, 1000))

    def make(name: str):
        organisation(name)
        user = create_isp_user(f"op{next(counter)}@{name.lower()}.example.pk", PASSWORD, name)
        db.session.commit()
        return api(user)

    return make
