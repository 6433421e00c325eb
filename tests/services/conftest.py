"""Service-level fixtures: rows made directly, no HTTP."""
from datetime import timedelta

import pytest

from app.addresses import parse_entry
from app.choices import State
from app.models import AddressEntry, Application, ApprovedPrefix
from app.models.types import utcnow
from app.services.profiles import ProfileInput, save_profile


@pytest.fixture
def make_applicant(db, make_user):
    """make_applicant(name="Indus Soft") -> a committed applicant with a firm profile."""

    def make(name: str = "Indus Soft (Pvt) Ltd", isp: str = "PTCL", subscriber: str = "PTCL-1"):
        user = make_user()
        save_profile(user, ProfileInput(kind="firm", name=name, city="Lahore", ntn="1234567-8",
                                        isp_name=isp, isp_subscriber_id=subscriber))
        db.session.commit()
        return user

    return make


@pytest.fixture
def approved_application(db, make_applicant):
    """approved_application(["39.32.0.0/24"], applicant=None) -> an approved application whose
    prefixes are in the approved space, as a batch approval leaves it (without the batch)."""

    def make(entries, applicant=None, category="company_vpn", days=365):
        applicant = applicant or make_applicant()
        now = utcnow()
        application = Application(applicant=applicant, purpose="test", category=category, state=State.APPROVED,
                                  approved_at=now, expires_at=now + timedelta(days=days))
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            entry = AddressEntry(position=position, input=text, version=rng.version, start=rng.start,
                                 end=rng.end, cidrs=rng.cidrs)
            application.entries.append(entry)
        db.session.add(application)
        db.session.flush()
        for entry in application.entries:
            for cidr in entry.cidrs:
                net = parse_entry(cidr)
                db.session.add(ApprovedPrefix(application_id=application.id, entry_id=entry.id,
                                              applicant_id=applicant.id, version=net.version, start=net.start,
                                              end=net.end, prefixlen=int(cidr.rsplit("/", 1)[1]), network=cidr))
        db.session.commit()
        return application

    return make
