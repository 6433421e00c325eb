"""The landing page and each role's starting point."""
from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.choices import Role
from app.services.review.queue import state_counts
from app.web.main import bp


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
    if current_user.role == Role.ISP:
        return redirect(url_for("isp.index"))
    if current_user.role == Role.SPONSOR:
        return redirect(url_for("sponsor.index"))
    # Reviewers start from the queue: its counts by state, each a link into it.
    queue_counts = state_counts() if current_user.has_role(*Role.STAFF) else None
    return render_template("main/dashboard.html", queue_counts=queue_counts)
