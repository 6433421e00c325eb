"""The applicant's pages: profile, applications, documents, submit, withdraw, renew, notifications."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth import role_required
from app.choices import PAKISTAN_ISPS, REQUIRED_DOCUMENTS, Role
from app.extensions import db
from app.models import Document, Notification
from app.models.types import utcnow
from app.services import ServiceError
from app.services import applications as service
from app.services.documents import document_path, store_document
from app.services.profiles import ProfileInput, save_profile
from app.services.validation import validation_progress
from app.web.applicant.forms import ActionForm, ApplicationForm, DocumentForm, ProfileForm
from app.web.applicant.presenters import next_step, timeline
from app.web.documents import send_document
from app.web.outcomes import FAILED, commit_or_flash
from app.web.redirects import safe_next

bp = Blueprint("applicant", __name__)
applicant_only = role_required(Role.APPLICANT)


def _application_or_404(application_id: int):
    application = service.visible_application(application_id, current_user)
    if application is None:
        abort(404)
    return application


@bp.route("/profile", methods=["GET", "POST"])
@applicant_only
def profile():
    form = ProfileForm(obj=current_user.profile)
    if form.validate_on_submit():
        data = ProfileInput(**{name: form[name].data for name in (
            "kind", "name", "ntn", "cnic", "secp_number", "pseb_number", "platform_url", "city", "phone",
            "isp_name", "isp_subscriber_id")})
        try:
            save_profile(current_user, data)
        except ServiceError as exc:
            db.session.rollback()
            for name, message in (exc.details or {}).items():
                form[name].errors = list(form[name].errors) + [message]
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("applicant.applications")))
    return render_template("applicant/profile.html", form=form, isps=PAKISTAN_ISPS)


@bp.get("/applications")
@applicant_only
def applications():
    return render_template("applicant/applications.html", applications=service.applications_of(current_user),
                           now=utcnow())


def _form_with_endpoint_rows(form: ApplicationForm) -> ApplicationForm:
    """Without JavaScript, "Add another endpoint" posts the form and comes back with one more row."""
    if form.add_endpoint.data or not form.endpoints.entries:
        form.endpoints.append_entry()
    return form


def _save(form: ApplicationForm, application=None):
    data = service.ApplicationInput(form.purpose.data.strip(), form.category.data, form.parsed_entries,
                                    form.parsed_endpoints)
    try:
        if application is None:
            application = service.create_application(current_user, data)
        else:
            service.update_application(application, data)
    except ServiceError as exc:
        db.session.rollback()
        form.entries.errors = list(form.entries.errors) + [exc.message]
        return None
    db.session.commit()
    return application


@bp.route("/applications/new", methods=["GET", "POST"])
@applicant_only
def new_application():
    form = ApplicationForm()
    if not form.add_endpoint.data and form.validate_on_submit():
        application = _save(form)
        if application:
            flash("Draft saved. Add your documents, then submit it for the checks.", "success")
            return redirect(url_for("applicant.application", application_id=application.id))
    return render_template("applicant/edit.html", form=_form_with_endpoint_rows(form), application=None,
                           required=REQUIRED_DOCUMENTS)


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@applicant_only
def edit_application(application_id: int):
    application = _application_or_404(application_id)
    if application.state not in service.EDITABLE_STATES:
        flash("This application can no longer be edited.", "warning")
        return redirect(url_for("applicant.application", application_id=application.id))
    form = ApplicationForm()
    if request.method == "GET":
        form.purpose.data = application.purpose
        form.category.data = application.category
        form.entries.data = "\n".join(e.input for e in application.entries)
        for endpoint in application.endpoints:
            form.endpoints.append_entry({"host": endpoint.host, "protocol": endpoint.protocol,
                                         "port": endpoint.port or "", "peer": endpoint.peer or ""})
    elif not form.add_endpoint.data and form.validate_on_submit() and _save(form, application):
        flash("Changes saved.", "success")
        return redirect(url_for("applicant.application", application_id=application.id))
    return render_template("applicant/edit.html", form=_form_with_endpoint_rows(form), application=application,
                           required=REQUIRED_DOCUMENTS)


@bp.get("/applications/<int:application_id>")
@applicant_only
def application(application_id: int):
    application = _application_or_404(application_id)
    required = REQUIRED_DOCUMENTS.get(application.category, ())
    present = {d.kind for d in application.documents}
    return render_template(
        "applicant/application.html", application=application, document_form=DocumentForm(),
        action_form=ActionForm(), required=required, missing=[k for k in required if k not in present],
        next_step=next_step(application), timeline=timeline(application),
        editable=application.state in service.EDITABLE_STATES)


@bp.get("/applications/<int:application_id>/status.json")
@applicant_only
def application_status(application_id: int):
    """Polled by the detail page while validation runs."""
    application = _application_or_404(application_id)
    return jsonify({"state": application.state, "progress": validation_progress(application)})


@bp.post("/applications/<int:application_id>/documents")
@applicant_only
def upload_document(application_id: int):
    application = _application_or_404(application_id)
    form = DocumentForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: store_document(application, form.kind.data, form.file.data),
                        lambda document: f"{document.display_name} uploaded.")
    return redirect(url_for("applicant.application", application_id=application.id, _anchor="documents"))


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@role_required(Role.APPLICANT, *Role.STAFF)
def download_document(application_id: int, document_id: int):
    application = _application_or_404(application_id)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    path = document_path(document)
    db.session.commit()
    return send_document(document, path)


def _action(application_id: int, do, success: str):
    application = _application_or_404(application_id)
    if ActionForm().validate_on_submit():
        result = commit_or_flash(lambda: do(application), success)
        if result is not None and result is not FAILED:  # renew returns the new draft
            return redirect(url_for("applicant.edit_application", application_id=result.id))
    return redirect(url_for("applicant.application", application_id=application.id))


@bp.post("/applications/<int:application_id>/submit")
@applicant_only
def submit(application_id: int):
    return _action(application_id, service.submit, "Submitted. The automatic checks usually take under a minute.")


@bp.post("/applications/<int:application_id>/withdraw")
@applicant_only
def withdraw(application_id: int):
    return _action(application_id, service.withdraw, "Application withdrawn.")


@bp.post("/applications/<int:application_id>/renew")
@applicant_only
def renew(application_id: int):
    return _action(application_id, service.renew, "A renewal draft was prefilled from your approved application.")


@bp.get("/notifications")
@applicant_only
def notifications():
    rows = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.created_at.desc()).limit(100)).all()
    page = render_template("applicant/notifications.html", notifications=rows)
    for row in rows:
        row.read_at = row.read_at or utcnow()
    db.session.commit()
    return page
