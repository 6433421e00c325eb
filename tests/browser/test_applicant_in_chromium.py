"""A new applicant, on a phone-sized screen, goes from sign-up to a validated application."""
import pytest

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_phone_user_signs_up_applies_and_sees_the_checks(portal, browser, tmp_path):
    (tmp_path / "ntn.pdf").write_bytes(PDF)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(portal + "/sign-up")
    page.get_by_label("Your name").fill("Ayesha Khan")
    page.get_by_label("Email").fill("ayesha@example.pk")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_label("Repeat password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("your account is ready: sign in below").wait_for()
    page.get_by_label("Email").fill("ayesha@example.pk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Fill in your profile").click()

    page.get_by_label("A firm or company (with an NTN)").check()
    assert page.get_by_label("CNIC", exact=True).is_hidden()  # only the chosen kind's fields show
    page.get_by_label("Legal name").fill("Indus Soft (Pvt) Ltd")
    page.get_by_label("NTN", exact=True).fill("1234567-8")
    page.get_by_label("City").fill("Lahore")
    page.get_by_label("Your internet provider").fill("Nayatel")
    page.get_by_label("Subscriber or account id with that ISP").fill("NT-998877")
    page.get_by_role("button", name="Save profile").click()

    page.get_by_role("link", name="Start your first application").click()
    page.get_by_label("What is the whitelisting for?").fill("Office VPN to our client in Germany")
    page.get_by_label("IP addresses and ranges").fill("39.32.12.0/24\n1.2.3\n2400:adc0:100::/48")
    page.locator("#endpoints-0-host").fill("vpn.indussoft.pk")
    page.locator("#endpoints-0-port").fill("51820")
    page.get_by_role("button", name="Add another endpoint").click()  # JavaScript adds the row in place
    assert page.locator("#endpoints-1-host").is_visible()
    page.get_by_role("button", name="Save draft").click()
    error = page.locator("#entries-error")
    assert "Line 2: '1.2.3' is a short form" in error.inner_text()
    assert page.get_by_label("IP addresses and ranges").input_value() == "39.32.12.0/24\n1.2.3\n2400:adc0:100::/48"

    page.get_by_label("IP addresses and ranges").fill("39.32.12.0/24\n111.68.96.10\n2400:adc0:100::/48")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.locator(".flash").inner_text()
    page.locator("#kind").select_option("ntn_certificate")
    page.locator("#file").set_input_files(str(tmp_path / "ntn.pdf"))
    page.get_by_role("button", name="Upload document").click()
    assert "ntn.pdf uploaded." in page.locator(".flash").inner_text()

    page.get_by_role("button", name="Submit for checks").click()
    # The page polls while the worker validates, then reloads by itself.
    page.wait_for_function("document.getElementById('status').dataset.state !== 'validating'", timeout=60_000)
    state = page.locator("#status").get_attribute("data-state")
    assert state in ("ready", "flagged")
    assert page.get_by_text("Submitted for the automatic checks").is_visible()
    assert page.locator("table").first.inner_text().count("announced by") == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone screen
