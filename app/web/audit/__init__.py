"""The audit trail for staff (routes): search, CSV and JSON-lines exports, and the timeline partial's helpers."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.audit import routes  # noqa: E402,F401
