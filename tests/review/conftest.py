"""Reviewer-desk fixtures: applications as validation leaves them, reviewers, signed-in clients."""
from datetime import timedelta

import pytest

from app.addresses import parse_entry
from app.choices import State
from app.models import AddressEntry, Application, Document, Finding
from app.models.types import utcnow
from app.services import document_store
from app.services.profiles import ProfileInput, save_profile
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


@pytest.fixture
def make_applicant_as(db, make_user):
    """make_applicant_as("Indus Soft", kind="firm", city="Lahore", isp="PTCL") -> an applicant with a profile."""

    def make(name: str, kind: str = "firm", city: str = "Lahore", isp: str = "PTCL", email: str | None = None):
        user = make_user(email=email)
        identity = {"ntn": "1234567-8"} if kind == "firm" else {"cnic": "35202-1234567-1"}
        save_profile(user, ProfileInput(kind=kind, name=name, city=city, isp_name=isp,
                                        isp_subscriber_id=f"{isp}-1", **identity))
        db.session.commit()
        return user

    return make


@pytest.fixture
def queued(db, make_applicant_as):
    """queued(["39.32.12.0/24"], state="ready", findings=[(entry index or None, code, severity, data)], ...)
    -> a committed application as validation leaves it: submitted `days_old` days ago, with findings."""
    counter = iter(range(1, 10_000))

    def make(entries=("39.32.12.0/24",), state=State.READY, applicant=None, findings=(), days_old=0,
             category="company_vpn", purpose="Office VPN to our client in Germany", documents=()):
        applicant = applicant or make_applicant_as(f"Applicant Firm {next(counter)}")
        submitted = utcnow() - timedelta(days=days_old, minutes=1)
        application = Application(applicant=applicant, purpose=purpose, category=category, state=state,
                                  submitted_at=submitted, validated_at=submitted + timedelta(seconds=30),
                                  decision_due_at=submitted + timedelta(hours=8))  # in submission order
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            application.entries.append(AddressEntry(position=position, input=text, version=rng.version,
                                                    start=rng.start, end=rng.end, cidrs=rng.cidrs))
        db.session.add(application)
        db.session.flush()
        for entry_index, code, severity, data in findings:
            entry = application.entries[entry_index] if entry_index is not None else None
            db.session.add(Finding(application_id=application.id, entry_id=entry.id if entry else None, code=code,
                                   severity=severity, message=f"{code} on {entry.input if entry else 'it'}",
                                   data=data or {}))
        for kind, name, content_type, content in documents:
            db.session.add(Document(application_id=application.id, kind=kind, display_name=name,
                                    content_type=content_type, size=len(content), sha256=document_store.put(content),
                                    uploaded_by_id=applicant.id))
        db.session.commit()
        return application

    return make


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", name="Rubina Reviewer")


@pytest.fixture
def checker(make_user):
    """A second reviewer: the one who approves what `reviewer` batched."""
    return make_user("reviewer", name="Kamran Checker")


@pytest.fixture
def as_user(app, login):
    """as_user(user) -> a fresh client signed in as `user` (several people in one test)."""
    def sign_in(user):
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in
