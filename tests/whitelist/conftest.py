"""Whitelist distribution fixtures: published versions and an ISP's API client."""
import pytest

from app.services.publication.publish import publish as publish_version


@pytest.fixture
def publish(db):
    """publish(reason="test") -> the committed new WhitelistVersion (None when nothing changed)."""

    def run(reason: str = "test"):
        version = publish_version(reason)
        db.session.commit()
        return version

    return run


@pytest.fixture
def isp(api, make_user):
    """An API client signed in with an ISP account's bearer token."""
    return api(make_user(role="isp"))


@pytest.fixture
def two_versions(approved_application, publish):
    """Version 1, then version 2 after one more approval (the /24s join into a /23) and one IPv6."""
    approved_application(["39.32.0.0/24", "39.32.2.0/24", "2400:adc0::/48"])
    first = publish("first")
    approved_application(["39.32.1.0/24", "111.68.96.0/24", "2400:adc0:100::/48"])
    return first, publish("second")
