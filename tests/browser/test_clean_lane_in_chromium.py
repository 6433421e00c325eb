"""A reviewer on a phone finds an application its ISP confirmed in the clean lane, batches them with one click,
and reads the batch's risk summary: the page a checker reads before approving."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_operator_in_chromium import fits_the_phone
from tests.browser.test_review_in_chromium import (
    applicant_with_applications,
    call,
    flask,
    sign_in,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Copied into docs/screenshots/clean-lane/ when the pages change (docs/screenshots/README.md).
SCREENSHOTS = Path(os.environ.get("CLEAN_LANE_SHOTS", "/tmp/shots/clean-lane"))


def test_a_reviewer_batches_a_clean_lane_offer_on_a_phone_and_sees_its_risks(portal, portal_env, browser):
    flask(portal_env, "users", "create", "noc@multinet.pk", "--role", "isp", "--password", PASSWORD,
          "--organisation", "Multinet")
    isp = flask(portal_env, "tokens", "create", "noc@multinet.pk")
    # Multinet's own addresses, on Multinet (the applicant's ISP): no finding asks a reviewer to look twice
    ids = applicant_with_applications(portal, portal_env, "lane@example.pk", "Lane Soft (Pvt) Ltd", "Lahore",
                                      ["202.165.224.0/24"])
    for application_id in ids:  # the applicant's ISP vouches for the subscriber: nothing left to check by hand
        call(portal, isp, "POST", f"/api/v1/isp/confirmations/{application_id}", {"answer": "confirm"})
    flask(portal_env, "users", "create", "nadia@pta.gov.pk", "--role", "reviewer", "--password", PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = sign_in(browser, portal, "nadia@pta.gov.pk", viewport=PHONE)
    phone.goto(f"{portal}/review/clean-lane")
    offer = phone.locator(".offer").first
    expect(offer.locator(".offer-title")).to_contain_text("1 clean application, due in ")
    fits_the_phone(phone, "the clean lane", SCREENSHOTS / "1-offers-390px.png")

    offer.get_by_role("button", name="Batch this application").click()
    phone.wait_for_url("**/review/batches/*")
    assert sorted(int(a.inner_text().lstrip("#")) for a in phone.locator("table tbody a").all()) == sorted(ids)
    expect(phone.get_by_text("You made this batch; another reviewer must approve it.")).to_be_visible()
    risks = phone.locator("#risks")
    expect(risks).to_be_visible()
    fits_the_phone(phone, "the batch and its risk summary", SCREENSHOTS / "2-batch-risks-390px.png")
    assert Path(SCREENSHOTS / "2-batch-risks-390px.png").stat().st_size > 10_000
