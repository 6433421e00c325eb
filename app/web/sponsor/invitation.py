"""The member's invitation page: what the sponsor proposed in their name, to correct and consent to, or decline;
and, once accepted, to withdraw consent. Signing in (or up) with the invited email comes first."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.choices import InvitationState, Role
from app.i18n import _
from app.services import ServiceError
from app.services.sponsors import invitations
from app.transactions import committed
from app.web.sponsor import bp
from app.web.sponsor.forms import AnswerForm


def _invitation(token: str):
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        abort(404, _("This invitation link is unknown; check that it was copied whole."))
    if not current_user.has_role(Role.APPLICANT):
        abort(403, _("Sign in with the applicant account of the invited email to answer this invitation."))
    try:
        invitations.check_invitee(invitation, current_user)
    except ServiceError as exc:
        abort(403, exc.message)
    return invitation


def _form(invitation) -> AnswerForm:
    proposal = invitation.proposal
    form = AnswerForm(data={"name": invitation.name, "cnic": invitation.cnic, "purpose": proposal.get("purpose"),
                            "mobile": proposal.get("mobile"), "operator": proposal.get("operator"),
                            "isp": proposal.get("isp"), "subscriber_id": proposal.get("subscriber_id"),
                            "addresses": "\n".join(proposal.get("addresses") or [])}) \
        if request.method == "GET" else AnswerForm()
    return form


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation_page(token: str):
    invitation = _invitation(token)
    form = _form(invitation)
    if request.method == "POST" and form.validate():
        try:
            with committed():
                if form.decline.data:
                    invitations.decline(invitation, current_user)
                    flash(_("You declined the invitation; nothing was made in your name."), "success")
                    return redirect(url_for("applicant.applications"))
                corrected = {name: (getattr(form, name).data or "").strip() or None for name in (
                    "name", "cnic", "city", "purpose", "mobile", "operator", "isp", "subscriber_id")}
                corrected["addresses"] = (form.addresses.data or "").split()
                invitation, waiting = invitations.accept(invitation, current_user, corrected)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("sponsor/invitation.html", invitation=invitation, form=form,
                                   details=exc.details, InvitationState=InvitationState), 422
        flash(waiting or _("Thank you: your application is submitted."), "info" if waiting else "success")
        return redirect(url_for("applicant.application", application_id=invitation.application_id))
    return render_template("sponsor/invitation.html", invitation=invitation, form=form, details=None,
                           InvitationState=InvitationState)


@bp.post("/invitations/<token>/withdraw-consent")
@login_required
def withdraw_consent(token: str):
    invitation = _invitation(token)
    try:
        with committed():
            invitations.withdraw_consent(invitation, current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Consent withdrawn: the sponsor sees nothing more of you. Your application stays yours."), "success")
    return redirect(url_for("sponsor.invitation_page", token=token))
