"""ISPs' polls of a whitelist file that change nothing, answered 304 before Flask.

Most of what an ISP's cron job sends is `GET /api/v1/whitelist/latest.ipset` with If-None-Match
holding the ETag it already has, and most answers are 304: no body, only "still current". Through
Flask such a poll costs several times the answer itself (Flask-Login, the limiter, a database
session, a query for the token and one for the latest version), so this WSGI middleware answers
it from what this process learnt in the last POLL_CACHE_SECONDS:
- the token: live, of an active user whose role reads the whitelist (tokens.recent_verdicts(),
  filled when the full path authenticated it);
- the file's ETag: numbered versions never change (files.known_ref()); `latest` as the
  full path last read it (files.recent_latest()).
Anything else goes through Flask untouched: an unknown or stale token, an ETag that does not
match, any 200, 401, 403 or 404. The answer carries the same headers as the full path's 304.

Why a few seconds are safe: a 304 carries no body. A token revoked on another web process can,
for at most POLL_CACHE_SECONDS, learn only that the version it already holds is still current; in
the process that revokes or publishes, the change applies at once (the caches are cleared there).
`latest` is served with `max-age=60` anyway, so a client may already be that far behind.
"""
from werkzeug.http import parse_etags

from app.api.whitelist import NAME, file_etag, file_headers
from app.auth import parse_bearer
from app.choices import Role, WhitelistFormat
from app.security_headers import static_headers
from app.services import tokens
from app.services.publication import files


class NotModifiedShortcut:
    """Wraps the app's wsgi_app; `prefix` is where the whitelist files live (/api/v1/whitelist/)."""

    def __init__(self, app, prefix: str):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.prefix = prefix
        self.static_headers = static_headers(app)  # what after_request adds to every answer; config is fixed

    def __call__(self, environ, start_response):
        headers = self._not_modified(environ)
        if headers is None:
            return self.wsgi_app(environ, start_response)
        start_response("304 NOT MODIFIED", headers)
        return []

    def _not_modified(self, environ) -> list[tuple[str, str]] | None:
        """The 304's headers when this poll can be answered here, else None (Flask answers)."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        path = environ.get("PATH_INFO", "")
        if not if_none_match or environ["REQUEST_METHOD"] != "GET" or not path.startswith(self.prefix):
            return None
        match = NAME.fullmatch(path[len(self.prefix):])
        if match is None or match["fmt"] not in WhitelistFormat.ALL:
            return None
        token = parse_bearer(environ.get("HTTP_AUTHORIZATION", ""))
        verdict = tokens.recent_verdicts(self.app).get(tokens.digest(token)) if token else None
        if verdict is None or verdict.role not in Role.WHITELIST_READERS:
            return None
        ref, fmt, signature = match["ref"], match["fmt"], bool(match["sig"])
        if ref == files.LATEST:
            found = files.recent_latest(self.app).get(fmt)
        else:
            found = files.known_ref(self.app, int(ref), fmt)
        if found is None or not parse_etags(if_none_match).contains_weak(file_etag(found, signature)):
            return None
        headers = file_headers(found, latest=ref == files.LATEST, signature=signature)
        return [*headers.items(), *self.static_headers]
