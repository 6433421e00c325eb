"""The help, contact and privacy pages: default texts, an admin's edits shown escaped, who may edit, the audit."""
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, SitePage
from app.services import site_pages

BODY_MAX = site_pages.BODY_MAX


def main_of(page: str) -> str:
    return page.split('<main id="main"')[1].split("</main>")[0]


def events(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "site_page.updated")).all()


@pytest.mark.parametrize("slug, title, says", [
    ("help", "Help", ["<h2>How to apply</h2>", "<h2>Which documents</h2>", "<h2>How long it takes</h2>",
                      "<h2>For internet providers (ISPs)</h2>", "An approval lasts 365 days"]),
    ("contact", "Contact", ['<a href="mailto:help@raasta.pk">help@raasta.pk</a>',
                            "Raasta is operated for the Pakistan Telecommunication Authority (PTA)."]),
    ("privacy", "Privacy", ["NTN (firms) or CNIC (freelancers)", "<h2>The audit trail</h2>",
                            "cannot be changed or deleted"]),
])
def test_each_page_shows_its_default_text_to_anyone(client, slug, title, says):
    response = client.get(f"/{slug}")
    assert response.status_code == 200
    main = main_of(response.text)
    assert f"<h1>{title}</h1>" in main and f"<title>{title} · Raasta</title>" in response.text
    for text in says:
        assert text in main, text
    assert "{" not in main  # every setting filled in
    assert "Last updated" not in main  # a default has no date


def test_the_default_texts_follow_the_settings(app, client):
    app.config["PORTAL_OPERATOR"] = "the Frontier Telecom Board"
    app.config["APPROVAL_DAYS"] = 180
    assert "Raasta is operated for the Frontier Telecom Board." in main_of(client.get("/contact").text)
    assert "An approval lasts 180 days" in client.get("/help").text


def test_the_default_help_tells_a_freelancer_without_a_fixed_address_what_to_do(client):
    help_page = main_of(client.get("/help").text)
    assert "<h2>Without a fixed IP address</h2>" in help_page
    assert "6-digit code that arrives by SMS" in help_page
    assert "each provider sees only the part of an application it serves" in help_page


def save(client, slug="help", title="Help", body="Some help."):
    return client.post(f"/admin/pages/{slug}", data={"title": title, "body": body})


def test_an_admins_text_is_shown_escaped_in_paragraphs_and_headings(db, client, login, make_user):
    login(make_user(role="admin"))
    body = ("# Before you <em>start</em>\n"
            "Have your NTN ready.\nA second line of the same paragraph.\n\n\n"
            "<script>alert('x')</script> and <b>no markup</b> & no entities &amp;\n\n"
            "Write to help@pta.example.pk or see https://pta.example.pk/whitelisting. Not javascript:alert(1)")
    response = save(client, title="Help <for> applicants", body=body)
    assert response.status_code == 302 and response.location == "/help"
    main = main_of(client.get("/help").text)
    assert "<h1>Help &lt;for&gt; applicants</h1>" in main
    assert "<h2>Before you &lt;em&gt;start&lt;/em&gt;</h2>" in main
    assert '<p class="typed-text">Have your NTN ready.\nA second line of the same paragraph.</p>' in main
    assert "<script>" not in main and "<b>" not in main and "<em>" not in main
    assert ("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; and &lt;b&gt;no markup&lt;/b&gt; "
            "&amp; no entities &amp;amp;") in main
    assert '<a href="mailto:help@pta.example.pk">help@pta.example.pk</a>' in main
    assert '<a href="https://pta.example.pk/whitelisting">https://pta.example.pk/whitelisting</a>.' in main
    assert 'href="javascript' not in main
    assert main.count('<p class="typed-text">') == 3 and "Last updated on" in main


def test_a_save_is_audited_with_the_text_before_and_after(db, client, login, make_user):
    admin = make_user(role="admin")
    login(admin)
    default = site_pages.page("privacy")
    save(client, "privacy", "Privacy notice", "We keep what the law asks, no more.")
    [event] = events(db)
    assert (event.actor_id, event.subject_type, event.subject_id) == (admin.id, "site_page", "privacy")
    assert event.data["before"] == {"title": "Privacy", "body": default.body, "default": True}
    assert event.data["after"] == {"title": "Privacy notice", "body": "We keep what the law asks, no more."}
    stored = db.session.get(SitePage, "privacy")
    assert (stored.title, stored.updated_by_id) == ("Privacy notice", admin.id)

    save(client, "privacy", "Privacy notice", "We keep what the law asks, no more.\r\n")  # the same text again
    assert len(events(db)) == 1
    save(client, "privacy", "Privacy notice", "Shorter.")
    assert events(db)[1].data["before"] == {"title": "Privacy notice", "body": "We keep what the law asks, no more.",
                                           "default": False}
    assert "by " + admin.email in client.get("/admin/pages").text


