"""The validation checks, in the order they run. Each takes a CheckContext and yields Drafts."""
from app.services.validation.checks.announcement import check_announcing_isp
from app.services.validation.checks.base import CheckContext, Draft
from app.services.validation.checks.documents import check_required_documents, check_reused_documents
from app.services.validation.checks.endpoints import check_endpoints
from app.services.validation.checks.entries import check_address_space, check_duplicates, check_register
from app.services.validation.checks.identity import check_identity
from app.services.validation.checks.isp import check_isp
from app.services.validation.checks.subscriptions import check_subscriptions

CHECKS = (
    check_address_space,   # special-purpose, too broad, country, ASN (the address engine)
    check_duplicates,      # entries of this application overlapping each other
    check_announcing_isp,  # announced by another ISP than the profile's (a warning)
    check_register,        # approved and pending space of everyone else
    check_subscriptions,   # approved and pending subscriptions of everyone else; holders with very many
    check_endpoints,
    check_required_documents,
    check_reused_documents,
    check_identity,
    check_isp,             # the ISP's confirmation of the subscriber id
)

# The checks that need neither the queue nor the register, run (without country and ASN) each time an
# applicant saves a draft or changes its documents: they see these problems, in the queue's own words,
# before submitting. Syntax is refused earlier, at parsing. The queue still runs every check above.
PRECHECKS = (
    check_address_space,   # special-purpose space and breadth (geo off)
    check_duplicates,
    check_endpoints,
    check_required_documents,
)

__all__ = ["CHECKS", "PRECHECKS", "CheckContext", "Draft"]
