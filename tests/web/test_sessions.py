"""Sign-out and password changes end every copy of a session (issue 11.7)."""
from http.cookies import SimpleCookie

from tests.conftest import PASSWORD


def _cookies(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app, cookies: dict[str, str], path: str = "/account/tokens"):
    """A fresh browser that only has the copied cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get(path)


def test_a_session_cookie_copied_before_sign_out_stops_working(app, client, make_user, login):
    user = make_user()
    login(user)
    copied = _cookies(client)
    assert _replay(app, copied).status_code == 200
    client.post("/sign-out")
    replayed = _replay(app, copied)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/sign-in")
    assert _replay(app, copied, "/applications").status_code == 302


def test_the_remember_me_cookie_dies_with_sign_out_and_has_safe_flags(app, client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    remember = SimpleCookie(header)["remember_token"].value
    assert _replay(app, {"remember_token": remember}).status_code == 200
    client.post("/sign-out")
    assert _replay(app, {"remember_token": remember}).status_code == 302


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app, client, make_user, login, db):
    user = make_user()
    login(user)
    elsewhere = app.test_client()
    elsewhere.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert elsewhere.get("/account/tokens").status_code == 200
    refused = client.post("/account/password", data={"current": "not it at all", "new": "a brand new phrase",
                                                     "confirm": "a brand new phrase"})
    assert "That is not your current password." in refused.text
    changed = client.post("/account/password", data={"current": PASSWORD, "new": "a brand new phrase",
                                                     "confirm": "a brand new phrase"})
    assert changed.status_code == 302
    assert client.get("/account/tokens").status_code == 200
    assert elsewhere.get("/account/tokens").status_code == 302
    assert client.post("/sign-out").status_code == 302
    assert client.post("/sign-in", data={"email": user.email, "password": "a brand new phrase"}).status_code == 302
