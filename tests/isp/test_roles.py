"""Who may call the ISP endpoints and open the ISP pages."""
import pytest

from app.services.accounts import create_user
from tests.conftest import PASSWORD

API_CALLS = [
    ("get", "/api/v1/isp/confirmations", None),
    ("post", "/api/v1/isp/confirmations/1", {"answer": "confirm"}),
    ("post", "/api/v1/isp/confirmations", [{"application_id": 1, "answer": "confirm"}]),
    ("get", "/api/v1/isp/webhook", None),
    ("put", "/api/v1/isp/webhook", {"url": "https://example.pk/hook"}),
]


@pytest.mark.parametrize("method, url, body", API_CALLS)
@pytest.mark.parametrize("role", ["applicant", "reviewer", "admin"])
def test_only_isp_users_call_the_isp_api(make_user, api, role, method, url, body):
    response = getattr(api(make_user(role=role)), method)(url, json=body)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("method, url, body", API_CALLS)
def test_without_a_token_the_isp_api_is_401(client, method, url, body):
    assert getattr(client, method)(url, json=body).status_code == 401


def test_an_isp_account_outside_any_organisation_is_told_why(db, api):
    loner = create_user("loner@isp.example.pk", PASSWORD, role="isp")
    db.session.commit()
    response = api(loner).get("/api/v1/isp/confirmations")
    assert response.status_code == 403 and "belongs to no ISP organisation" in response.json["error"]["message"]


@pytest.mark.parametrize("role, whitelist, own", [
    ("isp", 200, 200), ("reviewer", 200, 403), ("admin", 200, 403), ("applicant", 403, 403)])
def test_web_pages_by_role(make_user, isp_user, login, role, whitelist, own):
    client = login(isp_user("PTCL") if role == "isp" else make_user(role=role))
    for url in ("/isp/", "/isp/versions", "/isp/signing-key.pem"):
        assert client.get(url).status_code == whitelist, url
    for url in ("/isp/confirmations", "/isp/webhook"):
        assert client.get(url).status_code == own, url
    answering = client.post("/isp/confirmations/1", data={"a1-answer": "confirm"}).status_code
    assert answering == (404 if role == "isp" else 403)  # an ISP gets 404: there is no application 1 of its own
