"""A freelancer on 4G registers their mobile number and proves it by SMS code, on a 390 px phone in Chromium, against
a portal started as `make run` starts it (no SMS_URL: the SMS is a file under the portal's instance/sms/)."""
import re
import time
from pathlib import Path

import pytest

from tests.browser.conftest import CLIPPED, OVERFLOWING, PHONE
from tests.browser.test_applicant_in_chromium import sign_up

pytestmark = pytest.mark.browser


def fits_the_phone(page, what: str) -> None:
    page.wait_for_load_state("load")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate(OVERFLOWING) + page.evaluate(CLIPPED) == [], f"{what} does not fit the phone"


def the_sms(portal_env, number: str, timeout: float = 30) -> str:
    """The text of the newest SMS the portal's worker wrote for `number` (E.164 digits)."""
    folder = Path(portal_env["RAASTA_INSTANCE_DIR"]) / "sms"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob(f"{number}-*.txt")) if folder.is_dir() else []
        if found:
            return found[-1].read_text()
        time.sleep(0.3)
    raise AssertionError(f"no SMS for {number} under {folder}")


def test_a_freelancer_proves_their_mobile_number_on_a_phone(portal, portal_env, browser):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal, kind="freelancer")
    page.get_by_role("link", name=re.compile("Start your first application|New application")).first.click()
    page.get_by_label("What is the whitelisting for?").fill("Freelance work for clients abroad over my 4G connection")
    page.locator("#mobile_numbers-0-identifier").fill("0345 1234567")
    page.locator("#mobile_numbers-0-operator").select_option("Telenor")
    page.get_by_role("button", name="Add another number").click()  # JavaScript adds the row in place
    assert page.locator("#mobile_numbers-1-identifier").is_visible()
    page.locator("#mobile_numbers-1-identifier").fill("0345 12")
    fits_the_phone(page, "the draft form with its numbers")
    page.get_by_role("button", name="Save draft").click()
    assert "Mobile number 2 · Number: '0345 12' has 6 digits" in page.locator(".error-summary").inner_text()
    assert page.locator("#mobile_numbers-0-identifier").input_value() == "0345 1234567"  # nothing typed is lost
    page.locator("#mobile_numbers-1-identifier").fill("")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.locator(".flash").inner_text()

    assert page.locator("#submit-needs").inner_text() == "Prove 0345-1234567 to submit"
    page.get_by_role("button", name="Send a code to 0345-1234567").click()
    assert "A code is on its way to 0345-1234567 by SMS" in page.locator(".flash").inner_text()
    resend = page.get_by_role("button", name="Send a new code")
    assert resend.is_disabled()
    countdown = page.locator(".resend-wait").inner_text()
    assert re.fullmatch(r"You can ask for another code in \d+ seconds\.", countdown), countdown
    time.sleep(1.5)
    assert page.locator(".resend-wait").inner_text() != countdown  # it counts down
    fits_the_phone(page, "the code step")

    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", the_sms(portal_env, "923451234567"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label("Code from the SMS").fill(wrong)
    page.get_by_role("button", name="Verify").click()
    assert "(4 tries left)" in page.locator(".code-form .error-text").inner_text()
    assert page.get_by_label("Code from the SMS").input_value() == wrong  # kept, to correct
    fits_the_phone(page, "a refused code")
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Verify").click()
    assert "0345-1234567 is proven" in page.locator(".flash").inner_text()
    assert page.get_by_text("✓ Proven by its SMS code").is_visible()
    assert page.locator("#submit-needs").inner_text() != "Prove 0345-1234567 to submit"  # the documents next
    fits_the_phone(page, "the proven number")