@pytest.mark.parametrize("title, body, complaints", [
    ("Help", "", ["Write the page&#39;s text: a page cannot be empty."]),
    ("Help", " \n \n ", ["Write the page&#39;s text: a page cannot be empty."]),
    ("Help", "x" * (BODY_MAX + 1), ["Keep the text to 20,000 characters; this one has 20,001."]),
    ("", "Fine text.", ["Give the page a title, e.g. Help."]),
    ("T" * 101, "x" * (BODY_MAX + 5), ["Keep the title to 100 characters; this one has 101.",
                                      "Keep the text to 20,000 characters; this one has 20,005."]),
])
def test_an_empty_or_too_long_page_is_refused_beside_its_field(db, client, login, make_user, title, body, complaints):
    login(make_user(role="admin"))
    response = save(client, title=title, body=body)
    assert response.status_code == 200
    for complaint in complaints:
        assert complaint in response.text
        assert re.search(r'<div class="error-text" id="(title|body)-error"><p>' + re.escape(complaint), response.text)
    assert events(db) == [] and db.session.get(SitePage, "help") is None
    assert "<h2>How to apply</h2>" in client.get("/help").text  # the default text still shows


def test_exactly_the_limit_is_accepted(db, client, login, make_user):
    login(make_user(role="admin"))
    assert save(client, body="x" * BODY_MAX).status_code == 302


@pytest.mark.parametrize("role", ["applicant", "reviewer", "isp"])
def test_only_admins_open_or_save_the_editor(db, client, login, make_user, isp_user, role):
    login(isp_user("PTCL") if role == "isp" else make_user(role=role))
    assert client.get("/admin/pages").status_code == 403
    assert client.get("/admin/pages/help").status_code == 403
    assert save(client, body="Taken over.").status_code == 403
    assert events(db) == [] and db.session.get(SitePage, "help") is None


def test_signed_out_the_editor_asks_to_sign_in(client):
    assert client.get("/admin/pages/help").status_code == 302
    assert save(client).location.startswith("/sign-in")


def test_the_editor_refuses_a_post_without_its_csrf_token(app, db, client, login, make_user):
    login(make_user(role="admin"))
    app.config["WTF_CSRF_ENABLED"] = True
    assert save(client, body="No token.").status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/admin/pages/help").text)
    response = client.post("/admin/pages/help", data={"csrf_token": token.group(1), "title": "Help", "body": "With it."})
    assert response.status_code == 302 and db.session.get(SitePage, "help").body == "With it."


def test_unknown_pages_are_not_found(client, login, make_user):
    assert client.get("/terms").status_code == 404
    login(make_user(role="admin"))
    assert client.get("/admin/pages/terms").status_code == 404


def test_admins_reach_the_editor_from_the_page_and_their_dashboard(client, login, make_user):
    assert "Edit this page" not in client.get("/help").text
    login(make_user(role="admin"))
    assert '<a class="button button-secondary" href="/admin/pages/help">Edit this page</a>' in client.get("/help").text
    assert 'href="/admin/pages"' in client.get("/dashboard").text
    listing = client.get("/admin/pages").text
    assert all(f'href="/admin/pages/{slug}"' in listing for slug in site_pages.SLUGS)
    assert listing.count("never: it shows the default text") == 3


def test_paragraphs_headings_and_links_from_plain_text():
    blocks = site_pages.blocks("# Title\nFirst line\nsecond line\n\n   \n\nMail a@b.pk, or https://x.pk/a?b=1).\n\n# Alone")
    assert [(b.text, b.is_heading) for b in blocks] == [
        ("Title", True), ("First line\nsecond line", False), ("Mail a@b.pk, or https://x.pk/a?b=1).", False),
        ("Alone", True)]
    assert blocks[2].segments() == [("Mail ", None), ("a@b.pk", "mailto:a@b.pk"), (", or ", None),
                                    ("https://x.pk/a?b=1", "https://x.pk/a?b=1"), (").", None)]
    assert site_pages.blocks("httpuser@x.pk")[0].segments() == [("httpuser@x.pk", "mailto:httpuser@x.pk")]
