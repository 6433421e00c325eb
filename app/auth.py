"""Who is asking: session users for the web, bearer tokens for the API, one role check for both."""
import hmac
from functools import wraps

from flask import Flask, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from app.extensions import db, login_manager
from app.i18n import _, _l
from app.models import User
from app.transactions import committed


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session cookie ("id:token", User.get_id), if its token is still the account's."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or len(user_id) > 18 or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.blueprint == "api":
        raise Unauthorized(_why_no_api_user(), www_authenticate=WWWAuthenticate("bearer", {"realm": "raasta"}))
    flash(str(login_manager.login_message), "info")
    # full_path ends in a bare "?" when there is no query string; the page to come back to does not.
    return redirect(url_for(login_manager.login_view,
                            next=request.full_path if request.query_string else request.path))


def _why_no_api_user() -> str:
    """What was wrong with a refused API request's credentials. An unknown, revoked or expired token get
    one answer, so a refusal never tells which tokens exist."""
    authorization = request.headers.get("Authorization", "")
    if not authorization.strip():
        return _("Send your API token in an Authorization header: 'Authorization: Bearer TOKEN' "
                 "(create one on your account's API tokens page).")
    if parse_bearer(authorization) is None:
        return _("The Authorization header must read 'Bearer TOKEN'; other schemes and bare tokens are not "
                 "accepted.")
    return _("This API token is unknown, revoked or expired; create a new one on your account's API tokens page.")


def bearer_token() -> str | None:
    return parse_bearer(request.headers.get("Authorization", ""))


def parse_bearer(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header's value, else None."""
    scheme, _sep, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate_api_request() -> None:
    """API requests authenticate by token only, never by a session cookie, so the API needs no CSRF."""
    from app.services.tokens import mark_used, user_for_token

    token = bearer_token()
    user, stale_token_id = user_for_token(token) if token else (None, None)
    if stale_token_id is not None:  # committed before the handler, whose own transaction may roll back
        with committed():
            mark_used(stale_token_id)
    # Flask-Login's own hook for setting the request's user without touching the session.
    login_manager._update_request_context_with_user(user)


def _either(roles) -> str:
    """"isp or admin": the role codes, as they are (codes), joined in the page's words."""
    named = roles[0] if roles else ""
    for role in roles[1:]:
        named = _("%(first)s or %(second)s", first=named, second=role)
    return named


def role_required(*roles: str):
    """Allow signed-in users whose role is one of `roles`; used by web views and API handlers alike."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403, _("This needs the role %(roles)s; you are signed in as %(role)s.",
                             roles=_either(roles), role=current_user.role))
            return view(*args, **kwargs)

        return wrapped

    return decorator
