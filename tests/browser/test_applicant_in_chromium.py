"""New applicants in Chromium, mostly on a phone-sized screen, against a portal started as `make run` starts it:
sign-up to a validated application, a refused submit, an upload refused beside its field, Enter that saves,
correcting a flagged application, and no page wider than the phone."""
import itertools
import re
import time
from pathlib import Path

import pytest

from tests.browser.conftest import OVERFLOWING, PHONE

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PASSWORD = "correct horse battery"
_people = itertools.count(1)



@pytest.fixture
def files(tmp_path):
    (tmp_path / "ntn.pdf").write_bytes(PDF)
    (tmp_path / ("n" * 170 + ".pdf")).write_bytes(PDF)  # a file name with no space to break at
    (tmp_path / "setup.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 200)  # a Windows program named .pdf
    return tmp_path


def sign_up(page, portal, kind="firm"):
    """A new applicant, signed in, with a profile of `kind`; returns the email."""
    email = f"applicant{next(_people)}@example.pk"
    page.goto(portal + "/sign-up")
    page.get_by_label("Your name").fill("Ayesha Khan")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Welcome to Raasta, Ayesha Khan: your account is ready.").wait_for()  # signed in, on the profile
    if kind == "firm":
        page.get_by_label("A firm or company (with an NTN)").check()
        assert page.get_by_label("CNIC", exact=True).is_hidden()  # only the chosen kind's fields show
        page.get_by_label("Legal name").fill("Indus Soft (Pvt) Ltd")
        page.get_by_label("NTN", exact=True).fill("12345678")  # tidied to 1234567-8
    else:
        page.get_by_label("A freelancer (with a CNIC)").check()
        page.get_by_label("Legal name").fill("Ayesha Khan")
        page.get_by_label("CNIC", exact=True).fill("3520212345671")
    page.get_by_label("City").fill("Lahore")
    page.get_by_label("Your internet provider").fill("PTCL")
    page.get_by_label("Subscriber or account id with that ISP").fill("PTCL-998877")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Profile saved.").wait_for()
    return email


def new_draft(page, entries, host="vpn.indussoft.pk"):
    page.get_by_role("link", name=re.compile("Start your first application|New application")).first.click()
    page.get_by_label("What is the whitelisting for?").fill("Office VPN to our client in Germany")
    page.get_by_label("IP addresses and ranges").fill(entries)
    page.locator("#endpoints-0-host").fill(host)
    page.locator("#endpoints-0-port").fill("51820")
    page.locator("#endpoints-0-port").press("Enter")  # Enter saves the draft
    page.get_by_text("Draft saved").wait_for()
    return int(re.search(r"/applications/(\d+)", page.url).group(1))


def upload(page, kind, path):
    page.locator("#kind").select_option(kind)
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="Upload document").click()
    # A click waits only for the next page to start arriving: measuring it before its stylesheet is applied
    # once found a 715 px table on a phone (a flaky failure, not a layout one).
    page.wait_for_load_state("load")


def submit_and_wait(page):
    page.get_by_role("button", name="Submit for checks").click()
    # The page polls while the worker validates, then reloads by itself.
    # A selector, not wait_for_function: that one evals its predicate in the page, which our CSP refuses.
    page.locator("#status:not([data-state='validating'])").wait_for(timeout=60_000)
    return page.locator("#status").get_attribute("data-state")


def assert_fits_the_phone(page, what):
    page.wait_for_load_state("load")  # its stylesheet applied, whatever brought the page
    assert page.evaluate(OVERFLOWING) == [], f"{what} is wider than the phone"


