"""The reviewers' desk: the queue, an application's review, decisions, batches, the dashboard.

The blueprint lives here; its views are split by page into the modules imported at the bottom.
"""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("review", __name__, url_prefix="/review")
staff_only = role_required(*Role.STAFF)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.review import application, batches, clean_lane, dashboard, presenters, queue  # noqa: E402,F401

bp.add_app_template_filter(presenters.days_text, "days")
bp.add_app_template_filter(presenters.address_count_text, "address_count")
bp.add_app_template_filter(presenters.hours_text, "hours")
bp.add_app_template_filter(presenters.batch_note_text, "batch_note")
