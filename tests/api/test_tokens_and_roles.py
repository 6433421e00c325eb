"""Bearer tokens authenticate the API; one role check guards web views and API handlers alike."""
import hashlib
import re

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import select

from app.auth import role_required
from app.models import ApiToken
from app.services.tokens import issue_token, revoke_token


def test_token_authenticates_and_is_stored_hashed(db, make_user, client):
    user = make_user(role="isp")
    token = issue_token(user, "router script")
    db.session.commit()
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in (row.prefix, row.token_hash)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json == {"id": user.id, "email": user.email, "role": "isp", "name": user.name}
    db.session.refresh(row)
    assert row.last_used_at is not None


@pytest.mark.parametrize("header, says", [
    (None, "Send your API token in an Authorization header"),
    ("Bearer", "The Authorization header must read 'Bearer TOKEN'"),
    ("Basic dXNlcjpwYXNz", "The Authorization header must read 'Bearer TOKEN'"),
    ("Bearer nonsense", "This API token is unknown, revoked or expired"),
])
def test_api_refuses_missing_or_bad_tokens_with_json_saying_what_is_wrong(client, header, says):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized" and response.json["error"]["message"].startswith(says)
    assert re.fullmatch(r'Bearer realm="?raasta"?', response.headers["WWW-Authenticate"])  # RFC 6750


def test_a_wrong_role_and_a_wrong_method_are_named(api, make_user):
    applicant = api(make_user(role="applicant"))
    refused = applicant.get("/api/v1/whitelist")
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == ("This needs the role isp or reviewer or admin; "
                                                "you are signed in as applicant.")
    wrong_method = applicant.delete("/api/v1/me")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]


def test_revoked_token_stops_working(db, make_user, client):
    user = make_user()
    token = issue_token(user)
    db.session.commit()
    revoke_token(db.session.scalar(select(ApiToken)), actor=user)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_api_ignores_the_session_cookie(login, make_user):
    """A browser session never authenticates the API, which is why the API needs no CSRF token."""
    client = login(make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_web_token_page_shows_a_new_token_once_and_revokes(login, make_user, db):
    client = login(make_user())
    page = client.post("/account/tokens", data={"label": "office firewall"}).text
    row = db.session.scalar(select(ApiToken))
    assert "copy it now" in page and row.prefix in page and "office firewall" in page
    label_input = re.search(r'<input[^>]*\bname="label"[^>]*>', page).group(0)
    assert "office firewall" not in label_input  # emptied: a second token is a deliberate act
    assert "copy it now" not in client.get("/account/tokens").text
    client.post(f"/account/tokens/{row.id}/revoke")
    db.session.refresh(row)
    assert row.revoked_at is not None


@pytest.fixture
def guarded(app):
    """Two copies of one staff-only handler: one under the API, one on the web."""
    web = Blueprint("guarded_web", __name__)

    @web.get("/guarded")
    @role_required("reviewer", "admin")
    def web_view():
        return "web ok"

    @role_required("reviewer", "admin")
    def api_view():
        return jsonify(ok=True)

    app.register_blueprint(web)
    app.add_url_rule("/api/v1/guarded", "api.guarded", api_view)
    return app


@pytest.mark.parametrize("role, allowed", [
    ("applicant", False), ("isp", False), ("reviewer", True), ("admin", True),
])
def test_one_role_check_for_web_and_api(guarded, make_user, login, api, role, allowed):
    user = make_user(role=role)
    api_response = api(user).get("/api/v1/guarded")
    web_response = login(user).get("/guarded")
    assert api_response.status_code == (200 if allowed else 403)
    assert web_response.status_code == (200 if allowed else 403)
    if not allowed:
        assert api_response.json["error"]["code"] == "forbidden"
        assert "You do not have access" in web_response.text


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    api_rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("api.")}
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == api_rules
    assert spec["paths"]["/api/v1/me"]["get"]["summary"] == "The account behind the bearer token."
