"""The applicant's pages: profile, applications and drafts (routes), one application's page with its
documents (detail), the state changes with their confirmation pages (actions), and proving a mobile number
by SMS code (sms_proof)."""
from flask import Blueprint, abort
from flask_login import current_user

from app.auth import role_required
from app.choices import Role
from app.services.applications import visible_application

bp = Blueprint("applicant", __name__)
applicant_only = role_required(Role.APPLICANT)


def application_or_404(application_id: int):
    """The signed-in applicant's own application, else 404 (another's is not told apart from none)."""
    application = visible_application(application_id, current_user)
    if application is None:
        abort(404)
    return application


# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.applicant import actions, detail, fees, routes, sms_proof  # noqa: E402,F401
