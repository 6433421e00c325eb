"""Fixtures of the pages every role sees."""
import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def isp_user(db):
    """isp_user("PTCL") -> a committed isp user of that organisation (created if new)."""
    from app.services.isp_organisations import create_isp_user

    def make(organisation: str = "PTCL"):
        user = create_isp_user(f"noc@{organisation.lower()}.example.pk", PASSWORD, organisation)
        db.session.commit()
        return user

    return make
