"""One application as a reviewer sees it, and the decisions taken on it: each a small form with CSRF.

A decision that succeeds redirects back with a flash; one that is refused (an empty reason, or a rule
in the service) renders the page again with the error at the field and at the top, the field focused
and the typed text kept.
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.choices import State, SubscriptionKind
from app.downloads import send_document
from app.extensions import db
from app.i18n import _
from app.models import Application, Document
from app.models.types import utcnow
from app.services import ServiceError
from app.services.documents import record_download
from app.services.fees.standing import fee_standing
from app.services.review import decisions as review_service
from app.services.review import isp_confirmation_rule
from app.services.review.approvals import revoke
from app.services.review.batches import batch_for
from app.services.review.suspensions import reinstate
from app.transactions import committed
from app.web.review import bp, presenters, staff_only
from app.web.review.forms import (
    BatchForm,
    NoteForm,
    OverrideForm,
    ReinstateForm,
    RejectForm,
    RequestInformationForm,
    RevokeForm,
)

# Beside the revoke form on a suspended application's page: its reason field needs another name (and id).
REINSTATE = "reinstate"


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


def _override_form(application: Application, form: OverrideForm | None = None) -> OverrideForm:
    form = form or OverrideForm(formdata=None)
    codes = review_service.open_error_codes(application)
    if application.state in State.REVIEWABLE and isp_confirmation_rule.overridable(application):
        codes.append(isp_confirmation_rule.CODE)  # the ISP's answer is overdue: a reviewer may go on without it
    form.code.choices = [("", _("Choose…"))] + [(code, code) for code in codes]
    return form


def _page(application: Application, status: int = 200, **forms):
    """The review page; `forms` replaces a blank form with the one just refused, so its text stays."""
    blank = {"reject_form": RejectForm(formdata=None), "info_form": RequestInformationForm(formdata=None),
             "revoke_form": RevokeForm(formdata=None), "note_form": NoteForm(formdata=None),
             "reinstate_form": ReinstateForm(formdata=None, prefix=REINSTATE),
             "override_form": _override_form(application)}
    events, quiet_events = presenters.review_timeline(application)
    reviewable = application.state in State.REVIEWABLE
    return render_template(
        "review/application.html", application=application, **(blank | forms),
        batch_form=BatchForm(formdata=None),
        entries=presenters.entry_views(application), subscriptions=presenters.subscription_views(application),
        other_findings=presenters.other_findings(application),
        overrides={o.code: o for o in review_service.overrides_of(application)},
        notes=review_service.notes_of(application),
        others=presenters.other_applications(application), events=events, quiet_events=quiet_events,
        applicant_answer=presenters.applicant_answer(events),
        age_days=presenters.age_days(application, utcnow()), reviewable=reviewable,
        revocable=application.state in State.APPROVALS, suspended=application.state == State.SUSPENDED,
        suspension=presenters.suspension(events) if application.state == State.SUSPENDED else None,
        pending_batch=batch_for(application), fee=fee_standing(application),
        batch_problem=review_service.batch_problem(application) if reviewable else None,
        inline_types=presenters.INLINE_TYPES, subscription_kinds=SubscriptionKind.LABELS,
    ), status


@bp.get("/applications/<int:application_id>")
@staff_only
def application(application_id: int):
    return _page(_application_or_404(application_id))


def _decide(application_id: int, form_name: str, form, change, success: str, field: str, anchor: str | None = None):
    """Validate `form`, run `change(application, form)`, commit and redirect; else show the page again
    with the refusal at `field` of the form (status 422, or the service's own 409 / 403)."""
    application = _application_or_404(application_id)
    if form_name == "override_form":
        form = _override_form(application, form)
    if not form.validate_on_submit():
        return _refused(application, 422, form_name, form)
    try:
        with committed():
            change(application, form)
    except ServiceError as exc:
        target = form[exc.field] if exc.field in form else form[field]
        target.errors = list(target.errors) + [exc.message]
        return _refused(db.session.get(Application, application_id), exc.status, form_name, form)
    flash(success, "success")
    return redirect(url_for("review.application", application_id=application_id, _anchor=anchor))


def _refused(application: Application, status: int, form_name: str, form):
    """The page again with the refused form's text kept, its errors also shown at the top, and its first
    invalid field focused: the decision forms sit far down the page (thousands of pixels on a phone), and a
    refusal must not look as if nothing happened."""
    invalid = [f for f in form if f.errors]
    for f in invalid:
        for error in f.errors:
            flash(str(error), "error")
    if invalid:
        invalid[0].render_kw = {**(invalid[0].render_kw or {}), "autofocus": True}
    return _page(application, status, **{form_name: form})


@bp.post("/applications/<int:application_id>/reject")
@staff_only
def reject(application_id: int):
    return _decide(application_id, "reject_form", RejectForm(),
                   lambda a, f: review_service.reject(a, f.chosen_reason(), actor=current_user),
                   _("Application %(id)s rejected. The applicant has been told why.", id=application_id), "reason")


@bp.post("/applications/<int:application_id>/request-info")
@staff_only
def request_information(application_id: int):
    return _decide(application_id, "info_form", RequestInformationForm(),
                   lambda a, f: review_service.request_information(a, f.message.data.strip(), actor=current_user),
                   _("Application %(id)s sent back to the applicant for more information.", id=application_id),
                   "message")


@bp.post("/applications/<int:application_id>/override")
@staff_only
def override(application_id: int):
    return _decide(application_id, "override_form", OverrideForm(),
                   lambda a, f: review_service.override(a, f.code.data, f.reason.data.strip(), actor=current_user),
                   _("Override recorded. It shows on the application for every later reader."), "reason")


@bp.post("/applications/<int:application_id>/revoke")
@staff_only
def revoke_approval(application_id: int):
    return _decide(application_id, "revoke_form", RevokeForm(),
                   lambda a, f: revoke(a, f.reason.data.strip(), actor=current_user),
                   _("Approval of application %(id)s revoked; a new whitelist version drops it.", id=application_id),
                   "reason")


@bp.post("/applications/<int:application_id>/reinstate")
@staff_only
def reinstate_approval(application_id: int):
    return _decide(application_id, "reinstate_form", ReinstateForm(prefix=REINSTATE),
                   lambda a, f: reinstate(a, f.reason.data.strip(), actor=current_user),
                   _("Application %(id)s reinstated: approved again, and a new whitelist version has it.",
                     id=application_id),
                   "reason")


@bp.post("/applications/<int:application_id>/notes")
@staff_only
def add_note(application_id: int):
    return _decide(application_id, "note_form", NoteForm(),
                   lambda a, f: review_service.add_note(a, f.body.data.strip(), current_user),
                   _("Note added. Only reviewers see it."), "body", anchor="notes")


@bp.get("/applications/<int:application_id>/documents/<int:document_id>/inline")
@staff_only
def inline_document(application_id: int, document_id: int):
    """A document for the page's <iframe sandbox> or <img>: shown, never run (see send_document)."""
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application_id:
        abort(404)
    if document.content_type not in presenters.INLINE_TYPES:
        abort(404)  # anything else is only ever a download
    with committed():
        chunks = record_download(document)  # records who looked at it
    return send_document(document, chunks, inline=True)
