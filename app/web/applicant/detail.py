"""An application's own page: entries with their findings, endpoints, documents, timeline.

A refused upload comes back on this page with the error beside the file field (and the chosen kind
kept), not in a message at the top of a page the browser scrolled away from.
"""
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth import role_required
from app.choices import REQUIRED_DOCUMENTS, DocumentKind, Role, Severity, State
from app.downloads import send_document
from app.extensions import db
from app.i18n import _
from app.jobs.validation import validation_progress
from app.models import Document
from app.services import ServiceError
from app.services import applications as service
from app.services.documents import (
    record_download,
    remove_document,
    store_document,
    too_large,
)
from app.services.fees.standing import fee_standing
from app.services.review.batches import batch_for
from app.services.review.decisions import overrides_of
from app.services.review.reopening import changeable
from app.services.validation.checks.documents import missing_documents
from app.transactions import committed
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.applicant.forms import DocumentForm
from app.web.applicant.oversized import upload_head
from app.web.applicant.presenters import (
    IN_BATCH_LABEL,
    decision_clock,
    next_step,
    shown_findings,
    subscription_rows,
    timeline,
)
from app.web.forms import ActionForm
from app.web.outcomes import commit_or_flash


def _document_or_404(application, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    return document


def render_application(application, document_form: DocumentForm | None = None, status: int = 200,
                       reply: str = "", typed_code: dict | None = None):
    """The page; `document_form` a refused upload's form, `reply` a refused answer to the reviewer (kept),
    `typed_code` a refused SMS code: {"subscription_id", "code" as typed (kept in its box), "error"}."""
    missing = missing_documents(application)
    subscriptions = subscription_rows(application, current_user)
    if document_form is None:
        document_form = DocumentForm(kind=missing[0] if missing else None)
    findings = shown_findings(application)
    # An error a reviewer accepted (overrode) is no longer the applicant's to fix; nor is anything once the
    # application is decided (approved, rejected, ...): the count says what the applicant can still act on.
    accepted = {o.code for o in overrides_of(application)}
    actionable = application.state in State.EDITABLE + State.REOPENABLE
    severities = [f.severity for f in findings if actionable and f.code not in accepted]
    in_batch = application.state in State.REVIEWABLE and batch_for(application) is not None
    page = render_template(
        "applicant/application.html", application=application, findings=findings, document_form=document_form,
        required=REQUIRED_DOCUMENTS.get(application.category, ()), missing=missing,
        next_step=next_step(application, in_batch), timeline=timeline(application), in_batch=in_batch,
        in_batch_label=str(IN_BATCH_LABEL),
        submittable=application.state in State.EDITABLE, changeable=changeable(application),
        deletable=service.deletable(application), withdrawable=application.state in State.OPEN, accepted=accepted,
        renewable=service.renewable(application), has_profile=application.applicant.profile is not None,
        errors=severities.count(Severity.ERROR), warnings=severities.count(Severity.WARNING), reply=reply,
        max_reply=service.MAX_REPLY, subscriptions=subscriptions, typed_code=typed_code or {},
        unproven=[row for row in subscriptions if row["step"]], decision_clock=decision_clock(application),
        fee=fee_standing(application))
    return page, status


@bp.get("/applications/<int:application_id>")
@applicant_only
def application(application_id: int):
    return render_application(application_or_404(application_id))


@bp.get("/applications/<int:application_id>/status.json")
@applicant_only
def application_status(application_id: int):
    """Polled by the detail page while validation runs."""
    application = application_or_404(application_id)
    return jsonify({"state": application.state, "progress": validation_progress(application)})


@bp.post("/applications/<int:application_id>/documents")
@applicant_only
def upload_document(application_id: int):
    application = application_or_404(application_id)
    form = DocumentForm()
    reopening = application.state in State.REOPENABLE
    if form.validate_on_submit():
        try:
            with committed():
                document = store_document(application, form.kind.data, form.file.data)
        except ServiceError as exc:
            target = form.kind if exc.field == "kind" else form.file
            target.errors = list(target.errors) + [exc.message]
            return render_application(application, form, status=exc.status)
        flash(_("%(name)s uploaded. It is a draft again: submit it when it is ready.", name=document.display_name)
              if reopening else _("%(name)s uploaded.", name=document.display_name), "success")
        return redirect(url_for("applicant.application", application_id=application.id, _anchor="documents"))
    return render_application(application, form, status=400)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(exc: RequestEntityTooLarge):
    """A document far over the cap, sent without the page's script (which stops it before sending): the
    application page again, the refusal beside the file field naming the file and the limit, the kind kept.
    Any other page's oversized form gets the portal's error page."""
    if request.endpoint != "applicant.upload_document" or not current_user.is_authenticated or \
            not current_user.has_role(Role.APPLICANT):
        return render_template("errors/error.html", error=exc), 413
    application = application_or_404(request.view_args["application_id"])
    fields, files = upload_head(request.environ)
    kind = fields.get("kind")
    form = DocumentForm(formdata=None, kind=kind if kind in DocumentKind.ALL else None)
    form.file.errors = [too_large(files.get("file"), current_app.config["MAX_DOCUMENT_BYTES"]).message]
    return render_application(application, form, status=413)


@bp.get("/applications/<int:application_id>/documents")
@applicant_only
def documents(application_id: int):
    """A refused upload is shown at its POST address; reloading or going back there lands on the documents."""
    application = application_or_404(application_id)
    return redirect(url_for("applicant.application", application_id=application.id, _anchor="documents"))


@bp.post("/applications/<int:application_id>/documents/<int:document_id>/remove")
@applicant_only
def remove_document_view(application_id: int, document_id: int):
    application = application_or_404(application_id)
    document = _document_or_404(application, document_id)
    if ActionForm().validate_on_submit():
        commit_or_flash(lambda: remove_document(application, document),
                        _("%(name)s removed.", name=document.display_name))
    return redirect(url_for("applicant.application", application_id=application.id, _anchor="documents"))


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@role_required(Role.APPLICANT, *Role.STAFF)
def download_document(application_id: int, document_id: int):
    application = application_or_404(application_id)
    document = _document_or_404(application, document_id)
    with committed():
        chunks = record_download(document)
    return send_document(document, chunks)
