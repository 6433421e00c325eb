"""Applicants sign up, everyone signs in and out; bad input gets a clear error and keeps what was typed."""
import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, User
from tests.conftest import PASSWORD


def _sign_up(client, **overrides):
    form = {"name": "Ayesha Khan", "email": "ayesha@example.pk", "password": PASSWORD, "confirm": PASSWORD}
    form.update(overrides)
    return client.post("/sign-up", data=form)


def test_sign_up_creates_an_applicant_and_signs_in(client, db):
    response = _sign_up(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ayesha@example.pk"))
    assert user.role == "applicant" and user.name == "Ayesha Khan"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    page = client.get("/dashboard", follow_redirects=True).text
    assert "First, tell us who you are" in page and "ayesha@example.pk" in page
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["user.created"]


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


def test_sign_up_with_a_taken_email_says_so(client, make_user):
    make_user(email="ayesha@example.pk")
    response = _sign_up(client, email="Ayesha@Example.pk")
    assert "An account with ayesha@example.pk already exists" in response.text
    assert 'value="Ayesha Khan"' in response.text


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


def test_sign_in_does_not_redirect_off_site(client, make_user):
    user = make_user()
    response = client.post("/sign-in?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


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
