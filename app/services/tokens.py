"""API tokens: random, shown once, stored as sha256, revocable, with a last-used time."""
import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app import audit
from app.after_commit import call_after_commit
from app.extensions import db
from app.models import ApiToken, User
from app.models.types import utcnow
from app.services.recent import Recent

TOKEN_PREFIX = "rst_"
SHOWN_CHARACTERS = 10  # the prefix and six more, kept in clear so a user can tell their tokens apart
# Writing last_used_at on every call would make every ISP poll a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_VERDICTS = "raasta.token_verdicts"


class Verdict(NamedTuple):
    """What this process last found behind a live token of an active user."""

    user_id: int
    role: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def recent_verdicts(app: Flask) -> Recent:
    """Tokens this process found live in the last POLL_CACHE_SECONDS, by digest. Only the 304 shortcut
    for whitelist polls (app/api/not_modified.py) trusts them; every other request checks the database."""
    verdicts = app.extensions.get(_VERDICTS)
    if verdicts is None:
        verdicts = app.extensions[_VERDICTS] = Recent(app.config["POLL_CACHE_SECONDS"])
    return verdicts


def issue_token(user: User, label: str = "", actor=None) -> str:
    """Create a token for `user` and return it; only its hash is kept. The caller commits."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, label=label[:ApiToken.label.type.length], token_hash=digest(token),
                   prefix=token[:SHOWN_CHARACTERS])
    db.session.add(row)
    db.session.flush()
    audit.record("token.created", row, actor=actor or user, user_id=user.id, prefix=row.prefix)
    return token


def revoke_token(row: ApiToken, actor=None) -> None:
    row.revoked_at = utcnow()
    audit.record("token.revoked", row, actor=actor, user_id=row.user_id, prefix=row.prefix)
    verdicts, token_hash = recent_verdicts(current_app), row.token_hash
    verdicts.forget(token_hash)
    call_after_commit(lambda: verdicts.forget(token_hash))  # a poll in between may have put it back


# The token and its user's role in one Core query: every API call (every ISP poll, most of them answered
# 304) starts here, and loading both rows as ORM objects cost more CPU than the rest of a 304 answer.
_LIVE_TOKEN = (select(ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at, User.id.label("user_id"), User.role,
                      User.active)
               .join(User, User.id == ApiToken.user_id)
               .where(ApiToken.token_hash == bindparam("digest")))


def user_for_token(token: str) -> tuple[User | None, int | None]:
    """The active user behind a live token, and the token's id when its last-used time is due to be written
    (once a minute at most: mark_used(), which the caller commits, so the time stands even for a read)."""
    token_digest = digest(token)
    row = db.session.connection().execute(_LIVE_TOKEN, {"digest": token_digest}).first()
    verdicts = recent_verdicts(current_app)
    if row is None or row.revoked_at is not None or not row.active:
        verdicts.forget(token_digest)  # revoked by another process: its 304s stop here too
        return None, None
    verdicts.put(token_digest, Verdict(row.user_id, row.role))
    stale = row.last_used_at is None or utcnow() - row.last_used_at > LAST_USED_RESOLUTION
    return _known_user(row.user_id, role=row.role, active=row.active), row.id if stale else None


def mark_used(token_id: int) -> None:
    """Write a token's last-used time (now), in the caller's transaction."""
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def _known_user(user_id: int, **loaded) -> User:
    """The session's User `user_id`, built from columns already read instead of a second SELECT.

    Its other columns and relationships load on first use, as for any expired object.
    """
    user = db.session.identity_map.get(identity_key(User, user_id))
    if user is None:
        user = User(id=user_id, **loaded)
        make_transient_to_detached(user)  # persistent, unchanged: nothing to flush
        db.session.add(user)
    return user
