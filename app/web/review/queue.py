"""The queue: counts by state, a filter that is a link, keyset pages, and selecting rows into a batch."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.i18n import _, ngettext
from app.services import ServiceError
from app.services.review import batches as batch_service
from app.services.review.queue import (
    QueueFilter,
    matching_counts,
    matching_ids,
    queue_page,
    state_counts,
)
from app.transactions import committed
from app.web.review import bp, staff_only
from app.web.review.forms import BatchForm, QueueFilterForm

PER_PAGE = 50
SELECT_ALL_LIMIT = 10_000  # "select all matching" batches at most this many, oldest first
COUNT_CAP = SELECT_ALL_LIMIT  # past this the page says "more than": an exact count of 300,000 rows costs 100+ ms
MAX_PROBLEMS_SHOWN = 10  # a refused batch names this many applications and why, each in a flash


@bp.get("/")
@staff_only
def queue():
    form = QueueFilterForm(formdata=request.args)
    page = counted = None
    try:
        queue_filter = QueueFilter.from_args(request.args)
        page = queue_page(queue_filter, cursor=request.args.get("cursor") or None, limit=PER_PAGE)
        counted = matching_counts(queue_filter, cap=COUNT_CAP)
    except ServiceError as exc:  # bad filter values or cursor: say so at each field, keep what was typed
        complaints = exc.details if isinstance(exc.details, dict) else {exc.field: exc.message}
        for name, message in complaints.items():
            if not form.show_error(name, message):
                flash(message, "error")
    return render_template("review/queue.html", form=form, page=page, total=counted and counted.total,
                           batchable=counted and counted.batchable, counts=state_counts(),
                           filter_args=form.arguments(), batch_form=BatchForm(),
                           count_cap=COUNT_CAP, select_all_limit=SELECT_ALL_LIMIT), 200 if page else 422


def _back(form: BatchForm) -> str:
    """Where a refused batch returns: the page it came from, if that is a page of this desk."""
    back = form.back.data or ""
    return back if back.startswith("/review/") and not back.startswith("//") else url_for("review.queue")


def _selected_ids(form: BatchForm) -> list[int] | None:
    """The ids to batch: the ticked rows, or every application matching the filter the form carries."""
    if request.form.get("scope") == "filter":
        return matching_ids(QueueFilter.from_args(request.form), limit=SELECT_ALL_LIMIT)
    raw = request.form.getlist("ids")
    if not all(value.isdigit() for value in raw):
        raise ServiceError(_("The selection was garbled; tick the applications again."), field="ids")
    return sorted({int(value) for value in raw})


@bp.post("/batches")
@staff_only
def create_batch():
    form = BatchForm()
    if not form.validate_on_submit():
        flash(_("The form expired; select the applications again."), "error")
        return redirect(_back(form))
    try:
        with committed():
            ids = _selected_ids(form)
            if not ids:
                raise ServiceError(_("Select at least one application to batch (tick its box, or press x on its "
                                     "row)."))
            batch = batch_service.create_batch(ids, maker=current_user, note=(form.note.data or "").strip() or None)
    except ServiceError as exc:
        flash(exc.message, "error")
        for problem in (exc.details if isinstance(exc.details, list) else [])[:MAX_PROBLEMS_SHOWN]:
            flash(problem.get("message", ""), "error")
        return redirect(_back(form))
    flash(ngettext("Batch %(id)s made with %(num)s application. Another reviewer must approve it.",
                   "Batch %(id)s made with %(num)s applications. Another reviewer must approve it.", len(ids),
                   id=batch.id), "success")
    return redirect(url_for("review.batch", batch_id=batch.id))
