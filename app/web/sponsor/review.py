"""The reviewers' list of sponsors: the details to check, and approve or suspend (with a reason)."""
from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from app.choices import SponsorKind, SponsorPaper, SponsorState
from app.downloads import send_document
from app.extensions import db
from app.i18n import _
from app.models import Sponsor
from app.services.sponsors import papers, registry
from app.transactions import committed
from app.web.outcomes import commit_or_flash
from app.web.sponsor import bp, staff_only
from app.web.sponsor.forms import DecisionForm


@bp.get("/review/sponsors")
@staff_only
def sponsors():
    return render_template("sponsor/review.html", sponsors=registry.all_sponsors(), form=DecisionForm(),
                           SponsorState=SponsorState, SponsorKind=SponsorKind, SponsorPaper=SponsorPaper)


@bp.get("/review/sponsors/<int:sponsor_id>/papers/<kind>")
@staff_only
def paper(sponsor_id: int, kind: str):
    sponsor = db.session.get(Sponsor, sponsor_id) or abort(404, _("There is no sponsor %(id)s.", id=sponsor_id))
    with committed():
        found = papers.read_paper(sponsor, kind, current_user)
    if found is None:
        abort(404, _("%(name)s has no paper %(kind)s.", name=sponsor.name, kind=repr(kind)))
    return send_document(found, iter([found.content]))


@bp.post("/review/sponsors/<int:sponsor_id>/<any(approved, suspended):decision>")
@staff_only
def decide(sponsor_id: int, decision: str):
    sponsor = db.session.get(Sponsor, sponsor_id) or abort(404, _("There is no sponsor %(id)s.", id=sponsor_id))
    form = DecisionForm()
    commit_or_flash(lambda: registry.decide(sponsor, decision, form.reason.data, current_user),
                    lambda s: _("%(name)s is now %(state)s.", name=s.name,
                                state=str(SponsorState.LABELS[s.state]).lower()))
    return redirect(url_for("sponsor.sponsors"))
