"""Admin: the official holidays the decision clock skips: list, add, remove (also `flask holidays`)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.i18n import _
from app.services import ServiceError
from app.services import holidays as service
from app.transactions import committed
from app.web.admin import admin_only, bp
from app.web.admin.forms import HolidayForm
from app.web.forms import ActionForm


@bp.route("/holidays", methods=["GET", "POST"])
@admin_only
def holidays():
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            with committed():
                added = service.add_holiday(form.day.data or "", form.name.data, actor=current_user)
        except ServiceError as exc:  # the service names the input; shown beside its field
            form[exc.field if exc.field in ("day", "name") else "day"].errors.append(exc.message)
        else:
            flash(_("%(day)s (%(name)s) added: the decision clock skips it.", day=added.day.isoformat(),
                    name=added.name), "success")
            return redirect(url_for("admin.holidays"))
    return render_template("admin/holidays.html", holidays=service.all_holidays(), form=form,
                           remove_form=ActionForm()), 422 if form.errors else 200


@bp.post("/holidays/<day>/remove")
@admin_only
def remove_holiday(day: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with committed():
            removed = service.remove_holiday(day, actor=current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(day)s (%(name)s) removed from the holidays.", day=removed.day.isoformat(), name=removed.name),
              "success")
    return redirect(url_for("admin.holidays"))
