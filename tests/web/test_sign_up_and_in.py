"""Applicants sign up, everyone signs in and out; bad input gets a clear error and keeps what was typed."""
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Notification, User
from tests.conftest import PASSWORD


def _sign_up(client, **overrides):
    form = {"name": "Ayesha Khan", "email": "ayesha@example.pk", "password": PASSWORD, "confirm": PASSWORD}
    form.update(overrides)
    return client.post("/sign-up", data=form)


def test_sign_up_signs_the_new_applicant_in_and_opens_the_profile(client, db):
    response = _sign_up(client)
    assert response.headers["Location"] == "/profile"
    user = db.session.scalar(select(User).where(User.email == "ayesha@example.pk"))
    assert user.role == "applicant" and user.name == "Ayesha Khan" and user.last_sign_in_at is not None
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    page = client.get("/profile").text
    assert "Welcome to Raasta, Ayesha Khan: your account is ready." in page and "Save profile" in page
    assert "First, tell us who you are" in client.get("/dashboard", follow_redirects=True).text
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["user.created", "user.signed_in"]
    client.post("/sign-out")
    client.post("/sign-in", data={"email": "ayesha@example.pk", "password": PASSWORD})
    assert "ayesha@example.pk" in client.get("/dashboard", follow_redirects=True).text


def test_production_hashes_with_rfc_9106_parameters_and_verifies_any_profiles_hash(app):
    """The suite hashes with argon2's CHEAPEST profile for speed; the portal itself must not."""
    from app.services.passwords import hash_password, verify_password

    cheap = hash_password(PASSWORD)  # in the test app's context
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    with app.test_request_context():
        app.config.pop("PASSWORD_HASH_PROFILE")  # as the production Config leaves it
        assert hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert verify_password(cheap, PASSWORD) and not verify_password(cheap, PASSWORD + "!")


@pytest.mark.parametrize("overrides, field, message", [
    ({"email": "not-an-email"}, "email", "is not a valid email address"),
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"password": "password123", "confirm": "password123"}, "password", "too easy to guess"),
    ({"confirm": "something else entirely"}, "confirm", "The two passwords differ"),
    ({"name": ""}, "name", "Enter your name"),
])
def test_sign_up_refusals_name_the_field_and_keep_the_input(client, db, overrides, field, message):
    response = _sign_up(client, **overrides)
    assert response.status_code == 200
    page = response.text
    assert message in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert f'aria-describedby="{field}-error' in page or f'aria-describedby="{field}-hint {field}-error"' in page
    assert '"None"' not in page
    typed_email = overrides.get("email", "ayesha@example.pk")
    assert f'value="{typed_email}"' in page
    assert PASSWORD not in page and 'value="short"' not in page  # passwords are never echoed
    assert db.session.scalar(select(User)) is None


def test_sign_up_with_a_taken_email_signs_nobody_in_says_nothing_of_the_account_and_tells_the_owner(
        client, make_user, db):
    """Nobody is ever signed in to an account someone else holds; the words do not say whether the address had
    one (not being signed in does: the owner learns of every try, and sign-up is rate limited)."""
    owner = make_user(email="ayesha@example.pk")
    taken = _sign_up(client, email="Ayesha@Example.pk")
    assert taken.status_code == 302 and taken.headers["Location"] == "/sign-in"
    page = client.get("/sign-in").text
    assert "Sign in below with Ayesha@Example.pk to continue. If that address already had an account" in page
    assert "<h1>Sign in</h1>" in page  # nobody signed in
    assert client.get("/profile").status_code == 302
    assert db.session.scalar(select(User.name).where(User.id == owner.id)) != "Ayesha Khan"  # nothing changed
    notices = db.session.scalars(select(Notification.subject).where(Notification.user_id == owner.id)).all()
    assert notices == ["Someone tried to create an account with your email"]


def test_sign_in_and_out(client, make_user, db):
    user = make_user(role="reviewer")
    response = client.post("/sign-in?next=/account/tokens", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/tokens"
    assert user.email in client.get("/dashboard").text
    client.post("/sign-out")
    assert client.get("/dashboard").headers["Location"].startswith("/sign-in")


def test_sign_in_refuses_a_wrong_password_and_records_it(client, make_user, db):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": "wrong password!"})
    assert "do not match an account" in response.text
    assert f'value="{user.email}"' in response.text
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()))
    assert last.action == "user.sign_in_failed" and last.data["email"] == user.email


def test_a_password_typed_into_the_email_box_is_never_kept(client, db):
    client.post("/sign-in", data={"email": "hunter2-secret", "password": "x"})
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()))
    assert last.action == "user.sign_in_failed" and last.data["email"] == "(not an email address)"


def test_an_unknown_email_costs_as_much_as_a_wrong_password(client, make_user, monkeypatch):
    """Both paths verify an argon2 hash: count the verifications instead of timing them."""
    from app.services import accounts

    calls = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    user = make_user()
    client.post("/sign-in", data={"email": user.email, "password": "wrong password!"})
    client.post("/sign-in", data={"email": "nobody@example.pk", "password": "wrong password!"})
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


OFF_SITE = ["//evil.example/x", "https://evil.example/phish", "/\\evil.example", "javascript:alert(1)",
            "\\\\evil.example", "/\tevil"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_does_not_redirect_off_site(client, make_user, target):
    user = make_user()
    response = client.post("/sign-in", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", OFF_SITE)
def test_saving_the_profile_does_not_redirect_off_site(client, make_user, login, target):
    login(make_user())
    response = client.post("/profile", query_string={"next": target}, data={
        "kind": "firm", "name": "Indus Soft", "ntn": "1234567-8", "city": "Lahore", "isp_name": "PTCL",
        "isp_subscriber_id": "PTCL-1"})
    assert response.headers["Location"] == "/applications"


def test_forms_refuse_a_post_without_csrf_token(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/sign-up", data={"name": "X", "email": "x@example.pk",
                                             "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.text
    page = client.get("/sign-up").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/sign-up", data={"csrf_token": token, "name": "X", "email": "x@example.pk",
                                             "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def test_sign_up_reports_every_problem_at_once(client, db):
    page = _sign_up(client, email="not-an-email", password="short", confirm="other").text
    assert "Please fix these 3 before continuing" in page
    for field, message in (("email", "is not a valid email address"), ("password", "Use at least 10 characters."),
                           ("confirm", "The two passwords differ.")):
        assert f'href="#{field}">' in page and message in page
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("path, expected", [
    ("/applications", "/sign-in?next=/applications"),
    ("/applications?page=2", "/sign-in?next=/applications?page%3D2"),
])
def test_the_sign_in_redirect_keeps_the_page_and_nothing_more(client, path, expected):
    assert client.get(path).headers["Location"] == expected
