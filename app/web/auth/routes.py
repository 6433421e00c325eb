"""Sign-up (applicants), sign-in and sign-out."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import limiter
from app.services import ServiceError, accounts
from app.transactions import committed
from app.web.auth import bp
from app.web.auth.forms import SignInForm, SignUpForm
from app.web.redirects import safe_next

SIGNED_UP = ("Thank you. If {email} is new to Raasta, your account is ready: sign in below. If it already "
             "had an account, we have emailed its owner.")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        with committed():  # a failed attempt is recorded too
            user = accounts.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignUpForm()
    if form.is_submitted() and _every_sign_up_problem(form):
        try:
            with committed():
                accounts.sign_up(form.email.data, form.password.data, name=form.name.data)
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            # A new account and a taken email are answered alike, so sign-up cannot test which emails exist.
            flash(SIGNED_UP.format(email=form.email.data.strip()), "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign_up.html", form=form)


def _every_sign_up_problem(form: SignUpForm) -> bool:
    """Validate the form and the account rules together, so a bad email, a short password and a mismatch
    are all reported at once; True when there is nothing to report."""
    valid = form.validate()
    for name, message in accounts.sign_up_problems(form.email.data or "", form.password.data or "").items():
        if not form[name].errors:
            form[name].errors = list(form[name].errors) + [message]
            valid = False
    return valid


@bp.post("/sign-out")
@login_required
def sign_out():
    with committed():
        accounts.sign_out(current_user._get_current_object())
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))