def test_phone_user_signs_up_applies_and_sees_the_checks(portal, portal_env, browser, files):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    page.get_by_role("link", name="Start your first application").click()
    assert page.locator("#category").input_value() == "company_vpn"  # from the profile: a firm
    page.get_by_label("What is the whitelisting for?").fill("Office VPN to our client in Germany")
    page.get_by_label("IP addresses and ranges").fill("39.32.12.0/24\n1.2.3\n0300.0.0.1")
    page.locator("#endpoints-0-host").fill("vpn.indussoft.pk")
    page.locator("#endpoints-0-port").fill("51820")
    page.get_by_role("button", name="Add another endpoint").click()  # JavaScript adds the row in place
    assert page.locator("#endpoints-1-host").is_visible()
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Line 2: '1.2.3' is a short form" in summary and "Line 3: '0300.0.0.1' has a number above 255" in summary
    assert page.get_by_label("IP addresses and ranges").input_value() == "39.32.12.0/24\n1.2.3\n0300.0.0.1"

    page.get_by_label("IP addresses and ranges").fill("39.32.12.0/24\n182.176.0.0/24\n2400:adc0:100::/48")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.locator(".flash").inner_text()
    assert page.locator("#kind").input_value() == "ntn_certificate"  # the upload starts with what is missing
    upload(page, "ntn_certificate", files / "ntn.pdf")
    assert "ntn.pdf uploaded." in page.locator(".flash").inner_text()

    assert submit_and_wait(page) == "ready"
    assert page.locator("h1 .badge").inner_text() == "Waiting for review"
    assert page.get_by_text("Submitted for the automatic checks").is_visible()
    entries = page.locator("table").first.inner_text()
    assert entries.count("is announced by Pakistan Telecommunication Company Limited") == 2
    assert entries.count("is announced by Cyber Internet Services") == 2  # an info, and a warning: not PTCL
    assert "not by PTCL, the ISP in your profile" in entries
    assert_fits_the_phone(page, "the validated application")
    # Emails link to the portal on the port make run serves (PUBLIC_URL follows PORT).
    mail = Path(portal_env["RAASTA_INSTANCE_DIR"]) / "mail"
    deadline = time.monotonic() + 30
    while not list(mail.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert any(f"Open it in Raasta: {portal}/applications/" in m.read_text() for m in mail.glob("*.eml"))


def test_submit_waits_for_documents_and_uploads_are_refused_beside_the_field(portal, browser, files):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal, kind="freelancer")
    new_draft(page, "39.32.12.0/24")
    assert page.get_by_role("button", name="Submit for checks").count() == 0  # nothing to press that only refuses
    page.get_by_role("link", name="Upload the CNIC (front) and the CNIC (back) to submit").click()
    assert page.url.endswith("#documents") and page.locator("#kind").input_value() == "cnic_front"

    upload(page, "cnic_back", files / "setup.pdf")
    error = page.locator("#file-error")
    assert error.inner_text().startswith("'setup.pdf' is a Windows program, not a PDF, PNG or JPEG file.")
    assert page.locator("#kind").input_value() == "cnic_back"  # the chosen kind is kept
    assert page.evaluate("document.activeElement.id") == "file"  # focus, and so the screen, is on the field
    box, screen = error.bounding_box(), page.viewport_size
    assert 0 <= box["y"] and box["y"] + box["height"] <= screen["height"], "the error is out of sight"
    file_box = page.locator("#file").bounding_box()
    assert 0 < box["y"] - (file_box["y"] + file_box["height"]) < 40  # right under the file field
    assert_fits_the_phone(page, "the refused upload")

    # Over the cap: refused before it is sent (without the script, the portal refuses it once sent, in the same
    # words), naming the file and the limit; and the upload's address, reloaded, is the application again.
    refused_at = page.url
    page.locator("#file").set_input_files({"name": "scan.pdf", "mimeType": "application/pdf",
                                           "buffer": PDF + b"0" * (12 * 1024 * 1024)})
    page.get_by_role("button", name="Upload document").click()
    message = page.locator("#file").evaluate("input => input.validationMessage")
    assert message.startswith("scan.pdf is 12.0 MB; the limit is 10.0 MB.") and page.url == refused_at
    page.goto(refused_at.split("#")[0])
    assert re.search(r"/applications/\d+$", page.url.split("#")[0]) and page.locator("#documents").count() == 1


def test_without_javascript_a_document_far_over_the_cap_is_refused_by_the_portal_naming_it(portal, browser):
    """The page's script stops a large file before it is sent; without it, a 12 MB scan reached the web server,
    whose answer was a bare "Request Entity Too Large". Now the application page says what and why."""
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    application_id = new_draft(page, "39.32.12.0/24")
    context = browser.new_context(java_script_enabled=False, storage_state=page.context.storage_state(),
                                  viewport=PHONE)
    plain = context.new_page()
    plain.goto(f"{portal}/applications/{application_id}")
    plain.locator("#kind").select_option("client_contract")
    plain.locator("#file").set_input_files({"name": "contract scan.pdf", "mimeType": "application/pdf",
                                            "buffer": PDF + b"0" * (12 * 1024 * 1024)})
    plain.get_by_role("button", name="Upload document").click()
    plain.wait_for_load_state("load")
    assert plain.locator("#file-error").inner_text().startswith("'contract scan.pdf' is larger than 10 MB;")
    assert plain.locator("#kind").input_value() == "client_contract"
    assert plain.get_by_role("heading", level=1).inner_text().startswith(f"Application #{application_id}")
    context.close()


def test_back_then_save_draft_again_keeps_one_draft(portal, browser):
    """The new user's trial: Save draft, Back (the no-store form is fetched again), Save draft again made a
    second, identical draft."""
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    first = new_draft(page, "39.32.12.0/24")
    page.go_back()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Save draft").last.click()
    page.wait_for_load_state("load")
    assert int(re.search(r"/applications/(\d+)", page.url).group(1)) == first
    page.goto(portal + "/applications")
    assert page.locator("table tbody tr").count() == 1, page.locator("table").inner_text()


