"""Admin: ISP organisations — list, create, rename, and see who belongs to each."""
from flask import abort, redirect, render_template, url_for

from app.choices import OrganisationKind
from app.extensions import db
from app.i18n import _
from app.models import IspOrganisation
from app.services import isp_organisations as service
from app.web.admin import admin_only, bp
from app.web.admin.forms import NewOrganisationForm, OrganisationForm
from app.web.outcomes import FAILED, commit_or_flash


@bp.route("/organisations", methods=["GET", "POST"])
@admin_only
def organisations():
    form = NewOrganisationForm()
    if form.validate_on_submit():
        created = commit_or_flash(lambda: service.create_organisation(form.name.data, kind=form.kind.data),
                                  lambda o: _("%(kind)s %(name)s created.", kind=OrganisationKind.LABELS[o.kind],
                                                      name=o.name))
        if created is not FAILED:
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", organisations=service.all_organisations(),
                           members=service.member_counts(), form=form)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_only
def organisation(organisation_id: int):
    organisation = db.session.get(IspOrganisation, organisation_id) or abort(404)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        renamed = commit_or_flash(lambda: service.rename_organisation(organisation, form.name.data),
                                  lambda o: _("Renamed to %(name)s.", name=o.name))
        if renamed is not FAILED:
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation.html", organisation=organisation, form=form,
                           members=service.members(organisation))
