"""The applicant's profile, the list of applications, the draft form, notifications."""
import re
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.choices import (
    REQUIRED_DOCUMENTS,
    REVIEWER_ONLY_FINDINGS,
    ApplicantKind,
    Category,
    DocumentKind,
    Severity,
    State,
    SubscriptionKind,
)
from app.i18n import _
from app.models.types import utcnow
from app.services import ServiceError
from app.services import applications as service
from app.services.application_input import ApplicationInput
from app.services.documents import identity_documents
from app.services.isp_organisations import isp_suggestions
from app.services.notifications import mark_read, recent_for
from app.services.pakistani_numbers import mobile_national
from app.services.profiles import PROFILE_FIELDS, ProfileInput, save_profile
from app.services.review.decisions import pending_batch_ids
from app.services.review.reopening import changeable
from app.transactions import committed
from app.web.applicant import applicant_only, application_or_404, bp
from app.web.applicant.forms import ApplicationForm, ProfileForm
from app.web.applicant.presenters import IN_BATCH_LABEL
from app.web.redirects import safe_next

FORM_KEY = re.compile(r"^[0-9a-f]{32}$")  # ?form= on the new-application form's address

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
            flash(_("Profile saved."), "success")
            if saved.platform_url and saved.platform_url != data.platform_url:
                flash(_("Your platform address is saved as %(url)s: check that it opens your profile.",
                        url=saved.platform_url), "info")
            return redirect(safe_next(request.args.get("next"), url_for("applicant.applications")))
    return render_template("applicant/profile.html", form=form, isps=isp_suggestions(),
                           on_file=identity_documents(current_user) if current_user.profile else [])


@bp.get("/applications")
@applicant_only
def applications():
    applications = service.applications_of(current_user)
    return render_template("applicant/applications.html", applications=applications, now=utcnow(),
                           in_batches=set(pending_batch_ids([a.id for a in applications])),
                           in_batch_label=str(IN_BATCH_LABEL))


def _form_with_rows(form: ApplicationForm) -> ApplicationForm:
    """Without JavaScript, "Add another endpoint" (number, account) posts the form and comes back with one more
    row; a list with no rows gets an empty one to fill in."""
    for rows, button in ((form.mobile_numbers, form.add_mobile_number),
                         (form.broadband_accounts, form.add_broadband_account), (form.endpoints, form.add_endpoint)):
        if button.data or not rows.entries:
            rows.append_entry()
    return form


_FIELD_OF = {"purpose": "purpose", "note": "applicant_note", "entry_notes": "entry_notes"}  # else entries


def _save(form: ApplicationForm, application=None, form_key: str | None = None):
    """The new or changed application, or None when the service refused (its words go on the form)."""
    data = ApplicationInput(form.purpose.data.strip(), form.category.data, form.parsed_entries,
                            form.parsed_endpoints, note=form.applicant_note.data or "",
                            entry_notes={row.entry.data: row.note.data or "" for row in form.entry_notes},
                            subscriptions=form.parsed_subscriptions)
    reopening = application is not None and application.state in State.REOPENABLE
    try:
        with committed():
            if application is None:
                application = service.create_application(current_user, data, form_key=form_key)
                message = (_("Draft saved. Add your documents, then submit it for the checks."), "success")
            elif service.update_application(application, data):
                message = (_("Changes saved. It is a draft again: submit it when it is ready.") if reopening
                           else _("Changes saved."), "success")
            else:
                message = (_("Nothing had changed, so nothing was saved."), "info")
    except IntegrityError:  # the same form sent twice at once (a double click): the other request made the draft
        made = service.draft_made_by(current_user, form_key) if application is None and form_key else None
        if made is None:
            raise
        return _save(form, made)
    except ServiceError as exc:
        target = form[_FIELD_OF.get(exc.field, "entries")]
        target.errors = list(target.errors) + [exc.message]
        return None
    flash(*message)
    return application


