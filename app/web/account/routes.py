"""The signed-in user's own account: API tokens and password."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from app.extensions import db
from app.i18n import _
from app.models import ApiToken
from app.services import ServiceError
from app.services.accounts import change_password
from app.services.tokens import issue_token, revoke_token
from app.transactions import committed
from app.web.account import bp
from app.web.account.forms import ChangePasswordForm, NewTokenForm, RevokeTokenForm


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        with committed():
            new_token = issue_token(current_user, form.label.data or "")
        # Shown on this answer only, never put in the (signed, not encrypted) session cookie to survive a
        # redirect; the emptied label makes a second token a deliberate act, not a re-send of this form.
        form.label.data = ""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("account/tokens.html", form=form, tokens=rows, new_token=new_token,
                           revoke_form=RevokeTokenForm())


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit() and row.revoked_at is None:
        with committed():
            revoke_token(row, actor=current_user)
        flash(_("Token %(prefix)s… revoked. Scripts using it will get 401 from now on.", prefix=row.prefix), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with committed():
                change_password(user, form.current.data, form.new.data)
        except ServiceError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            login_user(user)  # this browser goes on with the new session token; every other session ended
            flash(_("Password changed. You were signed out everywhere else."), "success")
            return redirect(url_for("account.tokens"))
    return render_template("account/password.html", form=form)
