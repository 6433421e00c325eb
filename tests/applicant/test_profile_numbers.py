"""CNIC, NTN and phone numbers as Pakistanis type them are accepted and stored in one form; Urdu and
Arabic digits are read as 0-9, so the same NTN typed either way is one NTN; every profile error at once."""
import pytest

from app.choices import FindingCode
from app.models import Application
from app.services.pakistani_numbers import tidy_cnic, tidy_ntn, tidy_phone
from app.services.validation.checks import CheckContext
from app.services.validation.checks.identity import check_identity
from tests.applicant.conftest import FIRM


@pytest.mark.parametrize("typed, stored", [
    ("3520212345671", "35202-1234567-1"), ("35202 1234567 1", "35202-1234567-1"),
    ("٣٥٢٠٢-١٢٣٤٥٦٧-١", "35202-1234567-1"), ("35202-1234567-1", "35202-1234567-1"),
])
def test_cnic(typed, stored):
    assert tidy_cnic(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    ("12345678", "1234567-8"), ("1234567 8", "1234567-8"), ("١٢٣٤٥٦٧-٨", "1234567-8"), ("۱۲۳۴۵۶۷۸", "1234567-8"),
    ("1234567", "1234567"),  # too short: left for the format check to refuse
])
def test_ntn(typed, stored):
    assert tidy_ntn(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    ("0300-1234567", "0300-1234567"), ("+92 300 1234567", "0300-1234567"), ("0092-300-1234567", "0300-1234567"),
    ("+923001234567", "0300-1234567"), ("021-111-222-333", "021-111-222-333"), ("(021) 111 222 333", "021-111-222-333"),
    ("+92 21 111 222 333", "021-111-222-333"), ("042 35761234", "042-35761234"), ("04235761234", "042-35761234"),
    ("+92 51 1234567", "051-1234567"), ("۰۳۰۰-۱۲۳۴۵۶۷", "0300-1234567"),
])
def test_phone(typed, stored):
    assert tidy_phone(typed) == stored


def test_the_api_stores_the_tidy_form(make_user, api):
    client = api(make_user())
    body = client.put("/api/v1/profile", json={**FIRM, "ntn": "١٢٣٤٥٦٧٨", "cnic": "3520212345671",
                                                "phone": "+92 21 111 222 333"}).json
    assert (body["ntn"], body["cnic"], body["phone"]) == ("1234567-8", "35202-1234567-1", "021-111-222-333")
    refused = client.put("/api/v1/profile", json={**FIRM, "ntn": "١٢٣٤٥٦٧", "phone": "+44 20 7946 0958"})
    assert refused.status_code == 422
    assert refused.json["error"]["details"] == {
        "ntn": "NTN '1234567' is not in the format 1234567-8.",
        "phone": "Phone '+44 20 7946 0958' is not a Pakistani number; type e.g. 0300-1234567, +92 51 1234567 or a "
                 "UAN such as 021-111-222-333."}


def test_an_ntn_typed_in_arabic_digits_is_still_shared(make_user, api, db):
    """The hostile tester's '١٢٣٤٥٦٧-٨' was stored as typed, and escaped the shared-NTN warning."""
    first, second = make_user(), make_user()
    api(first).put("/api/v1/profile", json={**FIRM, "ntn": "1234567-8"})
    api(second).put("/api/v1/profile", json={**FIRM, "ntn": "١٢٣٤٥٦٧-٨"})
    application = Application(applicant=second, purpose="x", state="validating")
    db.session.add(application)
    db.session.flush()
    found = list(check_identity(CheckContext(application, register=None, max_prefix_v4=22, max_prefix_v6=32)))
    assert [(d.code, d.message) for d in found] == [
        (FindingCode.IDENTITY_SHARED, "NTN 1234567-8 is also used by another account.")]


def test_the_profile_form_reports_every_field_at_once(login, make_user):
    client = login(make_user())
    page = client.post("/profile", data={"phone": "12345"}).text
    for message in ("Choose &#39;firm&#39; (you have an NTN) or &#39;freelancer&#39;", "Enter the legal name",
                    "Enter the city", "Phone &#39;12345&#39; is not a Pakistani number"):
        assert message in page
    assert "Please fix these 4 before continuing" in page
    assert "Name the ISP" not in page  # optional since subscriptions: needed only to submit address entries


def test_an_isp_without_its_subscriber_id_or_the_reverse_is_refused(login, make_user):
    client = login(make_user())
    base = {"kind": "freelancer", "name": "Bilal Ahmed", "cnic": "35202-1234567-1", "city": "Lahore"}
    assert "Enter the subscriber or account id" in client.post("/profile", data={**base, "isp_name": "PTCL"}).text
    assert "Name the ISP that gave this subscriber id" in client.post(
        "/profile", data={**base, "isp_subscriber_id": "PTCL-1"}).text


FREELANCER = {"kind": "freelancer", "name": "Bilal Ahmed", "cnic": "35202-1234567-1", "city": "Lahore",
              "isp_name": "PTCL", "isp_subscriber_id": "PTCL-1"}


def test_a_platform_address_without_https_gets_it_and_the_applicant_is_shown_what_was_stored(make_user, login, api, db):
    client = login(make_user())
    saved = client.post("/profile", data={**FREELANCER, "platform_url": " www.upwork.com/freelancers/~01abc "},
                        follow_redirects=True)
    assert "Your platform address is saved as https://www.upwork.com/freelancers/~01abc" in saved.text
    assert 'value="https://www.upwork.com/freelancers/~01abc"' in client.get("/profile").text
    script = api(make_user())
    body = script.put("/api/v1/profile", json={**FREELANCER, "platform_url": "fiverr.com/bilal"}).json
    assert body["platform_url"] == "https://fiverr.com/bilal"
    kept = script.put("/api/v1/profile", json={**FREELANCER, "platform_url": "http://bilal.example.pk"}).json
    assert kept["platform_url"] == "http://bilal.example.pk"  # a scheme typed is a scheme kept


@pytest.mark.parametrize("typed", ["fiverr", "ftp://files.example.pk/me", "javascript:alert(1)", "my upwork page"])
def test_what_is_still_no_web_address_is_refused_quoting_what_was_typed(make_user, api, typed):
    refused = api(make_user()).put("/api/v1/profile", json={**FREELANCER, "platform_url": typed})
    assert refused.status_code == 422
    assert refused.json["error"]["details"]["platform_url"].startswith(f"{typed!r} is not a web address")
