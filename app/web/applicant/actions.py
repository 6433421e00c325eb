"""State changes the applicant asks for: submit; withdraw, delete and renew, each after a confirmation page."""
from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from app.choices import State
from app.i18n import _
from app.services import ServiceError
from app.services import applications as service
from app.transactions import committed
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.applicant.detail import render_application
from app.web.forms import ActionForm
from app.web.outcomes import FAILED, commit_or_flash


def _page(application):
    return redirect(url_for("applicant.application", application_id=application.id))


@bp.post("/applications/<int:application_id>/submit")
@applicant_only
def submit(application_id: int):
    application = application_or_404(application_id)
    if not ActionForm().validate_on_submit():
        return _page(application)
    reply = request.form.get("reply")  # an answer to the reviewer, when one asked for more information
    try:
        with committed():
            service.submit(application, reply)
    except ServiceError as exc:
        message = escape(exc.message)
        if exc.field == "documents":  # say where to fix it: the upload form, already set to the first missing kind
            message += Markup(' <a href="#documents">%s</a>.') % _("Upload it below")
        flash(message, "error")
        if reply and reply.strip():  # the page again, not a redirect: what was typed stays in the box
            return render_application(application, reply=reply, status=exc.status)
        return _page(application)
    flash(_("Submitted. The automatic checks usually take under a minute."), "success")
    return _page(application)


def _confirmed(application_id: int, allowed, do, question: str, button: str, done: str, after,
               danger: bool = True):
    """GET: a page asking to confirm (works without JavaScript), when `allowed(application)`; POST: do it
    (the service has the last word), then go to `after(application, what do returned)`."""
    application = application_or_404(application_id)
    form = ActionForm()
    if not form.is_submitted():
        if not allowed(application):
            return _page(application)
        return render_template("applicant/confirm.html", application=application, question=question,
                               button=button, form=form, danger=danger)
    if form.validate_on_submit() and (result := commit_or_flash(lambda: do(application), done)) is not FAILED:
        return redirect(after(application, result))
    return _page(application)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@applicant_only
def withdraw(application_id: int):
    return _confirmed(application_id, lambda application: application.state in State.OPEN, service.withdraw,
                      _("Reviewers stop working on it, and it cannot be submitted again; you can start a new "
                        "application at any time."),
                      _("Withdraw the application"), _("Application withdrawn."),
                      lambda application, _result: url_for("applicant.application", application_id=application.id))


@bp.route("/applications/<int:application_id>/delete", methods=["GET", "POST"])
@applicant_only
def delete(application_id: int):
    return _confirmed(application_id, service.deletable, service.delete_draft,
                      _("Its entries, endpoints and documents are deleted; this cannot be undone."),
                      _("Delete the draft"), _("Draft deleted."),
                      lambda application, _result: url_for("applicant.applications"))


@bp.route("/applications/<int:application_id>/renew", methods=["GET", "POST"])
@applicant_only
def renew(application_id: int):
    """A renewal is a new application: it is made only once the applicant says so, not on a stray click."""
    return _confirmed(application_id, service.renewable, service.renew,
                      _("A new draft is made, prefilled with this application's purpose, entries, endpoints and "
                        "your identity papers. You check it, add what the regulator asks for, and submit it for the "
                        "checks; this application stays as it is until the renewal is decided or it expires."),
                      _("Make a renewal draft"), _("A renewal draft was prefilled from your approved application."),
                      lambda _application, renewal: url_for("applicant.edit_application", application_id=renewal.id),
                      danger=False)
