"""Urdu pages in Chromium at 390 and 1280 px: written right to left with the same stylesheet (the brand on the
right, the menu on the left, nothing past either edge), addresses in <bdi> keep their order, Urdu is set in the
Gulzar Nastaliq the app serves (and English pages never fetch it), and the language switch keeps what was typed."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CLIPPED, OVERFLOWING, PHONE
from tests.browser.test_review_in_chromium import flask, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
APPLICANT = "saima.rtl@example.pk"
ADMIN = "admin.rtl@pta.gov.example.pk"
ACCOUNTS = {None: None, "applicant": APPLICANT, "admin": ADMIN}
PAGES = {None: ["/", "/sign-in", "/sign-up", "/help"],
         "applicant": ["/applications", "/applications/new", "/profile", "/notifications", "/account/tokens"],
         "admin": ["/dashboard", "/review/", "/review/batches", "/audit/", "/admin/queues", "/isp/"]}
# conftest's check mirrored: in a right-to-left page what does not fit sticks out past the left edge.
OVERFLOWING_EITHER_SIDE = OVERFLOWING.replace("box.right > width + 0.5", "(box.right > width + 0.5 || box.left < -0.5)")
assert OVERFLOWING_EITHER_SIDE != OVERFLOWING
SHOTS = "/tmp/shots"
RANGE = "10.1.2.0 - 10.1.2.255"
URDU = "آپ کی رینج منظور ہو گئی ہے۔"


@pytest.fixture(scope="module")
def sessions(portal, portal_env, browser) -> dict:
    """An applicant's and an admin's signed-in browser state (the admin's menu is the longest)."""
    flask(portal_env, "users", "create", APPLICANT, "--role", "applicant", "--password", PASSWORD)
    flask(portal_env, "users", "create", ADMIN, "--role", "admin", "--password", PASSWORD)
    states = {}
    for role, email in ACCOUNTS.items():
        if email:
            page = sign_in(browser, portal, email)
            expect(page.locator("form[action='/sign-out']")).to_be_attached()
            states[role] = page.context.storage_state()
            page.close()
    return states


def open_as(browser, sessions, role, viewport):
    return browser.new_context(viewport=viewport, storage_state=sessions.get(role)).new_page()


def in_urdu(page, portal, path):
    response = page.goto(portal + path + ("&" if "?" in path else "?") + "lang=ur")
    assert response.ok, f"{path}: {response.status}"
    page.wait_for_load_state("load")
    return response


def add_paragraph(page, html) -> None:
    """A paragraph of Urdu at the top of the page's main content (templates are translated elsewhere: this test
    holds whatever they say)."""
    page.evaluate("""html => { const p = document.createElement('p'); p.id = 'rtl-probe'; p.innerHTML = html;
                               document.querySelector('main').prepend(p); }""", html)


def box(page, selector) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not shown"
    return found


@VIEWPORTS
@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role or "signed-out")
def test_urdu_pages_are_right_to_left_and_fit_the_screen(portal, sessions, browser, role, viewport):
    """Nothing past either edge of the screen, nothing cut (Nastaliq's tall lines in buttons, badges and cells),
    the header on one line."""
    page = open_as(browser, sessions, role, viewport)
    found = {}
    for path in PAGES[role]:
        in_urdu(page, portal, path)
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ur", "rtl"], path
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", path
        page.evaluate("document.fonts.ready")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        problems = page.evaluate(OVERFLOWING_EITHER_SIDE) + page.evaluate(CLIPPED)
        if problems:
            found[path] = problems
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = false; })")
        assert page.locator(".site-header").bounding_box()["height"] < 80, f"{path}: the header takes two lines"
        if role is None and viewport == PHONE and path in ("/sign-in", "/sign-up"):
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/ur{path.replace('/', '-')}-390.png", full_page=True)
    page.context.close()
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(problems) for path, problems in found.items())


@VIEWPORTS
@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role or "signed-out")
def test_the_header_is_mirrored(portal, sessions, browser, role, viewport):
    """The brand at the right edge, the menu (its button, or its links in a row) at the left, the language switch
    between them; in English the other way round."""
    page = open_as(browser, sessions, role, viewport)
    for language in ("ur", "en"):
        page.goto(f"{portal}{PAGES[role][0]}?lang={language}")
        row = box(page, ".header-row")
        padding = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.header-row'))"
                                      ".paddingInlineStart)"))
        start, end = (row["x"] + row["width"] - padding, row["x"] + padding)
        if language == "en":
            start, end = end, start
        brand, switch = box(page, ".brand"), box(page, ".language-switch a")
        if role and viewport == PHONE:
            menu = box(page, "summary.menu-button")
        else:
            menu = box(page, ".header-row nav .nav li:last-child")
        brand_edge = brand["x"] + brand["width"] if language == "ur" else brand["x"]
        menu_edge = menu["x"] if language == "ur" else menu["x"] + menu["width"]
        assert abs(brand_edge - start) < 2, f"{language}: the brand ends at {brand_edge:.0f}, not at {start:.0f}"
        assert abs(menu_edge - end) < 2, f"{language}: the menu ends at {menu_edge:.0f}, not at {end:.0f}"
        order = sorted([(brand["x"], "brand"), (switch["x"], "switch"), (menu["x"], "menu")])
        expected = ["menu", "switch", "brand"] if language == "ur" else ["brand", "switch", "menu"]
        assert [name for _, name in order] == expected, language
    page.context.close()


