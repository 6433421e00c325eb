"""GET /api/v1/isp/subscribers/...: an operator's own feed by version, ETag/304, signatures, diffs, access."""
import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.services.publication.signing import public_key_pem


@pytest.fixture
def two_versions(approved_subscriber, publish):
    approved_subscriber([("Jazz", "+923001234567"), ("Jazz", "+923007654321")])
    first = publish("first")
    approved_subscriber([("Jazz", "+923331112222"), ("Zong", "+923151112222")], name="Bilal Ahmed")
    return first, publish("second")


def test_an_operator_downloads_its_feed_with_etag_and_304(db, two_versions, operator_api):
    first, second = two_versions
    jazz = operator_api("Jazz")
    response = jazz.get("/api/v1/isp/subscribers/latest.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["X-Whitelist-Serial"] == str(second.serial)
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert [line.split(",")[0] for line in response.data.decode().splitlines()[1:]] == [
        "+923001234567", "+923007654321", "+923331112222"]
    again = jazz.get("/api/v1/isp/subscribers/latest.csv", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["X-Whitelist-Serial"] == str(second.serial)
    old = jazz.get(f"/api/v1/isp/subscribers/{first.serial}.json")
    assert old.status_code == 200 and "immutable" in old.headers["Cache-Control"]
    assert [s["identifier"] for s in old.json["subscribers"]] == ["+923001234567", "+923007654321"]
    radius = jazz.get(f"/api/v1/isp/subscribers/{second.serial}.radius")
    assert radius.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert radius.data.decode().count("Calling-Station-Id ==") == 3
    signature = jazz.get(f"/api/v1/isp/subscribers/{second.serial}.radius.sig")
    assert signature.status_code == 200 and len(signature.data) == 64
    load_pem_public_key(public_key_pem()).verify(signature.data, radius.data)


def test_the_diff_lists_identifiers_added_and_removed(db, two_versions, operator_api):
    first, second = two_versions
    jazz = operator_api("Jazz")
    response = jazz.get(f"/api/v1/isp/subscribers/diff?from={first.serial}&to=latest")
    assert response.status_code == 200
    assert response.json == {"from": first.serial, "to": second.serial, "added": ["+923331112222"], "removed": []}
    back = jazz.get(f"/api/v1/isp/subscribers/diff?from={second.serial}&to={first.serial}")
    assert back.json["removed"] == ["+923331112222"] and back.json["added"] == []
    # Zong had no feed in the first version: it counts as empty.
    zong = operator_api("Zong").get(f"/api/v1/isp/subscribers/diff?from={first.serial}&to={second.serial}")
    assert zong.json == {"from": first.serial, "to": second.serial, "added": ["+923151112222"], "removed": []}


@pytest.mark.parametrize("path, status, message", [
    ("/api/v1/isp/subscribers/latest.txt", 404, "the formats are csv, json, radius"),
    ("/api/v1/isp/subscribers/latest", 404, "expected {serial|latest}.{format}"),
    ("/api/v1/isp/subscribers/99.csv", 404, "No whitelist version 99 (asked for); the latest is 2"),
    ("/api/v1/isp/subscribers/diff?to=latest", 400, "bad or missing: from"),
    ("/api/v1/isp/subscribers/diff?from=x&to=1", 400, "bad or missing: from"),
    ("/api/v1/isp/subscribers/diff?from=1&to=77", 404, "No whitelist version 77 (to)"),
])
def test_bad_requests_name_what_is_wrong(db, two_versions, operator_api, path, status, message):
    response = operator_api("Jazz").get(path)
    assert response.status_code == status and message in response.json["error"]["message"]


def test_an_operator_without_subscribers_is_told_so(db, two_versions, operator_api):
    response = operator_api("Telenor").get("/api/v1/isp/subscribers/latest.csv")
    assert response.status_code == 404
    assert "Telenor has no subscriber feed" in response.json["error"]["message"]


def test_staff_name_the_organisation_and_applicants_are_refused(db, two_versions, api, make_user):
    reviewer = api(make_user(role="reviewer"))
    missing = reviewer.get("/api/v1/isp/subscribers/latest.csv")
    assert missing.status_code == 422 and "?organisation=NAME" in missing.json["error"]["message"]
    unknown = reviewer.get("/api/v1/isp/subscribers/latest.csv?organisation=Warid")
    assert unknown.status_code == 404 and "'Warid'" in unknown.json["error"]["message"]
    zong = reviewer.get("/api/v1/isp/subscribers/latest.json?organisation=zong")
    assert zong.status_code == 200 and [s["identifier"] for s in zong.json["subscribers"]] == ["+923151112222"]
    admin = api(make_user(role="admin")).get("/api/v1/isp/subscribers/diff?from=1&to=2&organisation=Jazz")
    assert admin.status_code == 200 and admin.json["added"] == ["+923331112222"]
    for path in ("/api/v1/isp/subscribers/latest.csv?organisation=Jazz",
                 "/api/v1/isp/subscribers/diff?from=1&to=2&organisation=Jazz"):
        assert api(make_user()).get(path).status_code == 403


def test_whitelist_metadata_counts_subscriptions_only(db, two_versions, operator_api):
    response = operator_api("Jazz").get("/api/v1/whitelist")
    assert response.json["subscriptions"] == 4
    assert "+92" not in response.data.decode()
