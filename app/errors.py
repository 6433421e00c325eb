"""Errors as JSON under /api/, as pages elsewhere; a service refusal is never a 500."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.services import ServiceError

_API_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited",
}


def api_error(status: int, message: str, code: str | None = None, details=None):
    body = {"error": {"code": code or _API_CODES.get(status, "error"), "message": message, "details": details}}
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            response, status = api_error(exc.code or 500, exc.description or exc.name)
            # The error's own headers: Allow on a 405, WWW-Authenticate on a 401.
            response.headers.extend((name, value) for name, value in exc.get_headers()
                                    if name.lower() != "content-type")
            return response, status
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        details = exc.details if exc.details is not None else ({exc.field: exc.message} if exc.field else None)
        # A refusal for asking too soon says when to ask again (services.TooSoon).
        headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) else {}
        if _wants_json():
            response, status = api_error(exc.status, exc.message, exc.code, details)
            return response, status, headers
        return render_template("errors/error.html", error=exc, status=exc.status), exc.status, headers
