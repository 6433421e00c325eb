"""A new user picks Urdu on the first page and goes the whole way on a 390 px phone (issue 23): sign up, profile,
application with an address range and a mobile number, the SMS code (in Urdu), documents, submit, the checks'
findings, the reviewers' decision (a maker and a checker, through the API), and a renewal. At each step the page is
read as a person reads it: no English left (the same reading as tests/i18n/test_pages_in_urdu.py), nothing wider
than the phone or clipped, and an IP range inside an Urdu sentence shown in its own order. Screenshots of every step
go to $URDU_SHOTS (default /tmp/shots/urdu-journey).
"""
import os
import re
from pathlib import Path

import pytest

from tests.applicant.conftest import PDF
from tests.browser.conftest import CLIPPED, OVERFLOWING, PHONE
from tests.browser.test_review_in_chromium import PASSWORD, call, flask
from tests.browser.test_sms_in_chromium import the_sms
from tests.i18n.test_pages_in_urdu import english_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("URDU_SHOTS", "/tmp/shots/urdu-journey"))
URDU = re.compile(r"[\u0600-\u06FF]")
RANGE = "39.32.12.0 - 39.32.12.255"
REVERSED = "39.32.12.255 - 39.32.12.0"  # refused, with "did you mean 39.32.12.0-39.32.12.255?" in Urdu
# The range's first and last characters as laid out: in order when the first is left of the last.
IN_ORDER = """(text) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0 || node.parentElement.closest('textarea, input, code, pre')) continue;
    const first = document.createRange(), last = document.createRange();
    first.setStart(node, at); first.setEnd(node, at + 1);
    last.setStart(node, at + text.length - 1); last.setEnd(node, at + text.length);
    return [first.getBoundingClientRect().left, last.getBoundingClientRect().left,
            getComputedStyle(node.parentElement).direction];
  }
  return null;
}"""


def in_order(page, text: str) -> None:
    """`text` (an address range, a phone number) reads left to right inside the right-to-left sentence quoting it."""
    found = page.evaluate(IN_ORDER, text)
    assert found is not None, f"{text} is not on the page"
    left, right, direction = found
    assert direction == "rtl" and left < right, f"{text} inside an Urdu sentence is not shown in its own order"


def step(page, name: str) -> None:
    """The page as an Urdu reader on a phone meets it: Urdu, right to left, no English, nothing cut off."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang + ' ' + document.documentElement.dir") == "ur rtl", name
    words, _links = english_in(page.content())
    assert not words, f"{name}: English on the page: {words}"
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    assert page.evaluate(OVERFLOWING) + page.evaluate(CLIPPED) == [], f"{name} does not fit the phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_new_user_does_the_whole_journey_in_urdu_on_a_phone(portal, portal_env, browser, tmp_path):
    page = browser.new_page(viewport=PHONE, locale="en-GB")  # a browser set to English: the switch decides
    page.goto(portal + "/")
    page.locator("a[data-language-switch][lang=ur]").click()
    step(page, "01-home")

    page.locator("a.button[href$='/sign-up']").first.click()
    step(page, "02-sign-up")
    email = "ayesha.urdu@example.pk"
    page.locator("#name").fill("عائشہ خان")
    page.locator("#email").fill(email)
    page.locator("#password").fill("correct horse battery staple")
    page.locator("#confirm").fill("correct horse battery staple")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/profile"))
    step(page, "03-profile")
    page.locator("input[name=kind][value=freelancer]").check()
    page.locator("#name").fill("عائشہ خان")
    page.locator("#cnic").fill("3520212345671")
    page.locator("#city").fill("ملتان")
    page.locator("#isp_name").fill("PTCL")
    page.locator("#isp_subscriber_id").fill("PTCL-998877")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert URDU.search(page.locator(".flash").inner_text())
    step(page, "04-applications")

    page.locator("a[href$='/applications/new']").first.click()
    step(page, "05-new-application")
    page.locator("#purpose").fill("بیرون ملک کلائنٹس کے لیے فری لانس کام")
    page.locator("#entries").fill(REVERSED)
    page.locator("#mobile_numbers-0-identifier").fill("0345 1234567")
    page.locator("#mobile_numbers-0-operator").select_option("Telenor")
    page.locator("button.button[name=save]").click()
    page.wait_for_load_state("load")
    step(page, "06-a-range-refused")
    in_order(page, REVERSED)  # the input quoted in the Urdu sentence of the refusal, in its own order
    in_order(page, "39.32.12.0-39.32.12.255")  # and the "did you mean"
    assert page.locator("#entries").input_value() == REVERSED  # nothing typed is lost
    page.locator("#entries").fill(RANGE)
    page.locator("button.button[name=save]").click()
    page.wait_for_load_state("load")
    application = re.search(r"/applications/(\d+)", page.url).group(1)
    step(page, "06-draft-saved")

    page.locator("form.resend-form button[type=submit]").click()
    page.wait_for_load_state("load")
    sms = the_sms(portal_env, "923451234567")
    assert URDU.search(sms), f"the code SMS is not in Urdu: {sms!r}"
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", sms)
    step(page, "07-code-sent")
    page.locator("input[name=code]").fill(code)
    page.locator(".code-form button[type=submit]").click()
    page.wait_for_load_state("load")
    step(page, "08-number-proven")

    # The browser's own file control speaks the browser's language (English here); the page shows its own.
    assert page.locator("#file").bounding_box()["width"] <= 1
    assert URDU.search(page.locator("form.upload-form .file-picker label").inner_text())
    for kind in ("cnic_front", "cnic_back"):
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(PDF + kind.encode())
        page.locator("#kind").select_option(kind)
        chosen = page.locator("form.upload-form .file-chosen")
        assert URDU.search(chosen.inner_text())  # "no file chosen" in the page's words, not the browser's
        page.locator("#file").set_input_files(str(path))
        assert chosen.inner_text() == f"{kind}.pdf"
        page.locator("form.upload-form button[type=submit]").click()
        page.wait_for_load_state("load")
    step(page, "09-documents")

    page.locator("form[action$='/submit'] button[type=submit]").click()
    page.locator("#status:not([data-state='validating'])").wait_for(timeout=60_000)
    page.goto(f"{portal}/applications/{application}")
    step(page, "10-checked")
    in_order(page, "+923451234567")  # in the finding that awaits Telenor's confirmation

    page.goto(f"{portal}/notifications")
    step(page, "11-notifications")

    for reviewer in ("maker@pta.example.pk", "checker@pta.example.pk"):
        flask(portal_env, "users", "create", reviewer, "--role", "reviewer", "--password", PASSWORD)
    batch = call(portal, flask(portal_env, "tokens", "create", "maker@pta.example.pk"), "POST", "/api/v1/batches",
                 {"application_ids": [int(application)]})
    call(portal, flask(portal_env, "tokens", "create", "checker@pta.example.pk"), "POST",
         f"/api/v1/batches/{batch['id']}/approve")
    page.goto(f"{portal}/applications/{application}")
    assert page.locator("#status").get_attribute("data-state") == "approved"
    step(page, "12-approved")
    in_order(page, "39.32.12.0/24")  # the approved range, inside the Urdu sentence of its finding

    page.locator(f"a.button[href$='/applications/{application}/renew']").click()
    step(page, "13-renew")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit"))
    assert re.search(r"/applications/(\d+)", page.url).group(1) != application
    assert page.locator("#entries").input_value().strip() == RANGE  # prefilled as first written, nothing to retype
    step(page, "14-renewal-draft")