def _entry_note_rows(application) -> list[dict]:
    """A note box for each entry with a problem or a warning the applicant sees, or a note already."""
    flagged = {f.entry_id for f in application.findings if f.entry_id and f.code not in REVIEWER_ONLY_FINDINGS
               and f.severity in (Severity.ERROR, Severity.WARNING)}
    return [{"entry": e.input, "note": e.note or ""} for e in application.entries if e.id in flagged or e.note]


def _edit_page(form: ApplicationForm, application=None):
    form.subscriptions_shown.data = "1"  # this page shows them: what it sends is the whole list
    profile = current_user.profile
    needs_ntn_note = profile is not None and profile.kind == ApplicantKind.FREELANCER and not profile.ntn
    findings_of = {}  # entry as stored -> what the checks said of it, shown above its note box
    if application is not None:
        inputs = {e.id: e.input for e in application.entries}
        for f in application.findings:
            if f.entry_id in inputs and f.code not in REVIEWER_ONLY_FINDINGS:
                findings_of.setdefault(inputs[f.entry_id], []).append(f)
    return render_template("applicant/edit.html", form=_form_with_rows(form), application=application,
                           required=REQUIRED_DOCUMENTS, ntn_categories=NTN_CATEGORIES if needs_ntn_note else (),
                           findings_of=findings_of)


@bp.route("/applications/new", methods=["GET", "POST"])
@applicant_only
def new_application():
    """The form's address carries a key of its own (?form=...), and the draft it makes keeps that key: the same
    form sent again (Back, then Save draft) changes the draft it made instead of making a second one. The page
    is no-store, so Back asks for it again: at that address the key finds the draft, and the applicant is shown
    it to change. A hidden field would not do: the reloaded page would carry a new key."""
    key = request.args.get("form", "")
    if not FORM_KEY.match(key):
        if request.method == "GET":
            return redirect(url_for("applicant.new_application", form=secrets.token_hex(16)))
        key = None  # a form sent from elsewhere (a script, an old page): it makes a draft, as before
    made = service.draft_made_by(current_user, key) if key else None
    if made is not None and (request.method == "GET" or not changeable(made)):
        flash(_("You saved this form already: it is application #%(id)s, shown here. To start another "
                "application, choose New application.", id=made.id), "info")
        return redirect(url_for("applicant.edit_application" if changeable(made) else "applicant.application",
                                application_id=made.id))
    form = ApplicationForm()
    if request.method == "GET" and current_user.profile is not None:
        form.category.data = Category.DEFAULT_FOR_KIND.get(current_user.profile.kind)
    if not form.adding_a_row and form.validate_on_submit():
        application = _save(form, made, form_key=key)
        if application:
            return redirect(url_for("applicant.application", application_id=application.id))
    return _edit_page(form)


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@applicant_only
def edit_application(application_id: int):
    application = application_or_404(application_id)
    if not changeable(application):
        flash(_("This application can no longer be changed."), "warning")
        return redirect(url_for("applicant.application", application_id=application.id))
    if request.method == "GET":
        form = ApplicationForm(data={
            "purpose": application.purpose, "category": application.category,
            "entries": "\n".join(e.input for e in application.entries),
            "endpoints": [{"host": e.host, "protocol": e.protocol, "port": e.port or "", "peer": e.peer or ""}
                          for e in application.endpoints],
            "mobile_numbers": [{"identifier": mobile_national(s.identifier), "operator": s.organisation.name}
                               for s in application.subscriptions if s.kind == SubscriptionKind.MOBILE],
            "broadband_accounts": [{"identifier": s.identifier, "operator": s.organisation.name}
                                   for s in application.subscriptions if s.kind == SubscriptionKind.FIXED],
            "applicant_note": application.applicant_note or "", "entry_notes": _entry_note_rows(application)})
    else:
        form = ApplicationForm()
        if not form.adding_a_row and form.validate_on_submit() and _save(form, application):
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

