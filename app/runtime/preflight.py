"""Reachability checks that turn a wrong DATABASE_URL, REDIS_URL or DOCUMENT_STORE into one clear line."""
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.config import ConfigError, s3_location


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


def check_document_store(setting: str, endpoint_url: str | None) -> None:
    """With DOCUMENT_STORE=s3://bucket/prefix: the bucket is there and the credentials may use it."""
    if not setting.startswith("s3://"):
        return
    from botocore.exceptions import BotoCoreError, ClientError

    from app.services.document_store.s3 import make_client  # boto3: loaded only for an S3 store

    bucket, _ = s3_location(setting)
    try:
        make_client(endpoint_url).head_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"DOCUMENT_STORE: cannot use the bucket {bucket!r} at {endpoint_url or 'AWS S3'}: {exc}; "
                          "check the bucket's name, S3_ENDPOINT_URL and the AWS credentials") from None
