"""The ISP's pages: the latest whitelist and its history, confirmations, webhook settings."""
from flask import Blueprint

from app.auth import role_required
from app.choices import Role

bp = Blueprint("isp", __name__, url_prefix="/isp")
isp_only = role_required(Role.ISP)
