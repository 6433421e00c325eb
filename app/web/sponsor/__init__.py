"""The sponsor's pages (routes): its details, member files and their problems, its members' progress; the member's
invitation page (invitation); the reviewers' list of sponsors to approve or suspend (review)."""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("sponsor", __name__)
sponsor_only = role_required(Role.SPONSOR)
staff_only = role_required(*Role.STAFF)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.sponsor import invitation, review, routes  # noqa: E402,F401
