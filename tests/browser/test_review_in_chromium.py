"""Two reviewers in Chromium: one filters the queue and batches three applications with the keyboard,
the other approves the batch, and the first sees the whitelist version it was published as."""
import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OVERFLOWING, PHONE
from tests.conftest import PASSWORD, flask_cli

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def flask(env, *args) -> str:
    result = flask_cli(env, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def call(portal, token, method, path, body=None) -> dict:
    request = urllib.request.Request(portal + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def upload_ntn_certificate(portal, token, application_id, filename="ntn.pdf") -> None:
    """A company VPN application is submitted only with its NTN certificate."""
    upload_document(portal, token, application_id, "ntn_certificate", filename)


def upload_document(portal, token, application_id, kind, filename, content=PDF) -> None:
    """One document of `kind` by the API (multipart, as the contract says)."""
    boundary = "raasta-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{portal}/api/v1/applications/{application_id}/documents", method="POST",
                                     data=body, headers={"Authorization": f"Bearer {token}",
                                                         "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def applicant_with_applications(portal, env, email, name, city, entries, filename="ntn.pdf") -> list[int]:
    """An applicant made with the CLI who applies through the API; returns the submitted applications' ids."""
    flask(env, "users", "create", email, "--role", "applicant", "--password", PASSWORD)
    token = flask(env, "tokens", "create", email)
    call(portal, token, "PUT", "/api/v1/profile", {"kind": "firm", "name": name, "ntn": "1234567-8", "city": city,
                                                   "isp_name": "Multinet", "isp_subscriber_id": "MN-1"})
    ids = []
    for entry in entries:
        application = call(portal, token, "POST", "/api/v1/applications", {
            "purpose": "Office VPN to our client in Germany", "category": "company_vpn", "entries": [entry]})
        upload_ntn_certificate(portal, token, application["id"], filename)
        call(portal, token, "POST", f"/api/v1/applications/{application['id']}/submit")
        ids.append(application["id"])
    deadline = time.monotonic() + 90
    while any(call(portal, token, "GET", f"/api/v1/applications/{i}")["state"] == "validating" for i in ids):
        assert time.monotonic() < deadline, "validation did not finish"
        time.sleep(0.5)
    return ids


def sign_in(browser, portal, email, viewport=None):
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    page.goto(portal + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_reviewer_batches_with_the_keyboard_and_a_second_reviewer_approves(portal, portal_env, browser):
    lahore = applicant_with_applications(portal, portal_env, "indus@example.pk", "Indus Soft (Pvt) Ltd", "Lahore",
                                         ["39.32.12.0/24", "39.32.13.0/24", "39.32.14.0/24"])
    applicant_with_applications(portal, portal_env, "mehran@example.pk", "Mehran Data", "Karachi", ["111.68.96.10"])
    for email in ("rubina@pta.gov.pk", "kamran@pta.gov.pk"):
        flask(portal_env, "users", "create", email, "--role", "reviewer", "--password", PASSWORD)

    maker = sign_in(browser, portal, "rubina@pta.gov.pk")
    maker.get_by_role("link", name="Queue", exact=True).click()
    rows = maker.locator("#queue-table tbody tr")
    expect(rows).to_have_count(4)  # waits for the page, where count() would read the one before
    maker.locator(".filter-card summary").click()  # the filter is folded until used
    maker.get_by_label("City").fill("Lahore")
    maker.get_by_role("button", name="Filter", exact=True).click()
    maker.wait_for_url("**/review/?*city=Lahore*")
    expect(rows).to_have_count(3)
    assert "Mehran" not in maker.locator("#queue-table").inner_text()

    maker.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    maker.keyboard.press("x")
    maker.keyboard.press("j")
    maker.keyboard.press("x")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0)).to_have_class("is-selected")
    expect(rows.nth(1)).to_have_class("is-current is-selected")
    rows.nth(2).get_by_role("checkbox").check()  # the third by mouse
    maker.keyboard.press("b")
    maker.wait_for_url("**/review/batches/*")
    assert "made with 3 applications" in maker.locator(".flash").inner_text()
    assert maker.get_by_text("You made this batch; another reviewer must approve it.").is_visible()
    assert maker.get_by_role("button", name="Approve and publish").count() == 0
    batch_url = maker.url
    assert sorted(int(a.inner_text().lstrip("#")) for a in maker.locator("table tbody a").all()) == lahore

    checker = sign_in(browser, portal, "kamran@pta.gov.pk")
    checker.get_by_role("link", name="Batches", exact=True).click()
    checker.get_by_role("link", name=f"Batch {batch_url.rsplit('/', 1)[1]}").click()
    checker.get_by_role("button", name="Approve and publish").click()
    expect(checker.locator(".flash")).to_contain_text("published as whitelist version")

    maker.goto(batch_url)
    serial = maker.locator(".published-serial strong").inner_text()
    assert serial.isdigit()
    assert maker.locator(".published-serial").inner_text().startswith(f"Published as whitelist version {serial}")
    assert maker.get_by_role("link", name="txt").get_attribute("href") == f"/api/v1/whitelist/{serial}.txt"


def test_long_unbroken_text_wraps_on_the_reviewers_phone(portal, portal_env, browser):
    """A 170-character file name and a 2,000-character override reason with no space in them: the review
    page stays as wide as the phone (it was 21,866 px: the page's grid column grew to the longest word)."""
    [application_id] = applicant_with_applications(portal, portal_env, "longnames@example.pk", "Long Names Ltd",
                                                   "Quetta", ["39.40.0.0/16"], filename="n" * 170 + ".pdf")
    flask(portal_env, "users", "create", "saima@pta.gov.pk", "--role", "reviewer", "--password", PASSWORD)
    token = flask(portal_env, "tokens", "create", "saima@pta.gov.pk")
    call(portal, token, "POST", f"/api/v1/applications/{application_id}/override",
         {"code": "address.too_broad", "reason": "R" * 2000})
    phone = sign_in(browser, portal, "saima@pta.gov.pk", viewport=PHONE)
    phone.goto(f"{portal}/review/applications/{application_id}")
    expect(phone.locator(".override-note")).to_be_visible()
    assert phone.evaluate(OVERFLOWING) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_batched_application_is_not_offered_again_and_a_refused_approval_leads_to_removing_it(
        portal, portal_env, browser):
    """Issue 21: the queue shows the batch instead of a checkbox (x passes the row by), and after a refused
    approval the checker's phone shows the next steps, with removing the named application the main button."""
    batched, withdrawn, free = applicant_with_applications(
        portal, portal_env, "sukkur@example.pk", "Sukkur Soft", "Sukkur",
        ["39.60.1.0/24", "39.60.2.0/24", "39.60.3.0/24"])
    for email in ("nadia@pta.gov.pk", "omar@pta.gov.pk"):
        flask(portal_env, "users", "create", email, "--role", "reviewer", "--password", PASSWORD)
    batch = call(portal, flask(portal_env, "tokens", "create", "nadia@pta.gov.pk"), "POST", "/api/v1/batches",
                 {"application_ids": [batched, withdrawn]})

    maker = sign_in(browser, portal, "nadia@pta.gov.pk")
    errors = []
    maker.on("pageerror", lambda error: errors.append(str(error)))
    maker.goto(f"{portal}/review/?city=Sukkur")
    rows = maker.locator("#queue-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).get_by_role("link", name=f"In batch {batch['id']}")).to_be_visible()
    assert rows.nth(0).get_by_role("checkbox").count() == 0 and rows.nth(1).get_by_role("checkbox").count() == 0
    for _ in range(3):
        maker.keyboard.press("j")
        maker.keyboard.press("x")
    expect(rows.nth(2)).to_have_class("is-current is-selected")  # only the free one could be ticked
    expect(rows.nth(0)).not_to_have_class("is-selected")
    assert errors == []
    assert f"#{free}" in rows.nth(2).inner_text()

    applicant_token = flask(portal_env, "tokens", "create", "sukkur@example.pk")
    call(portal, applicant_token, "POST", f"/api/v1/applications/{withdrawn}/withdraw")
    checker = sign_in(browser, portal, "omar@pta.gov.pk", viewport=PHONE)
    checker.goto(f"{portal}/review/batches/{batch['id']}")
    checker.get_by_role("button", name="Approve and publish").click()
    expect(checker.get_by_role("heading", name="What to do next")).to_be_visible()
    expect(checker.get_by_role("button", name="Approve and publish")).to_have_class("button button-secondary")
    assert checker.evaluate(OVERFLOWING) == []
    checker.get_by_role("button", name=f"Remove #{withdrawn} from the batch").click()
    expect(checker.locator(".flash")).to_contain_text(f"Application #{withdrawn} taken out of batch {batch['id']}")
    checker.get_by_role("button", name="Approve and publish").click()
    expect(checker.locator(".flash")).to_contain_text("published as whitelist version")
