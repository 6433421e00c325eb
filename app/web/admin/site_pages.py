"""Admin: the help, contact and privacy pages: see each, edit its title and text."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.i18n import _
from app.services import ServiceError, site_pages
from app.transactions import committed
from app.web.admin import admin_only, bp
from app.web.admin.forms import SitePageForm


@bp.get("/pages", endpoint="site_pages")
@admin_only
def page_list():
    return render_template("admin/site_pages.html", pages=site_pages.all_pages())


@bp.route("/pages/<slug>", methods=["GET", "POST"])
@admin_only
def site_page(slug: str):
    if slug not in site_pages.SLUGS:
        abort(404)
    shown = site_pages.page(slug)
    form = SitePageForm(obj=shown)
    if form.validate_on_submit():
        try:
            with committed():
                saved = site_pages.update_page(slug, form.title.data, form.body.data, current_user)
        except ServiceError as exc:
            for field, message in (exc.details or {exc.field: exc.message}).items():
                form[field].errors.append(message)
        else:
            flash(_("%(title)s saved: readers see it now.", title=saved.title), "success")
            return redirect(url_for("main.site_page", slug=slug))
    return render_template("admin/site_page.html", page=shown, form=form)
