"""The validation checks, in the order they run. Each takes a CheckContext and yields Drafts."""
from app.services.checks.base import CheckContext, Draft
from app.services.checks.documents import check_documents
from app.services.checks.endpoints import check_endpoints
from app.services.checks.entries import check_address_space, check_duplicates, check_register
from app.services.checks.identity import check_identity

CHECKS = (
    check_address_space,   # special-purpose, too broad, country, ASN (the address engine)
    check_duplicates,      # entries of this application overlapping each other
    check_register,        # approved and pending space of everyone else
    check_endpoints,
    check_documents,
    check_identity,
)

__all__ = ["CHECKS", "CheckContext", "Draft"]
