"""The applicant's profile, the list of applications, the draft form, notifications."""
import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.choices import REQUIRED_DOCUMENTS, ApplicantKind, Category, DocumentKind, State
from app.models.types import utcnow
from app.services import ServiceError
from app.services import applications as service
from app.services.documents import identity_documents
from app.services.isp_organisations import isp_suggestions
from app.services.notifications import mark_read, recent_for
from app.services.profiles import PROFILE_FIELDS, ProfileInput, save_profile
from app.services.review.reopening import changeable
from app.transactions import committed
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.applicant.forms import ApplicationForm, ProfileForm
from app.web.redirects import safe_next

DRAFT_KEYS = "drafts_made"  # session: new-application form key -> the draft it made
REMEMBERED_DRAFTS = 10

# The categories whose papers include an NTN certificate: a freelancer without an NTN is told so on choosing one.
NTN_CATEGORIES = tuple(c for c, kinds in REQUIRED_DOCUMENTS.items() if DocumentKind.NTN_CERTIFICATE in kinds)


@bp.route("/profile", methods=["GET", "POST"])
@applicant_only
def profile():
    form = ProfileForm(obj=current_user.profile)
    if form.validate_on_submit():
        data = ProfileInput(**{name: form[name].data for name in PROFILE_FIELDS})
        try:
            with committed():
                saved = save_profile(current_user, data)
        except ServiceError as exc:
            for name, message in (exc.details or {}).items():
                form[name].errors = list(form[name].errors) + [message]
        else:
            flash("Profile saved.", "success")
            if saved.platform_url and saved.platform_url != data.platform_url:
                flash(f"Your platform address is saved as {saved.platform_url}: check that it opens your profile.",
                      "info")
            return redirect(safe_next(request.args.get("next"), url_for("applicant.applications")))
    return render_template("applicant/profile.html", form=form, isps=isp_suggestions(),
                           on_file=identity_documents(current_user) if current_user.profile else [])


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
    """The new or changed application, or None when the service refused (its words go on the form)."""
    data = service.ApplicationInput(form.purpose.data.strip(), form.category.data, form.parsed_entries,
                                    form.parsed_endpoints)
    reopening = application is not None and application.state in State.REOPENABLE
    try:
        with committed():
            if application is None:
                application = service.create_application(current_user, data)
                message = ("Draft saved. Add your documents, then submit it for the checks.", "success")
            elif service.update_application(application, data):
                message = ("Changes saved. It is a draft again: submit it when it is ready." if reopening
                           else "Changes saved.", "success")
            else:
                message = ("Nothing had changed, so nothing was saved.", "info")
    except ServiceError as exc:
        target = form.entries if exc.field in (None, "entries") else form.purpose
        target.errors = list(target.errors) + [exc.message]
        return None
    flash(*message)
    return application


def _edit_page(form: ApplicationForm, application=None):
    profile = current_user.profile
    needs_ntn_note = profile is not None and profile.kind == ApplicantKind.FREELANCER and not profile.ntn
    return render_template("applicant/edit.html", form=_form_with_endpoint_rows(form), application=application,
                           required=REQUIRED_DOCUMENTS, ntn_categories=NTN_CATEGORIES if needs_ntn_note else ())


@bp.route("/applications/new", methods=["GET", "POST"])
@applicant_only
def new_application():
    form = ApplicationForm()
    if request.method == "GET":
        form.draft_key.data = secrets.token_hex(8)
        if current_user.profile is not None:
            form.category.data = Category.DEFAULT_FOR_KIND.get(current_user.profile.kind)
    if not form.add_endpoint.data and form.validate_on_submit():
        application = _save(form, _draft_made_with(form.draft_key.data))
        if application:
            _remember_draft(form.draft_key.data, application)
            return redirect(url_for("applicant.application", application_id=application.id))
    return _edit_page(form)


def _draft_made_with(key: str | None):
    """The application this new-application form already made, when it is sent again (Back, then Save)."""
    application_id = session.get(DRAFT_KEYS, {}).get(key or "")
    return service.visible_application(application_id, current_user) if application_id else None


def _remember_draft(key: str | None, application) -> None:
    if key:
        made = {**session.get(DRAFT_KEYS, {}), key: application.id}
        session[DRAFT_KEYS] = dict(list(made.items())[-REMEMBERED_DRAFTS:])  # the cookie stays small


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@applicant_only
def edit_application(application_id: int):
    application = application_or_404(application_id)
    if not changeable(application):
        flash("This application can no longer be changed.", "warning")
        return redirect(url_for("applicant.application", application_id=application.id))
    if request.method == "GET":
        form = ApplicationForm(data={
            "purpose": application.purpose, "category": application.category,
            "entries": "\n".join(e.input for e in application.entries),
            "endpoints": [{"host": e.host, "protocol": e.protocol, "port": e.port or "", "peer": e.peer or ""}
                          for e in application.endpoints]})
    else:
        form = ApplicationForm()
        if not form.add_endpoint.data and form.validate_on_submit() and _save(form, application):
            return redirect(url_for("applicant.application", application_id=application.id))
    return _edit_page(form, application)


@bp.get("/notifications")
@applicant_only
def notifications():
    rows = recent_for(current_user)
    page = render_template("applicant/notifications.html", notifications=rows)  # unread ones still marked
    with committed():
        mark_read(rows)
    return page

