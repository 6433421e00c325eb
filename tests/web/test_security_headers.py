"""Every response carries the security headers; personal pages and API answers are never cached (issue 11)."""
import pytest

from app.security_headers import CONTENT_SECURITY_POLICY


def test_a_public_page_has_the_policy_and_no_inline_anything(client):
    response = client.get("/sign-in")
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # only behind HTTPS (SESSION_COOKIE_SECURE=1)
    assert "<script>" not in response.text and ' onclick="' not in response.text


def test_signed_in_pages_and_api_answers_are_not_stored(client, make_user, login, api):
    user = make_user()
    assert login(user).get("/account/tokens").headers["Cache-Control"] == "no-store"
    assert api(user).get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert client.get("/static/css/raasta.css").headers.get("Cache-Control") != "no-store"


@pytest.mark.parametrize("secure, present", [(True, True), (False, False)])
def test_hsts_only_behind_https(app, client, secure, present):
    app.config["SESSION_COOKIE_SECURE"] = secure
    assert ("Strict-Transport-Security" in client.get("/sign-in").headers) is present
