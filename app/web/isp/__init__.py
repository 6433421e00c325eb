"""The ISP's pages (routes): the latest whitelist and its history, confirmations, webhook settings; an operator's
subscriber feed (subscribers)."""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("isp", __name__, url_prefix="/isp")
isp_only = role_required(Role.ISP)
readers = role_required(*Role.WHITELIST_READERS)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.isp import routes, subscribers  # noqa: E402,F401
