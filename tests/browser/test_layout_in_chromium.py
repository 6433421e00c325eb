"""Every role's main pages at 1280 and 390 px with long values in them (a long ISP name, a long email, long
finding codes): no table cell, chart label or box cuts its content, and no page is wider than the screen."""
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CLIPPED, OVERFLOWING, PHONE
from tests.browser.test_review_in_chromium import (
    call,
    flask,
    sign_in,
    upload_ntn_certificate,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
LONG_ISP = "Pakistan Telecommunication Company Limited Broadband and Enterprise Services (PTCL)"
APPLICANT = "muhammad.abdullah.khan.procurement@indus-software-engineering.example.pk"
MAKER = "muhammad.rizwan-ul-haq.senior.reviewer@whitelisting.pta.gov.example.pk"
CHECKER = "kamran@pta.gov.pk"
ADMIN = "administrator.of.the.portal@whitelisting.pta.gov.example.pk"
ISP = "network.operations.desk@ptcl-broadband-enterprise.example.pk"


def wait_for_validation(portal, token, ids):
    deadline = time.monotonic() + 90
    while any(call(portal, token, "GET", f"/api/v1/applications/{i}")["state"] == "validating" for i in ids):
        assert time.monotonic() < deadline, "validation did not finish"
        time.sleep(0.5)


def seed(portal, env) -> dict:
    """Long values everywhere a table or chart shows them; a published version, a rejection, an open batch."""
    flask(env, "users", "create", ISP, "--role", "isp", "--password", PASSWORD, "--organisation", LONG_ISP)
    flask(env, "users", "create", APPLICANT, "--role", "applicant", "--password", PASSWORD)
    for email in (MAKER, CHECKER):
        flask(env, "users", "create", email, "--role", "reviewer", "--password", PASSWORD)
    flask(env, "users", "create", ADMIN, "--role", "admin", "--password", PASSWORD)
    token = flask(env, "tokens", "create", APPLICANT)
    call(portal, token, "PUT", "/api/v1/profile", {
        "kind": "firm", "ntn": "1234567-8", "city": "Dera Ghazi Khan", "isp_name": LONG_ISP,
        "name": "Indus Software Engineering and Information Technology Consultancy Services (Private) Limited",
        "isp_subscriber_id": "PTCL-ENTERPRISE-0042-99887766-LAHORE-GULBERG-III"})
    applications = {
        "approved": (["39.32.12.0/24"], []),
        "rejected": (["39.32.14.0/24"], []),
        "batched": (["39.32.15.0/24"], []),
        "special": (["10.1.0.0/24", "2400:adc0:100:ffff:ffff:ffff:ffff:0-2400:adc0:100:ffff:ffff:ffff:ffff:ffff"], []),
        "endpoint": (["39.32.13.0/24"], [{"host": "192.168.10.1", "protocol": "wireguard", "port": 51820}]),
    }
    ids = {}
    for key, (entries, endpoints) in applications.items():
        created = call(portal, token, "POST", "/api/v1/applications", {
            "purpose": "Office VPN to our client in Germany", "category": "company_vpn", "entries": entries,
            "endpoints": endpoints})
        upload_ntn_certificate(portal, token, created["id"], "national-tax-number-certificate-" + "n" * 80 + ".pdf")
        call(portal, token, "POST", f"/api/v1/applications/{created['id']}/submit")
        ids[key] = created["id"]
    wait_for_validation(portal, token, ids.values())
    maker, checker = flask(env, "tokens", "create", MAKER), flask(env, "tokens", "create", CHECKER)
    batch = call(portal, maker, "POST", "/api/v1/batches", {"application_ids": [ids["approved"]]})
    call(portal, checker, "POST", f"/api/v1/batches/{batch['id']}/approve")
    open_batch = call(portal, maker, "POST", "/api/v1/batches", {
        "application_ids": [ids["batched"]], "note": "Checked against the firm's NTN certificate and the ISP's letter"})
    call(portal, maker, "POST", f"/api/v1/applications/{ids['rejected']}/reject",
         {"reason": "The purpose does not qualify for whitelisting."})
    return {"ids": ids, "batch": batch["id"], "open_batch": open_batch["id"]}


@pytest.fixture(scope="module")
def seeded(portal, portal_env):
    return seed(portal, portal_env)


def main_pages(seeded) -> dict[str | None, list[str]]:
    """Each role's pages (None: signed out), with the seeded application and batch."""
    ids = seeded["ids"]
    review = ["/dashboard", "/review/", "/review/?state=flagged", f"/review/applications/{ids['special']}",
              f"/review/applications/{ids['endpoint']}", "/review/batches", f"/review/batches/{seeded['batch']}",
              f"/review/batches/{seeded['open_batch']}", "/review/dashboard", "/audit/", "/isp/", "/isp/versions",
              "/account/tokens"]
    return {
        None: ["/", "/sign-in", "/sign-up", "/help", "/contact", "/privacy"],
        "applicant": ["/applications", f"/applications/{ids['special']}", f"/applications/{ids['endpoint']}",
                      f"/applications/{ids['approved']}", "/profile", "/notifications", "/account/tokens", "/help"],
        "reviewer": review,
        "admin": review + ["/admin/queues", "/admin/organisations", "/admin/organisations/1", "/admin/pages",
                           "/admin/pages/help"],
        "isp": ["/isp/", "/isp/confirmations", "/isp/webhook", "/isp/versions", "/isp/versions/1"],
    }


ACCOUNTS = {None: None, "applicant": APPLICANT, "reviewer": MAKER, "admin": ADMIN, "isp": ISP}


@pytest.fixture(scope="module")
def sessions(portal, seeded, browser) -> dict:
    """Each role's signed-in browser state, signed in once: sign-in is rate-limited per address (10 a minute)."""
    states = {}
    for role in ACCOUNTS:
        if role:
            page = sign_in(browser, portal, ACCOUNTS[role])
            expect(page.locator("form[action='/sign-out']")).to_be_attached()  # signed in, wherever it landed
            states[role] = page.context.storage_state()
            page.close()
    return states


def open_as(browser, sessions, role, viewport, **options):
    """A new page signed in as `role`'s seeded account (None: signed out), in a context of its own."""
    return browser.new_context(viewport=viewport, storage_state=sessions.get(role), **options).new_page()


def layout_problems(page) -> list[str]:
    """What is cut or wider than the screen on `page`, with every <details> opened (a folded filter or table
    of numbers is part of the page too)."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate(OVERFLOWING) + page.evaluate(CLIPPED)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role or "signed-out")
def test_no_page_cuts_its_content(portal, seeded, sessions, browser, role, viewport):
    page = open_as(browser, sessions, role, viewport)
    found = {}
    for path in main_pages(seeded)[role]:
        response = page.goto(portal + path)
        assert response.ok, f"{path}: {response.status}"
        problems = layout_problems(page)
        if problems:
            found[path] = problems
    page.context.close()
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(problems) for path, problems in found.items())


SIGNED_IN = [role for role in ACCOUNTS if role]
# Where each role lands, and the menu link that page marks as the current one.
LANDING = {"applicant": ("/applications", "Applications"), "reviewer": ("/dashboard", "Dashboard"),
           "admin": ("/dashboard", "Dashboard"), "isp": ("/isp/", "Whitelist")}


def header_height(page) -> float:
    return page.locator(".site-header").bounding_box()["height"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role or "signed-out")
def test_the_header_is_one_line(portal, seeded, sessions, browser, role, viewport):
    """At 390 px a reviewer's menu took three lines (225 of 844 px) on every page; one line is the brand and the
    Menu button (or, signed out or on a wide screen, the links themselves): under 80 px."""
    page = open_as(browser, sessions, role, viewport)
    for path in main_pages(seeded)[role][:4]:
        page.goto(portal + path)
        page.wait_for_load_state("load")
        assert header_height(page) < 80, f"{path}: the header is {header_height(page):.0f} px high"
    if role and viewport == DESKTOP:  # the whole menu in a row, no button
        expect(page.locator("summary.menu-button")).to_be_hidden()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link").first).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_phone_menu_opens_and_closes_by_keyboard(portal, sessions, browser, role):
    path, current = LANDING[role]
    page = open_as(browser, sessions, role, PHONE)
    page.goto(portal + path)
    button = page.locator("summary.menu-button")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    # Its name says what it is; an applicant's also says how many notifications are unread (the seed made some).
    expect(button).to_have_text(re.compile(r"^Menu( \d+ unread notifications)?$" if role == "applicant" else r"^Menu$"))
    expect(links.first).to_be_hidden()
    for _ in range(4):  # the skip link, the brand, the language switch, then the Menu button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is seen
    page.keyboard.press("Enter")
    expect(links.first).to_be_visible()
    expect(page.get_by_role("link", name=current, exact=True)).to_have_attribute("aria-current", "page")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav')?.getAttribute('aria-label')") == "Main"
    for link in links.all():
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 43.5, link.inner_text()  # a finger's target
    assert page.evaluate(OVERFLOWING) == []
    page.keyboard.press("Escape")  # js/menu.js: closes it and hands the focus back to the button
    expect(links.first).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press(" ")  # Space opens it too
    expect(links.first).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_phone_menu_works_without_javascript(portal, sessions, browser, role):
    page = open_as(browser, sessions, role, PHONE, java_script_enabled=False)
    page.goto(portal + LANDING[role][0])
    assert header_height(page) < 80
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links.first).to_be_hidden()
    page.locator("summary.menu-button").focus()
    page.keyboard.press("Enter")
    expect(links.first).to_be_visible()
    page.locator("summary.menu-button").click()  # and a tap closes it
    expect(links.first).to_be_hidden()
    page.locator("summary.menu-button").click()
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/account/tokens")
    page.context.close()
