"""GET /api/v1/whitelist/diff: what changed between two versions, in aggregated CIDRs."""
import pytest

from app.choices import State
from app.services.publication import dirty


def _lines(isp, serial):
    return isp.get(f"/api/v1/whitelist/{serial}.txt").text.splitlines()


def test_diff_follows_aggregation_and_ipv6_and_rebuilds_the_newer_list(isp, two_versions):
    diff = isp.get("/api/v1/whitelist/diff?from=1&to=2").json
    # 39.32.1.0/24 joins 39.32.0.0/24 into a /23: the /24 leaves, the /23 arrives.
    assert diff == {"from": 1, "to": 2,
                    "added": ["39.32.0.0/23", "111.68.96.0/24", "2400:adc0:100::/48"],
                    "removed": ["39.32.0.0/24"]}
    rebuilt = (set(_lines(isp, 1)) - set(diff["removed"])) | set(diff["added"])
    assert rebuilt == set(_lines(isp, 2))


def test_diff_backwards_to_latest_and_to_itself(isp, two_versions):
    backwards = isp.get("/api/v1/whitelist/diff?from=2&to=1").json
    assert backwards["added"] == ["39.32.0.0/24"]
    assert backwards["removed"] == ["39.32.0.0/23", "111.68.96.0/24", "2400:adc0:100::/48"]
    assert isp.get("/api/v1/whitelist/diff?from=1&to=latest").json["to"] == 2
    assert isp.get("/api/v1/whitelist/diff?from=2&to=latest").json == {"from": 2, "to": 2, "added": [], "removed": []}


def test_diff_of_a_revocation_lists_removed_space_sorted(db, isp, approved_application, publish):
    kept = approved_application(["2400:adc0::/48", "39.32.9.0/24"])
    revoked = approved_application(["2400:adc0:10::/48", "39.32.10.0/24", "2400:adc0:9::/48", "9.9.9.0/24"])
    publish()
    revoked.state = State.REVOKED
    dirty.mark_applications([revoked.id])  # as revoke() does, through approved_space.remove
    db.session.commit()
    publish()
    diff = isp.get("/api/v1/whitelist/diff?from=1&to=2").json
    # IPv4 before IPv6, numerically (as text "39." would come before "9." and ":10:" before ":9:").
    assert diff["removed"] == ["9.9.9.0/24", "39.32.10.0/24", "2400:adc0:9::/48", "2400:adc0:10::/48"]
    assert diff["added"] == []
    assert _lines(isp, 2) == ["39.32.9.0/24", "2400:adc0::/48"] and kept.state == State.APPROVED


@pytest.mark.parametrize("query, named", [
    ("", ["from", "to"]),
    ("?from=1", ["to"]),
    ("?from=one&to=2", ["from"]),
    ("?from=1&to=-2", ["to"]),
    ("?from=latest&to=1.5", ["to"]),
    ("?from=²&to=1", ["from"]),          # a digit to str.isdigit(), not to int()
    ("?from=1&to=12345678901234567890", ["to"]),
])
def test_bad_or_missing_arguments_are_400_naming_them(isp, two_versions, query, named):
    response = isp.get(f"/api/v1/whitelist/diff{query}")
    assert response.status_code == 400
    assert sorted(response.json["error"]["details"]) == named
    assert "?from=N&to=M" in response.json["error"]["message"]


def test_unknown_serial_is_404_naming_it(isp, two_versions):
    response = isp.get("/api/v1/whitelist/diff?from=1&to=9")
    assert response.status_code == 404
    assert response.json["error"]["message"] == "No whitelist version 9 (to); the latest is 2."
