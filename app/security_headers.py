"""Security headers on every response, set once here; a view that needs other values sets its own first.

The policy allows nothing inline and nothing from elsewhere: every script and style is a file the app
serves. Pages that show a user's data, and API answers, are never stored by a browser or a proxy,
unless the view chose a Cache-Control of its own (the whitelist downloads do: they are made for caching).
"""
from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-src 'self'",          # reviewers see an applicant's PDF in a sandboxed frame of this site
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def _personal(response: Response) -> bool:
    if request.path.startswith("/static/"):
        return False
    return request.path.startswith("/api/") or bool(current_user and current_user.is_authenticated)


def static_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries unless its view set its own; also sent by answers made
    outside Flask (app/api/not_modified.py)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        for name, value in static_headers(app):
            headers.setdefault(name, value)
        if "Cache-Control" not in headers and _personal(response):
            headers["Cache-Control"] = "no-store"
        return response
