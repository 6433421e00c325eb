"""The reviewers' desk: the queue, an application's review, decisions, batches, the dashboard."""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("review", __name__, url_prefix="/review")
staff_only = role_required(*Role.STAFF)
