"""A mobile operator's staff on a 390 px phone in Chromium: they see a freelancer's number with the holder's CNIC,
confirm it, and once a batch is approved find it in their own subscriber feed; the reviewer's page shows the
number too. Against a portal started as `make run` starts it, the applicant's side driven by the API."""
import re
import time

import pytest

from tests.browser.conftest import CLIPPED, OVERFLOWING, PHONE
from tests.browser.test_review_in_chromium import PDF, call, flask, sign_in, upload_document
from tests.browser.test_sms_in_chromium import the_sms
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CNIC = "35202-7654321-2"


def fits_the_phone(page, what: str, screenshot=None) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOWING) + page.evaluate(CLIPPED) == [], f"{what} does not fit the phone"
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)


def freelancer_with_a_proven_number(portal, env) -> int:
    """A freelancer made with the CLI who registers a Jazz number by the API, proves it and submits."""
    flask(env, "users", "create", "ayesha@example.pk", "--role", "applicant", "--password", PASSWORD)
    token = flask(env, "tokens", "create", "ayesha@example.pk")
    call(portal, token, "PUT", "/api/v1/profile", {"kind": "freelancer", "name": "Ayesha Khan", "cnic": CNIC,
                                                   "city": "Multan"})
    application = call(portal, token, "POST", "/api/v1/applications", {
        "purpose": "Freelance work for clients abroad over my 4G connection", "category": "freelancer_vpn",
        "subscriptions": [{"kind": "mobile", "operator": "Jazz", "identifier": "0300 1234567"}]})
    for kind in ("cnic_front", "cnic_back"):
        upload_document(portal, token, application["id"], kind, f"{kind}.pdf", content=PDF + kind.encode())
    proof = f"/api/v1/applications/{application['id']}/subscriptions/{application['subscriptions'][0]['id']}"
    call(portal, token, "POST", proof + "/code")
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", the_sms(env, "923001234567"))
    assert call(portal, token, "POST", proof + "/verify", {"code": code})["verified"] is True
    call(portal, token, "POST", f"/api/v1/applications/{application['id']}/submit")
    deadline = time.monotonic() + 90
    while call(portal, token, "GET", f"/api/v1/applications/{application['id']}")["state"] == "validating":
        assert time.monotonic() < deadline, "validation did not finish"
        time.sleep(0.5)
    return application["id"]


def test_an_operator_confirms_a_number_on_a_phone_and_finds_it_in_its_feed(portal, portal_env, browser, tmp_path):
    flask(portal_env, "users", "create", "noc@jazz.example.pk", "--role", "isp", "--password", PASSWORD,
          "--organisation", "Jazz")
    for email in ("maker@pta.example.pk", "checker@pta.example.pk"):
        flask(portal_env, "users", "create", email, "--role", "reviewer", "--password", PASSWORD)
    application_id = freelancer_with_a_proven_number(portal, portal_env)

    jazz = sign_in(browser, portal, "noc@jazz.example.pk", viewport=PHONE)
    jazz.goto(portal + "/isp/confirmations")
    card = jazz.locator(f"#application-{application_id}")
    assert "Mobile number: +923001234567" in card.inner_text()
    assert CNIC in card.locator(".facts").inner_text()
    fits_the_phone(jazz, "the operator's confirmations", tmp_path / "operator-confirmations.png")
    card.get_by_role("button", name=re.compile("^Confirm")).click()
    assert jazz.locator(f"#application-{application_id}").count() == 0  # answered: off the "To answer" tab

    maker = call(portal, flask(portal_env, "tokens", "create", "maker@pta.example.pk"), "POST", "/api/v1/batches",
                 {"application_ids": [application_id]})
    checker_token = flask(portal_env, "tokens", "create", "checker@pta.example.pk")
    approved = call(portal, checker_token, "POST", f"/api/v1/batches/{maker['id']}/approve")

    jazz.goto(portal + "/isp/")
    feed = jazz.locator("section[aria-labelledby=feed-heading]")
    assert f"1 approved subscription you serve in version {approved['whitelist_serial']}" in feed.inner_text()
    fits_the_phone(jazz, "the operator's whitelist page with its feed", tmp_path / "operator-feed.png")
    with jazz.expect_download() as download:
        feed.get_by_role("link", name=re.compile("^radius")).click()
    assert 'Calling-Station-Id == "923001234567"' in open(download.value.path()).read()

    reviewer = sign_in(browser, portal, "checker@pta.example.pk", viewport=PHONE)
    reviewer.goto(f"{portal}/review/applications/{application_id}")
    assert "0300-1234567" in reviewer.locator("main").inner_text() or "+923001234567" in reviewer.locator(
        "main").inner_text()
    fits_the_phone(reviewer, "the reviewer's application page with a number", tmp_path / "reviewer-number.png")
