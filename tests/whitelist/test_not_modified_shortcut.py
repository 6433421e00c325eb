"""ISPs' polls that change nothing are answered 304 before Flask (app/api/not_modified.py), and only those.

`flask_calls` counts the requests that reached Flask, so each test shows which path answered.
"""
import pytest
from sqlalchemy import update

from app.models import ApiToken
from app.models.types import utcnow
from app.services import recent, tokens
from app.services.publication import files as whitelist_files

TXT = "/api/v1/whitelist/latest.txt"
# Flask's answer also says "Vary: Cookie", because Flask-Login looked for a session; neither answer
# depends on a cookie (the token decides, and both are Cache-Control: private).
ALWAYS_DIFFERENT = {"Date", "Server", "Vary"}


@pytest.fixture
def flask_calls(app):
    """The paths of the requests that went past the shortcut into Flask."""
    shortcut = app.wsgi_app
    into_flask = shortcut.wsgi_app
    calls = []

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return into_flask(environ, start_response)

    shortcut.wsgi_app = counted
    return calls


def _etag(isp, path=TXT) -> str:
    return isp.get(path).headers["ETag"]


def _later(monkeypatch, seconds: float) -> None:
    """Move the caches' clock `seconds` ahead, as if that much time had passed."""
    now = recent.monotonic()
    monkeypatch.setattr(recent, "monotonic", lambda: now + seconds)


@pytest.mark.parametrize(("path", "serial"), [(TXT, "2"), ("/api/v1/whitelist/latest.ipset.sig", "2"),
                                              ("/api/v1/whitelist/2.nft", "2"), ("/api/v1/whitelist/1.csv.sig", "1")])
def test_a_repeated_poll_is_answered_without_flask_with_the_same_headers(isp, app, two_versions, flask_calls,
                                                                         path, serial):
    etag = _etag(isp, path)
    tokens.recent_verdicts(app).clear()  # as in another process: Flask answers the first poll
    by_flask = isp.get(path, headers={"If-None-Match": etag})
    assert len(flask_calls) == 2 and by_flask.status_code == 304
    shortcut = isp.get(path, headers={"If-None-Match": etag})
    assert len(flask_calls) == 2, "the second poll reached Flask"
    assert shortcut.status_code == 304 and shortcut.data == b""
    assert ({k: v for k, v in shortcut.headers.items() if k not in ALWAYS_DIFFERENT}
            == {k: v for k, v in by_flask.headers.items() if k not in ALWAYS_DIFFERENT})
    assert shortcut.headers["ETag"] == etag and shortcut.headers["X-Whitelist-Serial"] == serial


def test_anything_but_a_matching_poll_of_a_reader_goes_to_flask(isp, api, make_user, two_versions, flask_calls):
    etag = _etag(isp)
    assert isp.get(TXT, headers={"If-None-Match": '"0000"'}).status_code == 200  # another version: the body
    assert isp.get("/api/v1/whitelist/latest.csv", headers={"If-None-Match": etag}).status_code == 200
    assert isp.head(TXT, headers={"If-None-Match": etag}).status_code == 304
    applicant = api(make_user())
    assert applicant.get(TXT, headers={"If-None-Match": etag}).status_code == 403
    assert applicant.get(TXT, headers={"If-None-Match": etag}).status_code == 403
    unknown = {"Authorization": "Bearer rst_not-a-token", "If-None-Match": etag}
    assert isp.get(TXT, headers=unknown).status_code == 401
    assert len(flask_calls) == 7


def test_revoking_a_token_stops_its_polls_at_once_in_this_process(isp, db, two_versions, flask_calls):
    etag = _etag(isp)
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 304
    row = db.session.query(ApiToken).one()
    tokens.revoke_token(row)
    db.session.commit()
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 401
    assert flask_calls[-1] == TXT


def test_a_token_revoked_elsewhere_gets_only_304s_and_only_for_poll_cache_seconds(isp, db, app, two_versions,
                                                                                  flask_calls, monkeypatch):
    """Revoked by another web process (here: straight in the database), the token can learn for at most
    POLL_CACHE_SECONDS that its version is still current, and never gets a body."""
    etag = _etag(isp)
    db.session.execute(update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 304
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 304
    _later(monkeypatch, app.config["POLL_CACHE_SECONDS"])
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 401
    assert flask_calls == [TXT, TXT]


def test_a_token_refused_by_flask_gets_no_more_304s(isp, db, two_versions, flask_calls):
    etag = _etag(isp)
    db.session.execute(update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert isp.get(TXT).status_code == 401  # a download asks the database, and forgets the token here
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 401


def test_a_publication_in_this_process_is_seen_by_the_next_poll(isp, two_versions, approved_application, publish,
                                                                flask_calls):
    etag = _etag(isp)
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 304
    approved_application(["203.99.48.0/24"])
    publish("third")
    fresh = isp.get(TXT, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["X-Whitelist-Serial"] == "3"
    assert "203.99.48.0/24" in fresh.text


def test_a_publication_elsewhere_is_seen_within_poll_cache_seconds(isp, db, app, two_versions, approved_application,
                                                                   publish, flask_calls, monkeypatch):
    etag = _etag(isp)
    approved_application(["203.99.48.0/24"])
    publish("third")
    # As another process would hold it: the latest it read before this publication.
    whitelist_files.recent_latest(app).put("txt", whitelist_files.file_ref(2, "txt"))
    assert isp.get(TXT, headers={"If-None-Match": etag}).status_code == 304
    _later(monkeypatch, app.config["POLL_CACHE_SECONDS"])
    assert isp.get(TXT, headers={"If-None-Match": etag}).headers["X-Whitelist-Serial"] == "3"


def test_poll_cache_seconds_zero_sends_every_poll_to_flask(app):
    from app import create_app
    from app.api.not_modified import NotModifiedShortcut
    from app.config import TestConfig

    assert isinstance(app.wsgi_app, NotModifiedShortcut)
    config = TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=app.config["REDIS_URL"],
                        INSTANCE_DIR=app.config["INSTANCE_DIR"], POLL_CACHE_SECONDS=0)
    assert not isinstance(create_app(config).wsgi_app, NotModifiedShortcut)
