"""Proving a mobile number from the application's page: "Send code", then the code typed and "Verify".

A refused code comes back on the page with what was typed still in its box and the reason beside it (a wrong
one says how many tries are left); everything else returns to the number on the page with a message.
"""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.i18n import _
from app.services.pakistani_numbers import mobile_national
from app.services.subscriptions.code_limits import in_words
from app.services.subscriptions.sms_codes import (
    CODE_LIFE,
    request_code,
    subscription_on,
    verify_code,
)
from app.transactions import committed
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.applicant.detail import render_application
from app.web.forms import ActionForm
from app.web.outcomes import commit_or_flash


def _subscription_or_404(application_id: int, subscription_id: int):
    application = application_or_404(application_id)
    subscription = subscription_on(application, subscription_id)
    if subscription is None:
        abort(404)
    return application, subscription


def _at_the_number(application, subscription):
    return redirect(url_for("applicant.application", application_id=application.id,
                            _anchor=f"subscription-{subscription.id}"))


@bp.post("/applications/<int:application_id>/subscriptions/<int:subscription_id>/code")
@applicant_only
def send_code(application_id: int, subscription_id: int):
    application, subscription = _subscription_or_404(application_id, subscription_id)
    if ActionForm().validate_on_submit():
        life = in_words(int(CODE_LIFE.total_seconds()))
        commit_or_flash(lambda: request_code(subscription, current_user),
                        _("A code is on its way to %(number)s by SMS: type it below when it arrives. It works for "
                          "%(life)s.", number=mobile_national(subscription.identifier), life=life))
    return _at_the_number(application, subscription)


@bp.post("/applications/<int:application_id>/subscriptions/<int:subscription_id>/verify")
@applicant_only
def verify(application_id: int, subscription_id: int):
    application, subscription = _subscription_or_404(application_id, subscription_id)
    typed = request.form.get("code", "")
    if not ActionForm().validate_on_submit():
        return _at_the_number(application, subscription)
    with committed():  # a wrong try counts, so it is kept even though the code is refused
        refusal = verify_code(subscription, typed)
    if refusal:
        return render_application(application, status=refusal.status, typed_code={
            "subscription_id": subscription.id, "code": typed, "error": refusal.message})
    flash(_("%(number)s is proven: it is yours to register.", number=mobile_national(subscription.identifier)),
          "success")
    return _at_the_number(application, subscription)
