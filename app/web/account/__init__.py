"""The signed-in user's own account (routes): API tokens and password."""
from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.account import routes  # noqa: E402,F401
