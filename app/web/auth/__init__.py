"""Sign-up (applicants), sign-in and sign-out (routes)."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.auth import routes  # noqa: E402,F401
