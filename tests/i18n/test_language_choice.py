"""Which language a page is in: ?lang=, the account, the cookie, Accept-Language (contract revision 3)."""
import re

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD

URDU = re.compile(r"[\u0600-\u06FF]")


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group()


def test_english_by_default_and_left_to_right(client):
    assert html_tag(client.get("/")) == '<html lang="en" dir="ltr">'


def test_accept_language_is_the_first_guess(client):
    response = client.get("/", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    assert html_tag(response) == '<html lang="ur" dir="rtl">'
    assert html_tag(client.get("/", headers={"Accept-Language": "de, fr;q=0.5"})) == '<html lang="en" dir="ltr">'


def test_lang_in_the_address_sets_a_cookie_that_later_pages_follow(client):
    response = client.get("/auth/sign-in?lang=ur")
    assert html_tag(response) == '<html lang="ur" dir="rtl">'
    assert "lang=ur" in response.headers["Set-Cookie"]
    # The next page, without ?lang and whatever the browser prefers, stays in Urdu; ?lang=en switches back.
    assert html_tag(client.get("/", headers={"Accept-Language": "en"})) == '<html lang="ur" dir="rtl">'
    assert html_tag(client.get("/?lang=en")) == '<html lang="en" dir="ltr">'
    assert html_tag(client.get("/")) == '<html lang="en" dir="ltr">'


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/?lang=xx%3Cscript%3E")
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_the_switch_links_to_the_same_page_in_the_other_language_keeping_its_arguments(client):
    page = client.get("/auth/sign-in?next=%2Fapplications").get_data(as_text=True)
    assert 'href="/auth/sign-in?next=%2Fapplications&amp;lang=ur"' in page
    assert 'lang="ur"' in page and "اردو" in page
    page = client.get("/auth/sign-in?lang=ur").get_data(as_text=True)
    assert 'href="/auth/sign-in?lang=en"' in page and ">English</a>" in page


def test_a_signed_in_choice_is_kept_on_the_account_and_follows_it_to_another_browser(app, client, make_user, login):
    user = make_user(email="urdu@example.pk")
    login(user)
    client.get("/applications?lang=ur")
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "ur"
    other_browser = app.test_client()  # no cookie, a browser that prefers English
    response = other_browser.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert html_tag(other_browser.get("/applications", headers={"Accept-Language": "en"})) == \
        '<html lang="ur" dir="rtl">'


def test_the_api_follows_accept_language_only(client, make_user, api):
    applicant = api(make_user())
    english = applicant.get("/api/v1/applications/999999")
    urdu = applicant.get("/api/v1/applications/999999", headers={"Accept-Language": "ur"})
    assert english.status_code == urdu.status_code == 404
    assert english.json["error"]["code"] == urdu.json["error"]["code"]
    assert not URDU.search(english.json["error"]["message"])
    assert URDU.search(urdu.json["error"]["message"]), urdu.json
    # ?lang= neither changes an API answer nor is remembered by one.
    assert not URDU.search(applicant.get("/api/v1/applications/999999?lang=ur").json["error"]["message"])


def test_accept_language_is_read_by_each_languages_main_part_in_order_of_preference(client):
    for header, expected in (("ur-PK,en;q=0.5", "ur"), ("en-GB,ur;q=0.5", "en"), ("fr, ur-IN;q=0.8", "ur"),
                             ("*", "en"), ("", "en"), ("ur;q=0", "en"), ("UR", "ur"), (";;;,,,", "en")):
        assert f'lang="{expected}"' in html_tag(client.get("/", headers={"Accept-Language": header})), header


def test_a_visitor_who_chose_urdu_keeps_it_on_the_account_they_then_create(client):
    client.get("/?lang=ur")
    response = client.post("/sign-up", data={"name": "عائشہ", "email": "new.urdu@example.pk",
                                             "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    client.get(response.location)
    assert db.session.scalar(db.select(User.language).where(User.email == "new.urdu@example.pk")) == "ur"


def test_a_cookie_someone_tampered_with_is_ignored(client):
    client.set_cookie("lang", "<script>alert(1)</script>")
    response = client.get("/")
    assert html_tag(response) == '<html lang="en" dir="ltr">' and "<script>alert(1)" not in response.text
