"""Subscriptions: a freelancer on mobile data registers the connection, not an address."""
import pytest

FREELANCER = {"kind": "freelancer", "name": "Ayesha Khan", "cnic": "35202-7654321-2", "city": "Multan"}
MOBILE = {"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}


@pytest.fixture
def freelancer(make_user, api):
    """A freelancer with no ISP in the profile (a 4G connection) and an API client."""
    user = make_user(role="applicant")
    client = api(user)
    assert client.put("/api/v1/profile", json=FREELANCER).status_code == 200
    client.user = user
    return client
