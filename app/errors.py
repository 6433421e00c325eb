"""Errors as JSON under /api/, as pages elsewhere; a service refusal is never a 500."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, ServiceUnavailable, default_exceptions

from app.i18n import _, _l
from app.services import ServiceError
from app.system.database_restarts import is_transient

DATABASE_RETRY_AFTER = 5  # seconds: a PostgreSQL restart takes one or two

_API_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited", 503: "unavailable",
}

# Werkzeug's own descriptions of an error raised without one (abort(404)), in the reader's language; their
# English is Werkzeug's, word for word.
_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    401: _l("The server could not verify that you are authorized to access the URL requested. You either supplied "
            "the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the "
            "credentials required."),
    403: _l("You don't have the permission to access the requested resource. It is either read-protected or not "
            "readable by the server."),
    404: _l("The requested URL was not found on the server. If you entered the URL manually please check your "
            "spelling and try again."),
    405: _l("The method is not allowed for the requested URL."),
    409: _l("A conflict happened while processing the request. The resource might have been modified while the "
            "request was being processed."),
    413: _l("The data value transmitted exceeds the capacity limit."),
    415: _l("The server does not support the media type transmitted in the request."),
    422: _l("The request was well-formed but was unable to be followed due to semantic errors."),
    429: _l("This user has exceeded an allotted request count. Try again later."),
    500: _l("The server encountered an internal error and was unable to complete your request. Either the server "
            "is overloaded or there is an error in the application."),
    503: _l("The server is temporarily unable to service your request due to maintenance downtime or capacity "
            "problems. Please try again later."),
}
# Flask-WTF's reasons for refusing a form's CSRF token (a CSRFError's description), word for word.
_CSRF_REASONS = {
    "The CSRF token is missing.": _l("The CSRF token is missing."),
    "The CSRF session token is missing.": _l("The CSRF session token is missing."),
    "The CSRF token has expired.": _l("The CSRF token has expired."),
    "The CSRF token is invalid.": _l("The CSRF token is invalid."),
    "The CSRF tokens do not match.": _l("The CSRF tokens do not match."),
    "The referrer header is missing.": _l("The referrer header is missing."),
    "The referrer does not match the host.": _l("The referrer does not match the host."),
}


def described(exc: HTTPException) -> str:
    """The error's description in the reader's language where it is one of Werkzeug's or Flask-WTF's own;
    a description given when the error was raised is already in the reader's language."""
    description = exc.description or exc.name
    if isinstance(exc, RateLimitExceeded):  # its description is the limit itself ("5 per 1 minute")
        return _("Too many requests: at most %(limit)s. Wait a little and try again.", limit=description)
    if isinstance(exc, CSRFError) and description in _CSRF_REASONS:
        return str(_CSRF_REASONS[description])
    standard = default_exceptions.get(exc.code)
    if standard is not None and description == standard.description and exc.code in _DESCRIPTIONS:
        return str(_DESCRIPTIONS[exc.code])
    return description


def api_error(status: int, message: str, code: str | None = None, details=None):
    body = {"error": {"code": code or _API_CODES.get(status, "error"), "message": message, "details": details}}
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            response, status = api_error(exc.code or 500, described(exc))
            # The error's own headers: Allow on a 405, WWW-Authenticate on a 401.
            response.headers.extend((name, value) for name, value in exc.get_headers()
                                    if name.lower() != "content-type")
            return response, status
        exc.description = described(exc)
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(DBAPIError)  # OperationalError, or InterfaceError for a connection found closed
    def database_unavailable(exc: DBAPIError):
        """A request whose connection PostgreSQL dropped (a restart, a failover) is told to come back, not given a
        500; its transaction did not commit. Any other database failure is a 500, logged as one."""
        if not (exc.connection_invalidated or is_transient(exc.orig or exc)):
            raise exc
        unavailable = ServiceUnavailable(_("The database was briefly unavailable and this request did not finish. "
                                           "Try again in a few seconds."))
        response = make_response(http_error(unavailable))
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        details = exc.details if exc.details is not None else ({exc.field: exc.message} if exc.field else None)
        # A refusal for asking too soon says when to ask again (services.TooSoon).
        headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) else {}
        if _wants_json():
            response, status = api_error(exc.status, exc.message, exc.code, details)
            return response, status, headers
        return render_template("errors/error.html", error=exc, status=exc.status), exc.status, headers
