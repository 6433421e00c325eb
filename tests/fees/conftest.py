import io

import pytest

from app.services.fees.schedule import ScheduleInput, add_schedule, today
from tests.applicant.conftest import FIRM, PDF

SECRET = "test-callback-secret"
# Six addresses of a call centre: four single addresses and a /31 (two).
SIX_ADDRESSES = ["39.32.12.10", "39.32.12.11", "39.32.12.12", "39.32.12.13", "39.32.12.20/31"]


@pytest.fixture
def app(app):
    app.config["PAYMENT_CALLBACK_SECRET"] = SECRET
    return app


@pytest.fixture
def call_centre_fee(db):
    """Call centres pay PKR 50,000 from today at 5 or more addresses."""
    row = add_schedule(ScheduleInput("call_center", 50_000, today(), 5))
    db.session.commit()
    return row


@pytest.fixture
def applicant(applicant_with):
    return applicant_with(FIRM)


@pytest.fixture
def call_centre_draft(applicant):
    """A call-centre draft with SIX_ADDRESSES and the documents it needs; returns its JSON."""
    def make(entries=SIX_ADDRESSES, client=applicant, purpose="Call centre answering customers of a UK energy firm"):
        response = client.post("/api/v1/applications", json={
            "purpose": purpose, "category": "call_center",
            "entries": entries})
        assert response.status_code == 201, response.json
        for kind in ("ntn_certificate", "client_contract"):
            upload = client.post(f"/api/v1/applications/{response.json['id']}/documents",
                                 data={"kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf")})
            assert upload.status_code == 201, upload.json
        return response.json
    return make
