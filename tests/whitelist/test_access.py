"""Who may read the whitelist, and the 404s that say what exists."""
import pytest

from app.models import WhitelistFile

PATHS = ("/api/v1/whitelist", "/api/v1/whitelist/latest.txt", "/api/v1/whitelist/1.txt.sig",
         "/api/v1/whitelist/diff?from=1&to=latest", "/api/v1/signing-key")


@pytest.mark.parametrize("role, status", [("isp", 200), ("reviewer", 200), ("admin", 200), ("applicant", 403)])
def test_isps_reviewers_and_admins_read_and_applicants_may_not(api, make_user, two_versions, role, status):
    reader = api(make_user(role=role))
    for path in PATHS:
        response = reader.get(path)
        assert response.status_code == status, path
        if status == 403:
            assert response.json["error"]["code"] == "forbidden"


def test_anonymous_is_401(client, two_versions):
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized", path


@pytest.mark.parametrize("name, message", [
    ("1.pdf", "No whitelist format 'pdf'; the formats are txt, csv, json, ipset, nft, cisco, mikrotik."),
    ("latest.pdf.sig", "No whitelist format 'pdf'; the formats are txt, csv, json, ipset, nft, cisco, mikrotik."),
    ("7.txt", "No whitelist version 7; the latest is 2."),
    ("7.txt.sig", "No whitelist version 7; the latest is 2."),
    ("newest.txt", "No whitelist file 'newest.txt': expected {serial|latest}.{format} or "
                   "{serial|latest}.{format}.sig, e.g. 12.txt or latest.ipset.sig; "
                   "the formats are txt, csv, json, ipset, nft, cisco, mikrotik."),
    ("1.txt.sig.sig", "No whitelist file '1.txt.sig.sig': expected"),
    ("1", "No whitelist file '1': expected"),
    ("1234567890.txt", "No whitelist file '1234567890.txt': expected"),  # serials have at most 9 digits
    ("0.txt", "No whitelist version 0; the latest is 2."),
])
def test_unknown_names_are_404_saying_what_exists(isp, two_versions, name, message):
    response = isp.get(f"/api/v1/whitelist/{name}")
    assert response.status_code == 404
    assert response.json["error"]["message"].startswith(message)


def test_a_format_missing_from_a_version_is_named(db, isp, two_versions):
    db.session.delete(db.session.get(WhitelistFile, (1, "txt")))
    db.session.commit()
    response = isp.get("/api/v1/whitelist/1.txt")
    assert response.status_code == 404
    assert response.json["error"]["message"].startswith("Whitelist version 1 has no format 'txt'")


def test_routes_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths["/api/v1/whitelist/{name}"]["get"]["summary"].startswith("One format of one version")
    assert "diff" in paths["/api/v1/whitelist/diff"]["get"]["summary"] or \
        "added and removed" in paths["/api/v1/whitelist/diff"]["get"]["summary"]
    assert "/api/v1/signing-key" in paths and "/api/v1/whitelist" in paths
