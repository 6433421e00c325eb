"""Sign-up (applicants), sign-in and sign-out."""
import time

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import limiter
from app.i18n import _, ngettext
from app.services import ServiceError, accounts
from app.transactions import committed
from app.web.auth import bp
from app.web.auth.forms import SignInForm, SignUpForm
from app.web.redirects import safe_next


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
        form.password.errors.append(_("That email and password do not match an account."))
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
                user = accounts.sign_up(form.email.data, form.password.data, name=form.name.data)
                if user is not None:
                    accounts.record_sign_in(user)
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            if user is None:
                # Never signed in to an account someone else holds. Not being signed in does tell the sender that
                # the address had an account: the owner is emailed each time, and sign-up is rate limited.
                # The words say nothing about whether the address had an account.
                flash(_("Thank you. Sign in below with %(email)s to continue. If that address already had an "
                        "account, we have emailed its owner.", email=form.email.data.strip()), "info")
                return redirect(url_for("auth.sign_in"))
            login_user(user)
            flash(_("Welcome to Raasta, %(name)s: your account is ready. Tell us who you are, then start your "
                    "first application.", name=user.name), "success")
            return redirect(url_for("applicant.profile"))
    return render_template("auth/sign_up.html", form=form)


@bp.errorhandler(429)
def too_many_attempts(exc):
    """The form again, what was typed kept (never a password), with when to try again in plain words."""
    seconds = _seconds_until_allowed()
    signing_up = request.endpoint == "auth.sign_up"
    form = SignUpForm() if signing_up else SignInForm()
    if signing_up:
        wait = ngettext("Too many sign-up attempts from your network. Try again in %(num)s second.",
                        "Too many sign-up attempts from your network. Try again in %(num)s seconds.", seconds)
    else:
        wait = ngettext("Too many sign-in attempts from your network. Try again in %(num)s second.",
                        "Too many sign-in attempts from your network. Try again in %(num)s seconds.", seconds)
    page = render_template("auth/sign_up.html" if signing_up else "auth/sign_in.html", form=form, wait=wait)
    return page, 429, {"Retry-After": str(seconds)}


def _seconds_until_allowed() -> int:
    try:
        reset_at = limiter.current_limit.reset_at
    except Exception:  # the limiter's store went away after refusing: say the whole window
        return limiter.current_limit.limit.get_expiry() if limiter.current_limit else 60
    return max(1, int(reset_at - time.time()))


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
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))
