"""ISP fixtures: organisations with users, applications submitted through the real service, webhooks
allowed to reach a receiver on 127.0.0.1 and retried without waiting."""
import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from app.addresses import parse_entry
from app.choices import ConfirmationState, DocumentKind
from app.models import Application, IspConfirmation
from app.models.types import utcnow
from app.services import applications
from app.services.application_input import ApplicationInput
from app.services.documents import store_document
from app.services.isp_organisations import create_isp_user
from tests.applicant.conftest import PDF
from tests.conftest import PASSWORD

FAST_RETRIES = "0,0"  # two retries, immediately: the burst worker runs all three tries


@pytest.fixture
def isp_user(db):
    """isp_user("PTCL") -> a committed isp user of that organisation (created if new)."""
    counter = iter(range(1, 10_000))

    def make(organisation: str = "PTCL"):
        domain = organisation.lower().replace(" ", "-")
        user = create_isp_user(f"isp{next(counter)}@{domain}.example.pk", PASSWORD, organisation,
                               name=f"{organisation} operator")
        db.session.commit()
        return user

    return make


@pytest.fixture
def subscriber(make_applicant):
    """subscriber(isp="PTCL", subscriber_id="PTCL-1001") -> an applicant (in Lahore) whose profile names that ISP."""
    return lambda isp="PTCL", subscriber_id="PTCL-1001", name="Indus Soft (Pvt) Ltd": make_applicant(
        name, isp, subscriber_id)


@pytest.fixture
def submitted(db):
    """submitted(applicant, ["39.32.12.0/24"]) -> an application submitted through applications.submit."""

    def make(applicant, entries=("39.32.12.0/24",)) -> Application:
        data = ApplicationInput("Office VPN to our client in Germany", "company_vpn",
                                [(text, parse_entry(text)) for text in entries])
        application = applications.create_application(applicant, data)
        # A company VPN application is submitted with its NTN certificate (or the submit is refused).
        store_document(application, DocumentKind.NTN_CERTIFICATE, FileStorage(io.BytesIO(PDF), filename="ntn.pdf"))
        applications.submit(application)
        db.session.commit()
        return application

    return make


@pytest.fixture
def ptcl(isp_user):
    """An isp user of PTCL."""
    return isp_user("PTCL")


@pytest.fixture
def approved_asked(db, approved_application, make_applicant, ptcl):
    """approved_asked(["39.32.0.0/24"]) -> an approved application whose ISP, PTCL, has not answered yet
    (subscriber id PTCL-1), as one batched before the answer leaves it."""

    def make(entries, name="Indus Soft (Pvt) Ltd"):
        application = approved_application(entries, applicant=make_applicant(name, "PTCL", "PTCL-1"))
        db.session.add(IspConfirmation(application_id=application.id, organisation_id=ptcl.organisation_id,
                                       subscriber_id="PTCL-1", state=ConfirmationState.PENDING,
                                       created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        return application

    return make


@pytest.fixture
def fast_webhooks(app):
    app.config.update(WEBHOOK_RETRY_INTERVALS=[0, 0], WEBHOOK_ALLOW_PRIVATE_HOSTS=True, WEBHOOK_TIMEOUT=5)


@pytest.fixture
def worker_env(worker_env):
    """The worker reads its config from the environment: let it post to 127.0.0.1 quickly."""
    return {**worker_env, "WEBHOOK_ALLOW_PRIVATE_HOSTS": "1", "WEBHOOK_RETRY_INTERVALS": FAST_RETRIES,
            "WEBHOOK_TIMEOUT": "5", "PUBLIC_URL": "https://raasta.example.pk"}
