"""Batches: the pending ones, a batch's page, and maker-checker approval that publishes a whitelist version.

A refused approval comes back on the batch's page with each problem and what to do next: take the named
applications out of the batch (each with its problem as the reason) and approve the rest, or cancel it.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.choices import BatchState, WhitelistFormat
from app.extensions import db
from app.i18n import _, ngettext
from app.models import Batch
from app.services import Conflict, ServiceError
from app.services.review import batches as service
from app.services.review.stats import batch_members, batch_sizes
from app.services.subscriptions.inputs import shown_identifier
from app.transactions import committed
from app.web.forms import ActionForm
from app.web.outcomes import FAILED, commit_or_flash
from app.web.review import bp, staff_only
from app.web.review.presenters import risk_views

MAX_SHOWN = 500  # applications listed on a batch's page; the count says how many more
RECENT = 20  # published batches listed


def _batch_or_404(batch_id: int) -> Batch:
    batch = db.session.get(Batch, batch_id)
    if batch is None:
        abort(404)
    return batch


def problems_of(details) -> list[dict]:
    """The refusal's problems, each {"application_id"?, "message"}; the service names each application."""
    if not isinstance(details, list):
        return []
    return [item if isinstance(item, dict) else {"message": str(item)} for item in details]


@bp.get("/batches")
@staff_only
def batches():
    pending, published = service.pending_batches(), service.batches(BatchState.PUBLISHED, limit=RECENT)
    return render_template("review/batches.html", pending=pending, published=published,
                           sizes=batch_sizes([*pending, *published]))


def _named(problems: list[dict]) -> dict[int, str]:
    """application id -> its problems in one text, for those a refusal names: the reasons their removal gives."""
    named: dict[int, list[str]] = {}
    for problem in problems:
        if problem.get("application_id"):
            named.setdefault(problem["application_id"], []).append(problem.get("message", ""))
    return {application_id: " ".join(messages) for application_id, messages in named.items()}


def _page(batch: Batch, status: int = 200, problems=None):
    problems = problems or []
    return render_template("review/batch.html", batch=batch, action_form=ActionForm(), problems=problems,
                           named=_named(problems), members=batch_members(batch, MAX_SHOWN),
                           size=batch_sizes([batch]).get(batch.id, 0), is_maker=batch.made_by_id == current_user.id,
                           formats=WhitelistFormat.ALL, pending=batch.state == BatchState.PENDING_APPROVAL,
                           shown_identifier=shown_identifier, risks=risk_views(batch)), status


@bp.get("/batches/<int:batch_id>")
@staff_only
def batch(batch_id: int):
    return _page(_batch_or_404(batch_id))


@bp.post("/batches/<int:batch_id>/approve")
@staff_only
def approve(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; press Approve again."), "error")
        return redirect(url_for("review.batch", batch_id=batch_id))
    try:
        with committed():
            service.approve_batch(batch, approver=current_user)
    except ServiceError as exc:
        # A refusal is shown on the page with its status: 403 for the maker, 409 naming each application.
        flash(exc.message, "error")
        problems = problems_of(exc.details) if isinstance(exc, Conflict) else []
        return _page(_batch_or_404(batch_id), exc.status, problems)
    flash(_("Batch %(id)s approved and published as whitelist version %(serial)s.", id=batch_id,
            serial=batch.whitelist_serial), "success")
    return redirect(url_for("review.batch", batch_id=batch_id))


@bp.post("/batches/<int:batch_id>/remove")
@staff_only
def remove(batch_id: int):
    """Take the posted applications (`ids`) out of the batch, each with its optional `reason-<id>`; back to the
    batch's page, or to the application's page (`back`) when the button was there."""
    batch = _batch_or_404(batch_id)
    back = request.form.get("back") or ""
    back = back if back.startswith("/review/") and not back.startswith("//") else url_for("review.batch",
                                                                                            batch_id=batch_id)
    raw = request.form.getlist("ids")
    if not ActionForm().validate_on_submit() or not raw or not all(value.isdigit() for value in raw):
        flash(_("The form expired or named no application; press Remove again."), "error")
        return redirect(back)
    ids = sorted({int(value) for value in raw})
    reasons = {i: request.form.get(f"reason-{i}") for i in ids}
    named = ", ".join(f"#{i}" for i in ids)
    commit_or_flash(lambda: service.remove_from_batch(batch, ids, actor=current_user, reasons=reasons),
                    ngettext("Application %(named)s taken out of batch %(batch)s: it is back in the queue, to be "
                             "decided alone or batched again.",
                             "Applications %(named)s taken out of batch %(batch)s: they are back in the queue, to be "
                             "decided alone or batched again.", len(ids), named=named, batch=batch_id))
    return redirect(back)


@bp.post("/batches/<int:batch_id>/cancel")
@staff_only
def cancel(batch_id: int):
    batch = _batch_or_404(batch_id)
    if ActionForm().validate_on_submit():
        if commit_or_flash(lambda: service.cancel_batch(batch, actor=current_user),
                           _("Batch %(id)s cancelled; its applications are back in the queue.", id=batch_id)
                           ) is not FAILED:
            return redirect(url_for("review.batches"))
    return redirect(url_for("review.batch", batch_id=batch_id))
