"""Admin pages: the queues and failed validations (queue_status), ISP organisations (organisations), the help,
contact and privacy pages (site_pages), the holidays the decision clock skips (holidays), the fee schedule and the
payments' reconciliation (fees)."""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = role_required(Role.ADMIN)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.admin import fees, holidays, organisations, queue_status, site_pages  # noqa: E402,F401
