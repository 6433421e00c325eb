"""Reachability checks that turn a wrong DATABASE_URL or REDIS_URL into one clear line."""
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.config import ConfigError


def check_database(url: str) -> None:
    try:
        engine = create_engine(url, connect_args=_connect_timeout(url))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except (SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError(
            f"DATABASE_URL: cannot connect to {make_url(url).render_as_string(hide_password=True)}: {reason}"
        ) from None


def _connect_timeout(url: str) -> dict:
    return {"connect_timeout": 5} if url.startswith("postgresql") else {}


def check_redis(url: str) -> None:
    try:
        Redis.from_url(url, socket_connect_timeout=5).ping()
    except (RedisError, OSError, ValueError) as exc:
        raise ConfigError(f"REDIS_URL: cannot reach {url}: {exc}") from None
