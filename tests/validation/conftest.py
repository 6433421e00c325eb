import pytest

from app.addresses import parse_entry
from app.choices import State
from app.extensions import db as _db
from app.models import AddressEntry, Application, Endpoint
from app.services.profiles import ProfileInput, save_profile


@pytest.fixture
def make_application(db, make_user):
    """make_application(entries, state=..., applicant=None, endpoints=()) -> a committed Application."""

    def make(entries, state=State.VALIDATING, applicant=None, endpoints=(), category="company_vpn", ntn="1234567-8"):
        if applicant is None:
            applicant = make_user()
            save_profile(applicant, ProfileInput(kind="firm", name=applicant.name, city="Lahore", ntn=ntn,
                                                    isp_name="PTCL", isp_subscriber_id="PTCL-1"))
        application = Application(applicant=applicant, purpose="test", category=category, state=state)
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            application.entries.append(AddressEntry(position=position, input=text, version=rng.version,
                                                    start=rng.start, end=rng.end, cidrs=rng.cidrs))
        for position, (host, protocol, port) in enumerate(endpoints):
            application.endpoints.append(Endpoint(position=position, host=host, protocol=protocol, port=port))
        if state == State.VALIDATING:
            from app.models.types import utcnow
            application.submitted_at = utcnow()
        _db.session.add(application)
        _db.session.commit()
        return application

    return make


def findings_of(db, application):
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    return application.state, sorted((f.code, f.severity) for f in application.findings)
