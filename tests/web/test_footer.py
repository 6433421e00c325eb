"""Every page says who runs the portal and links to its help, contact and privacy pages, for every role."""
import pytest

OPERATOR = "Raasta is operated for the Pakistan Telecommunication Authority (PTA)."
PAGES = {
    None: ["/", "/sign-in", "/sign-up", "/help", "/contact", "/privacy", "/no-such-page"],
    "applicant": ["/applications", "/applications/new", "/profile", "/notifications", "/account/tokens",
                  "/account/password", "/help", "/review/"],  # the last one refused (403): its page too
    "reviewer": ["/dashboard", "/review/", "/review/batches", "/review/dashboard", "/audit/", "/isp/",
                 "/isp/versions", "/account/tokens"],
    "admin": ["/dashboard", "/review/", "/admin/queues", "/admin/organisations", "/admin/pages",
              "/admin/pages/privacy", "/audit/"],
    "isp": ["/isp/", "/isp/confirmations", "/isp/webhook", "/isp/versions"],
}


def footer_of(page: str) -> str:
    return page.split('<footer class="site-footer">')[1].split("</footer>")[0]


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "signed-out")
def test_every_page_says_who_runs_it_and_links_help_contact_and_privacy(client, login, make_user, isp_user, role):
    if role:
        login(isp_user() if role == "isp" else make_user(role=role))
    for path in PAGES[role]:
        response = client.get(path, follow_redirects=True)  # a new form is sent on to its own address
        assert response.status_code in (200, 403, 404), path
        footer = footer_of(response.text)
        assert OPERATOR in footer, path
        for slug, label in (("help", "Help"), ("contact", "Contact"), ("privacy", "Privacy")):
            assert f'<a href="/{slug}"' in footer and f">{label}</a>" in footer, (path, slug)


def test_the_page_shown_is_marked_in_the_footer(client):
    footer = footer_of(client.get("/privacy").text)
    assert '<a href="/privacy" aria-current="page">Privacy</a>' in footer
    assert footer.count("aria-current") == 1


def test_the_operator_is_a_setting(app, client, monkeypatch):
    from app.config import Config

    monkeypatch.setenv("PORTAL_OPERATOR", "the Frontier Telecom Board on behalf of the PTA")
    assert Config().PORTAL_OPERATOR == "the Frontier Telecom Board on behalf of the PTA"
    monkeypatch.setenv("PORTAL_OPERATOR", "  ")
    assert Config().PORTAL_OPERATOR == "the Pakistan Telecommunication Authority (PTA)"
    app.config["PORTAL_OPERATOR"] = "the <Frontier> Telecom Board"
    home = client.get("/").text
    assert "Raasta is operated for the &lt;Frontier&gt; Telecom Board." in footer_of(home)
    assert "<h2 id=\"about-heading\">Who runs Raasta</h2>" in home
    assert "Raasta is operated for the &lt;Frontier&gt; Telecom Board. Its reviewers decide" in home.split("<main")[1]


def test_the_home_page_links_to_help_contact_and_privacy(client):
    about = client.get("/").text.split('<section class="about card"')[1].split("</section>")[0]
    assert all(f'href="/{slug}"' in about for slug in ("help", "contact", "privacy"))
