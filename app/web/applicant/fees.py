"""The applicant's fee: the receipt once paid, and a new payment reference for one that expired unpaid."""
from flask import abort, redirect, url_for
from flask_login import current_user

from app.auth import role_required
from app.choices import PaymentState, Role
from app.downloads import send_receipt
from app.i18n import _
from app.services.fees.charges import current_payment, renew
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.forms import ActionForm
from app.web.outcomes import commit_or_flash


@bp.get("/applications/<int:application_id>/receipt.pdf")
@role_required(Role.APPLICANT, *Role.STAFF)
def receipt(application_id: int):
    application = application_or_404(application_id)
    payment = current_payment(application.id)
    if payment is None or payment.state != PaymentState.PAID:
        abort(404)
    return send_receipt(payment)


@bp.post("/applications/<int:application_id>/fee/renew")
@applicant_only
def renew_fee_reference(application_id: int):
    application = application_or_404(application_id)
    if ActionForm().validate_on_submit():
        commit_or_flash(lambda: renew(application, actor=current_user), lambda payment: _(
            "Your new payment reference is %(reference)s; we sent it to you by email too.",
            reference=payment.reference))
    return redirect(url_for("applicant.application", application_id=application.id, _anchor="fee"))