def test_enter_saves_and_adds_no_endpoint(portal, browser):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    application_id = new_draft(page, "39.32.12.0/24")
    page.get_by_role("link", name="Edit this application").click()
    assert page.locator(".endpoint-row").count() == 1  # no blank "Endpoint 1" above the real one
    page.get_by_label("What is the whitelisting for?").fill("Office VPN to our client in Germany and Dubai")
    page.locator("#endpoints-0-host").press("Enter")
    page.get_by_text("Changes saved.").wait_for()
    assert page.url.endswith(f"/applications/{application_id}")
    page.get_by_role("link", name="Edit this application").click()
    assert page.locator(".endpoint-row").count() == 1


def test_a_flagged_application_is_corrected_without_starting_again(portal, browser, files):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    new_draft(page, "10.1.0.0/24\n39.32.12.0/24")
    # Found on save, before any reviewer sees it, in the queue's words.
    assert "special-purpose block" in page.locator("table").first.inner_text()
    assert page.locator("#problem-count").inner_text().startswith("1 problem to fix")
    upload(page, "ntn_certificate", files / "ntn.pdf")
    assert submit_and_wait(page) == "flagged"
    assert page.locator("h1 .badge").inner_text() == "Problems found"

    page.get_by_role("link", name="Correct this application").click()
    assert "Saving a change makes this application a draft again" in page.locator(".flash-info").inner_text()
    page.get_by_label("IP addresses and ranges").fill("39.32.12.0/24")
    page.get_by_label("IP addresses and ranges").focus()
    page.get_by_role("button", name="Save draft").last.click()
    assert "It is a draft again" in page.locator(".flash").inner_text()
    assert page.locator("h1 .badge").inner_text() == "Draft"
    assert page.get_by_role("link", name="ntn.pdf").is_visible()  # the documents stayed
    assert page.get_by_text("Opened for corrections").is_visible()
    assert submit_and_wait(page) == "ready"


def test_withdrawing_asks_on_a_page_of_its_own(portal, browser, files):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    new_draft(page, "39.32.12.0/24")
    page.get_by_role("link", name="Delete draft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Delete the draft?"
    page.get_by_role("link", name="No, keep it").click()
    upload(page, "ntn_certificate", files / "ntn.pdf")
    submit_and_wait(page)
    page.get_by_role("link", name="Withdraw this application").click()
    page.get_by_role("button", name="Withdraw the application").click()
    assert page.locator("h1 .badge").inner_text() == "Withdrawn"


def test_no_applicant_page_is_wider_than_a_phone(portal, browser, files):
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)
    application_id = new_draft(page, "39.32.12.0/24\n10.0.0.0/8\n2a00::/22\n"
                                     "2400:adc0:100:ffff:ffff:ffff:ffff:0-2400:adc0:100:ffff:ffff:ffff:ffff:ffff",
                               host="a-very-long-vpn-gateway-name.of-a-firm-with-a-long-domain.example.pk")
    upload(page, "ntn_certificate", files / ("n" * 170 + ".pdf"))
    upload(page, "other", files / "setup.pdf")  # the page with an upload error
    assert_fits_the_phone(page, "the application with an upload error")
    page.goto(f"{portal}/account/tokens")
    page.get_by_label("Label").fill("Nightly sync from our firewall, which runs in the Lahore office")
    page.get_by_role("button", name=re.compile("Create")).click()
    for path in ("/applications", "/applications/new", f"/applications/{application_id}",
                 f"/applications/{application_id}/edit", f"/applications/{application_id}/delete", "/profile",
                 "/notifications", "/account/tokens", "/account/password"):
        page.goto(portal + path)
        assert_fits_the_phone(page, path)
        targets = page.evaluate("""() => [...document.querySelectorAll('main a.button, main button, header a, input[type=file]')]
            .filter(el => el.offsetParent && el.getAttribute('aria-hidden') !== 'true'
                          && el.getBoundingClientRect().height < 43.5)
            .map(el => el.textContent.trim() || el.outerHTML.slice(0, 60))""")
        assert targets == [], f"touch targets under 44 px on {path}: {targets}"


def test_a_field_of_the_other_kind_hidden_after_typing_in_it_does_not_stop_the_save(portal, browser):
    """A CNIC half typed as a freelancer, then "firm" chosen: the hidden CNIC is not sent, so the save is
    not refused over a field the applicant cannot see, and none of it is stored."""
    page = browser.new_page(viewport=PHONE)
    sign_up(page, portal)  # a firm
    page.goto(portal + "/profile")
    page.get_by_label("A freelancer (with a CNIC)").check()
    page.get_by_label("CNIC", exact=True).fill("123")
    page.get_by_label("A firm or company (with an NTN)").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Profile saved.").wait_for()
    page.goto(portal + "/profile")
    page.get_by_label("A freelancer (with a CNIC)").check()
    assert page.get_by_label("CNIC", exact=True).input_value() == ""  # nothing stored from the hidden field
