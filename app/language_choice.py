"""Which language a request is answered in (contract revision 3).

`?lang=ur` or `?lang=en` on any page chooses it: kept in a cookie for a year, and on the account when signed
in, so emails and SMS follow it too. Without a choice: the account's, then the cookie's, then the browser's
Accept-Language. The API answers in the Accept-Language of each request only (its codes never change).
"""
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_login import current_user

from app.extensions import babel
from app.i18n import LANGUAGES, direction
from app.i18n.languages import best_match
from app.transactions import committed

COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600


def selected_language() -> str:
    """Flask-Babel's locale selector: the code of the language this request is answered in."""
    if not request:
        return "en"
    if request.path.startswith("/api/"):
        return best_match(request.accept_languages)
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return best_match(request.accept_languages, request.cookies.get(COOKIE))


def _remember_choice():
    """A `?lang=` choice becomes the cookie's and the account's language. An account that never chose one
    takes the language its pages are shown in (the visitor's cookie, else the browser's), so the emails and
    SMS of someone who picked Urdu before signing up are in Urdu too."""
    if request.path.startswith(("/api/", "/static/")):
        return
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        g.language_chosen = chosen
    if not current_user.is_authenticated:
        return
    language = chosen if chosen in LANGUAGES else current_user.language or selected_language()
    if current_user.language != language:
        with committed():
            current_user.language = language


def _set_cookie(response):
    chosen = g.get("language_chosen")
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=selected_language, default_timezone="Asia/Karachi")
    app.before_request(_remember_choice)
    app.after_request(_set_cookie)

    @app.context_processor
    def language():
        from flask_babel import get_locale

        code = str(get_locale() or "en")
        return {"language": code, "text_direction": direction(code), "LANGUAGES": LANGUAGES,
                "language_url": language_url}


def language_url(code: str) -> str:
    """This page's address with `?lang=code` (its other query arguments kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)
