"""The landing page and each role's starting point."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.choices import Role

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    if current_user.role == Role.APPLICANT:
        return redirect(url_for("applicant.applications"))
    return render_template("main/dashboard.html")
