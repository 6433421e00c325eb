"""HTTP API v1: JSON in and out, bearer tokens, errors as {"error": {code, message, details}}."""
from flask import Blueprint

from app.auth import authenticate_api_request
from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated only: a browser's cookies never authenticate an API call
bp.before_request(authenticate_api_request)

# The modules' routes register on bp.
from app.api import (  # noqa: E402,F401
    applications,
    audit,
    isp,
    meta,
    payments,
    review,
    sponsors,
    subscribers,
    subscriptions,
    whitelist,
)