def x_of(page, selector, nth) -> float:
    """The left edge of the nth character (negative: from the end) of the first text of `selector`."""
    return page.evaluate("""([selector, nth]) => {
      const text = document.querySelector(selector).firstChild, range = document.createRange();
      const at = nth < 0 ? text.length + nth : nth;
      range.setStart(text, at); range.setEnd(text, at + 1);
      return range.getBoundingClientRect().left;
    }""", [selector, nth])


@VIEWPORTS
def test_an_address_range_in_bdi_keeps_its_order(portal, browser, viewport):
    page = browser.new_page(viewport=viewport)
    in_urdu(page, portal, "/")
    add_paragraph(page, f'آپ کی رینج <bdi>{RANGE}</bdi> منظور ہو گئی ہے، <span class="plain">{RANGE}</span> بغیر')
    assert page.evaluate("getComputedStyle(document.getElementById('rtl-probe')).direction") == "rtl"
    first, last = x_of(page, "#rtl-probe bdi", 0), x_of(page, "#rtl-probe bdi", -1)
    assert first < last, f"the range reads backwards: its '1' at {first:.0f}, its last '5' at {last:.0f}"
    bdi, paragraph = box(page, "#rtl-probe bdi"), box(page, "#rtl-probe")
    assert bdi["x"] + bdi["width"] < paragraph["x"] + paragraph["width"] - 20, "the Urdu before it is on its right"
    # The check sees the difference: the same range without <bdi> is reordered by the Urdu around it.
    assert x_of(page, "#rtl-probe .plain", 0) > x_of(page, "#rtl-probe .plain", -1)
    page.close()


def used_fonts(page, selector) -> list[str]:
    """The fonts Chromium actually drew `selector`'s text with (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [font["familyName"] for font in fonts]


@VIEWPORTS
def test_urdu_is_set_in_gulzar_and_english_pages_never_fetch_it(portal, browser, viewport):
    page = browser.new_page(viewport=viewport)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/static/fonts/" in request.url else None)
    page.goto(portal + "/sign-up?lang=en")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.ready.then(() => [...document.fonts].filter(f => f.family.replace(/\"/g, '')"
                         " === 'Gulzar').map(f => f.status))") == ["unloaded"]
    assert fetched == [], "an English page fetched the Urdu font"

    in_urdu(page, portal, "/sign-up")
    add_paragraph(page, URDU)
    statuses = page.evaluate("document.fonts.ready.then(() => [...document.fonts].filter(f => f.family.replace(/\"/g,"
                             " '') === 'Gulzar').map(f => f.status))")
    assert statuses == ["loaded"]
    assert [url.rsplit("/", 1)[1] for url in fetched] == ["gulzar-urdu-400.woff2"]
    assert page.evaluate("document.fonts.check('16px Gulzar', 'اردو')")
    assert "Gulzar" in used_fonts(page, "#rtl-probe")
    assert page.evaluate("getComputedStyle(document.getElementById('rtl-probe')).fontFamily").strip('"').startswith(
        "Gulzar,")
    assert float(page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")) >= 2 * 16
    # What stays left to right in an Urdu page: code, inputs for emails, <bdi>, and Latin text keeps its font.
    assert page.evaluate("getComputedStyle(document.querySelector('input[type=email]')).direction") == "ltr"
    page.close()


def test_the_language_switch_keeps_what_was_typed(portal, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(portal + "/sign-up?lang=en")
    form = page.locator("main form[method=post]")
    typed = {"name": "Saima Rtl Khan", "email": "saima.typed@example.pk"}
    for name, value in typed.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=password]").fill("a secret phrase of words")
    page.locator("a[data-language-switch]").click()
    page.wait_for_url("**/sign-up?lang=ur")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.locator("main form[method=post]")
    for name, value in typed.items():
        expect(form.locator(f"[name={name}]")).to_have_value(value)
    expect(form.locator("[name=password]")).to_have_value("")  # never kept
    assert page.evaluate("sessionStorage.length") == 0  # the kept copy is gone once put back

    # And back to English, with a change made in Urdu; another page is not filled in with this one's typing.
    form.locator("[name=name]").fill("Saima Khan")
    page.locator("a[data-language-switch]").click()
    page.wait_for_url("**/sign-up?lang=en")
    expect(page.locator("main form[method=post] [name=name]")).to_have_value("Saima Khan")
    expect(page.locator("main form[method=post] [name=email]")).to_have_value(typed["email"])
    page.goto(portal + "/sign-in?lang=en")
    page.locator("main form[method=post] [name=email]").fill("someone@example.pk")
    page.locator("a[data-language-switch]").click()
    page.wait_for_url("**/sign-in?lang=ur")
    expect(page.locator("main form[method=post] [name=email]")).to_have_value("someone@example.pk")
    page.goto(portal + "/sign-up?lang=ur")
    expect(page.locator("main form[method=post] [name=email]")).to_have_value("")
    page.close()
