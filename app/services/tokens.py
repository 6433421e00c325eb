"""API tokens: random, shown once, stored as sha256, revocable, with a last-used time."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import ApiToken, User
from app.models.types import utcnow

TOKEN_PREFIX = "rst_"
# Writing last_used_at on every call would make every ISP poll a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, label: str = "", actor=None) -> str:
    """Create a token for `user` and return it; only its hash is kept. The caller commits."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, label=label[:100], token_hash=_digest(token), prefix=token[:10])
    db.session.add(row)
    db.session.flush()
    audit.record("token.created", row, actor=actor or user, user_id=user.id, prefix=row.prefix)
    return token


def revoke_token(row: ApiToken, actor=None) -> None:
    row.revoked_at = utcnow()
    audit.record("token.revoked", row, actor=actor, user_id=row.user_id, prefix=row.prefix)


def user_for_token(token: str) -> User | None:
    """The active user behind a live token, touching its last-used time."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.session.commit()
    return row.user
