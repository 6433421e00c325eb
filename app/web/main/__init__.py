"""The landing page and each role's starting point (routes); the help, contact and privacy pages (site_pages)."""
from flask import Blueprint

bp = Blueprint("main", __name__)

# Importing the page modules registers their views on `bp`; they import `bp` from here.
from app.web.main import routes, site_pages  # noqa: E402,F401
