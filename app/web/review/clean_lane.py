"""The clean lane's page: ready-made batches of clean applications, each batched with one click (POST, CSRF).

The click carries the offered ids; the service batches those still clean and names the ones left out, so what
changed between the page and the click is said, never batched silently.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.i18n import _, ngettext
from app.services import ServiceError
from app.services.review import clean_lane as service
from app.transactions import committed
from app.web.forms import ActionForm
from app.web.review import bp, staff_only
from app.web.review.presenters import offer_text

MAX_LEFT_OUT_SHOWN = 10  # each application left out is named in a flash of its own, up to this many


@bp.get("/clean-lane")
@staff_only
def clean_lane():
    lane = service.lane()
    return render_template("review/clean_lane.html", lane=lane, action_form=ActionForm(),
                           offers=[(offer, offer_text(offer)) for offer in lane.offers])


def _offered_ids() -> list[int]:
    raw = (request.form.get("ids") or "").split(",")
    if not all(value.strip().isdigit() for value in raw):
        raise ServiceError(_("The offer was garbled; open the clean lane again and press its button."), field="ids")
    return [int(value) for value in raw]


@bp.post("/clean-lane")
@staff_only
def batch_clean_offer():
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; open the clean lane again and press the offer's button."), "error")
        return redirect(url_for("review.clean_lane"))
    try:
        with committed():
            made = service.batch_offer(_offered_ids(), maker=current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        for problem in (exc.details if isinstance(exc.details, list) else [])[:MAX_LEFT_OUT_SHOWN]:
            flash(problem.get("message", ""), "error")
        return redirect(url_for("review.clean_lane"))
    batched = len(made.application_ids)
    flash(ngettext("Batch %(id)s made with %(num)s clean application. Another reviewer must approve it.",
                   "Batch %(id)s made with %(num)s clean applications. Another reviewer must approve it.", batched,
                   id=made.batch.id), "success")
    if made.left_out:
        flash(ngettext("%(num)s offered application was left out: it is no longer clean.",
                       "%(num)s offered applications were left out: they are no longer clean.", len(made.left_out)),
              "warning")
        for problem in made.left_out[:MAX_LEFT_OUT_SHOWN]:
            flash(problem["message"], "warning")
    return redirect(url_for("review.batch", batch_id=made.batch.id))
