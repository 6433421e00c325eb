"""Admin: the fee schedule (add a row; also `flask fees set`), and the reconciliation of payment references by
state, with its CSV and the fallback of marking a reference paid with the bank's own reference."""
from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select

from app.choices import PaymentChannel, PaymentState
from app.extensions import db
from app.i18n import _
from app.models import Payment
from app.models.types import utcnow
from app.services import ServiceError
from app.services.fees import reconciliation
from app.services.fees.charges import state_now
from app.services.fees.schedule import ScheduleInput, add_schedule, all_schedules, today
from app.services.fees.settlement import settle
from app.transactions import committed
from app.web.admin import admin_only, bp
from app.web.admin.forms import FeeScheduleForm, MarkPaidForm

SCHEDULE_FIELDS = ("category", "amount", "threshold", "effective_from")


@bp.route("/fees", methods=["GET", "POST"])
@admin_only
def fees():
    form = FeeScheduleForm()
    if form.validate_on_submit():
        try:
            with committed():
                row = add_schedule(ScheduleInput(form.category.data, form.amount.data, form.effective_from.data,
                                                 form.threshold.data), actor=current_user)
        except ServiceError as exc:  # the service names the input; shown beside its field
            form[exc.field if exc.field in SCHEDULE_FIELDS else "amount"].errors.append(exc.message)
        else:
            flash(_("From %(day)s the fee is PKR %(amount)s at %(threshold)s or more addresses.",
                    day=row.effective_from.isoformat(), amount=f"{row.amount:,}", threshold=row.threshold), "success")
            return redirect(url_for("admin.fees"))
    if not form.effective_from.data:
        form.effective_from.data = today().isoformat()
    return render_template("admin/fees.html", schedules=all_schedules(), form=form,
                           today=today()), 422 if form.errors else 200


def _state_filter() -> str | None:
    state = request.args.get("state") or None
    if state is not None and state not in PaymentState.ALL:
        abort(400, _("%(value)s is not a payment state; use one of %(choices)s.", value=repr(state)[:40],
                     choices=", ".join(PaymentState.ALL)))
    return state


@bp.get("/payments")
@admin_only
def payments():
    state = _state_filter()
    return render_template("admin/payments.html", payments=reconciliation.payments(state), state=state,
                           states=PaymentState.ALL, state_now=state_now, now=utcnow(), form=MarkPaidForm(),
                           page=reconciliation.PAGE)


@bp.get("/payments.csv")
@admin_only
def payments_csv():
    state = _state_filter()
    name = f"raasta-payments-{state or 'all'}-{today().isoformat()}.csv"
    return Response(stream_with_context(reconciliation.csv_lines(state)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}",
                             "Cache-Control": "private, no-store"})


@bp.post("/payments/<reference>/mark-paid")
@admin_only
def mark_paid(reference: str):
    form = MarkPaidForm()
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
    if payment is None:
        abort(404)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(_("%(reference)s: %(error)s", reference=reference, error=error), "error")
        return redirect(url_for("admin.payments", state=PaymentState.PENDING))
    try:
        with committed():
            settle(reference, payment.amount, PaymentChannel.ADMIN, bank_reference=form.bank_reference.data.strip(),
                   actor=current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(reference)s marked paid (bank reference %(bank)s); the applicant gets the receipt.",
                reference=reference, bank=form.bank_reference.data.strip()), "success")
    return redirect(url_for("admin.payments", state=PaymentState.PENDING))
