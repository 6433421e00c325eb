"""Configuration from the environment, with embedded defaults that need no service installed."""
import ipaddress
import os
import re
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.choices import DEFAULT_MAX_PREFIX_V4, DEFAULT_MAX_PREFIX_V6
from app.i18n import (
    DEFAULT_PORTAL_OPERATOR,  # shown in the reader's language (portal_operator)
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """Where the embedded database, Redis socket, keys, documents and mail live."""
    return Path(os.environ.get("RAASTA_INSTANCE_DIR") or REPO_ROOT / "instance")


def embedded_redis_socket() -> Path:
    return instance_dir() / "redis.sock"


class ConfigError(RuntimeError, click.ClickException):
    """A setting is wrong; the message names the setting and says what to do.

    Also a ClickException, so the `flask` CLI prints it as one "Error: ..." line, not a traceback."""

    def __init__(self, message: str):
        RuntimeError.__init__(self, message)
        click.ClickException.__init__(self, message)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir() / 'raasta.db'}"
    # Heroku-style and bare postgres:// URLs would pick psycopg2, which we do not ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    try:
        make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL={url!r} is not a database URL; use e.g. "
            "postgresql+psycopg://user@host:5432/dbname, or unset it for the embedded SQLite file"
        ) from None
    return url


def redis_url() -> str:
    """REDIS_URL, or the embedded server's socket that the launcher (or the tests) start."""
    url = os.environ.get("REDIS_URL") or f"unix://{embedded_redis_socket()}"
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"REDIS_URL={url!r} is not a Redis URL; use redis://host:6379/0 or unix:///path/to/redis.sock"
        )
    return url


def document_store() -> str:
    """DOCUMENT_STORE: where documents' bytes live (app.services.document_store): `database`, or
    `s3://bucket/prefix` for an S3-compatible object store (checked here, so a typo stops the start)."""
    setting = os.environ.get("DOCUMENT_STORE", "").strip() or "database"
    if setting.startswith("s3://"):
        bucket, prefix = s3_location(setting)
        return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    if setting != "database":
        raise ConfigError(f"DOCUMENT_STORE={setting!r} is not a document store; use DOCUMENT_STORE=database "
                          "(the default: documents are kept in the database) or DOCUMENT_STORE=s3://bucket/prefix "
                          "(an S3-compatible object store)")
    return setting


# S3's rule for bucket names: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX_PART = re.compile(r"[A-Za-z0-9!_.*'()-]+")  # S3's "safe characters" for keys


def s3_location(setting: str) -> tuple[str, str]:
    """(bucket, prefix) of DOCUMENT_STORE=s3://bucket/prefix; the prefix has no slash at either end, and may be
    empty (documents at the bucket's top)."""
    bucket, _, prefix = setting.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    example = "use e.g. DOCUMENT_STORE=s3://raasta-documents/production"
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ConfigError(f"DOCUMENT_STORE={setting!r}: {bucket!r} is not an S3 bucket name (3 to 63 lowercase "
                          f"letters, digits, dots and hyphens, a letter or digit at each end); {example}")
    if prefix and not all(_PREFIX_PART.fullmatch(part) and part not in (".", "..") for part in prefix.split("/")):
        raise ConfigError(f"DOCUMENT_STORE={setting!r}: the prefix {prefix!r} may hold only letters, digits and "
                          f"!_.*'()- between single slashes; {example}")
    return bucket, prefix


def s3_endpoint_url() -> str | None:
    """S3_ENDPOINT_URL: an S3-compatible service's address (MinIO, Ceph); unset: AWS's own S3."""
    return http_url("S3_ENDPOINT_URL", "S3_ENDPOINT_URL=http://127.0.0.1:9000, or unset it for AWS's own S3")


def http_url(name: str, example: str) -> str | None:
    """The setting `name` as an http(s) URL with a host, or None when unset; `example` ends the refusal's hint.
    A URL holding a key (user:key@) is not repeated in the refusal."""
    url = os.environ.get(name, "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port out of range)
    except ValueError:
        parts = None
    if url and (parts is None or parts.scheme not in ("https", "http") or not parts.hostname):
        shown = repr(url) if "@" not in url else "(hidden: it holds a key)"
        raise ConfigError(f"{name}={shown} is not an http or https URL; use e.g. {example}")
    return url or None


def whole_number(name: str, default: int, what: str, minimum: int = 1, maximum: int | None = None) -> int:
    """The setting `name` as a whole number from minimum to maximum; `default` when unset or empty."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    # 12 digits at most: int() of a 5,000-digit string would raise its own error, not this one.
    if (not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < minimum
            or (maximum is not None and int(text) > maximum)):
        bounds = f"{minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise ConfigError(f"{name}={text!r} is not {what}; use a whole number, {bounds}, e.g. {name}={default}")
    return int(text)


def seconds_list(name: str, default: list[int]) -> list[int]:
    """The setting `name` as comma-separated seconds (pauses between retries); `default` when unset.
    Set but empty means no retries."""
    text = os.environ.get(name)
    if text is None:
        return default
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not all(value.isascii() and value.isdigit() and len(value) <= 12 for value in values):
        raise ConfigError(f"{name}={text!r} is not a list of seconds; use whole numbers separated by commas, "
                          f"e.g. {name}={','.join(map(str, default))}")
    return [int(value) for value in values]


def sms_url() -> str | None:
    """SMS_URL, the SMS gateway's address (an HTTP POST per message), or None: each SMS becomes a file."""
    return http_url("SMS_URL",
                    "https://user:key@sms.example.pk/send, or unset it to write each SMS under instance/sms/")


def radius_filter_id() -> str:
    """RADIUS_FILTER_ID, the Filter-Id the subscriber feeds' FreeRADIUS `users` file gives each subscriber.

    Written inside double quotes in that file: a quote, backslash, newline or other control character would
    break the file every operator loads, so it is refused here, at startup, not at the first publication."""
    value = os.environ.get("RADIUS_FILTER_ID", "").strip() or "raasta-vpn"
    if len(value) > 64 or any(c in '"\\' or not c.isprintable() or not c.isascii() for c in value):
        raise ConfigError(f"RADIUS_FILTER_ID={value!r} cannot be written in a FreeRADIUS users file; use up to 64 "
                          "printable ASCII characters without quotes or backslashes, e.g. RADIUS_FILTER_ID=raasta-vpn")
    return value


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday()'s order


def working_days() -> tuple[int, ...]:
    """WORKING_DAYS: the days the decision clock runs, as weekday numbers (0 = Monday). Written as day names
    and ranges separated by commas, e.g. "mon-fri" (the default), "mon,tue,wed,thu,fri" or "mon-thu,sat"."""
    text = os.environ.get("WORKING_DAYS", "").strip().lower() or "mon-fri"
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        first, _, last = part.partition("-")
        first, last = first.strip(), (last.strip() if _ else first.strip())
        if (first not in WEEKDAY_NAMES or last not in WEEKDAY_NAMES
                or WEEKDAY_NAMES.index(last) < WEEKDAY_NAMES.index(first)):
            raise ConfigError(f"WORKING_DAYS={text!r} is not a list of days: {part!r} is not a day name or a range "
                              "from an earlier to a later day; use mon tue wed thu fri sat sun, e.g. "
                              "WORKING_DAYS=mon-fri or WORKING_DAYS=mon,tue,wed,thu,fri")
        days.update(range(WEEKDAY_NAMES.index(first), WEEKDAY_NAMES.index(last) + 1))
    return tuple(sorted(days))


def _clock_time(text: str) -> time | None:
    hours, _, minutes = text.strip().partition(":")
    if not (len(hours) in (1, 2) and len(minutes) == 2 and (hours + minutes).isascii() and (hours + minutes).isdigit()):
        return None
    if int(hours) == 24 and int(minutes) == 0:
        return time.max  # 24:00, the end of the day
    return time(int(hours), int(minutes)) if int(hours) < 24 and int(minutes) < 60 else None


def working_hours() -> tuple[time, time]:
    """WORKING_HOURS: the hours of a working day the decision clock runs, in Pakistan time, "HH:MM-HH:MM"."""
    text = os.environ.get("WORKING_HOURS", "").strip() or "09:00-17:00"
    start, _, end = text.partition("-")
    start, end = _clock_time(start), _clock_time(end)
    if start is None or end is None:
        raise ConfigError(f"WORKING_HOURS={text!r} is not a span of hours; use HH:MM-HH:MM in Pakistan time, "
                          "e.g. WORKING_HOURS=09:00-17:00")
    if start >= end:
        raise ConfigError(f"WORKING_HOURS={text!r} ends before it starts; the start must be earlier than the end, "
                          "e.g. WORKING_HOURS=09:00-17:00")
    return start, end


def trusted_proxy() -> str | None:
    """TRUSTED_PROXY: the load balancer's address as the web server sees it, or None when clients connect directly.

    Only from that address are X-Forwarded-For and X-Forwarded-Proto believed: behind a balancer every request
    comes from it, so without this every client would share one sign-in rate limit and one audit address."""
    value = os.environ.get("TRUSTED_PROXY", "").strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))  # the spelling the web server compares REMOTE_ADDR with
    except ValueError:
        raise ConfigError(f"TRUSTED_PROXY={value!r} is not an IP address; use the load balancer's address as the "
                          "web server sees it, e.g. TRUSTED_PROXY=127.0.0.1, or unset it when clients connect "
                          "directly") from None


def limiter_storage(url: str) -> str:
    """Flask-Limiter (the `limits` package) spells a unix socket URL differently from redis-py."""
    return "redis+unix://" + url[len("unix://"):] if url.startswith("unix://") else url


class Config:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a long form on a slow phone must not expire mid-way
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    # The remember-me cookie signs a user in by itself: the same flags as the session cookie.
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600  # seconds
    SMTP_URL = os.environ.get("SMTP_URL")  # smtp://user:pw@host:587; unset: mail goes to instance/mail/*.eml
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")  # links in emails
    MAIL_FROM = os.environ.get("MAIL_FROM", "Raasta <no-reply@raasta.pk>")
    # Only for tests and closed networks: let webhooks reach loopback and private addresses.
    WEBHOOK_ALLOW_PRIVATE_HOSTS = os.environ.get("WEBHOOK_ALLOW_PRIVATE_HOSTS", "0") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    # A Redis outage must not take sign-in down with it: the limiter gives up after 2 s and lets the request in.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2}
    RATELIMIT_SIGN_IN = os.environ.get("RATELIMIT_SIGN_IN", "10 per minute")
    VERSION = "0.1.0"

    def __init__(self):
        # Read at instantiation, so tests and the launcher can set the environment first.
        self.INSTANCE_DIR = instance_dir()
        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.REDIS_URL = redis_url()
        self.RATELIMIT_STORAGE_URI = limiter_storage(self.REDIS_URL)
        self.SECRET_KEY = os.environ.get("SECRET_KEY")  # else generated into instance/ by create_app
        # Who runs the portal, as every page's footer and the home page say it: "Raasta is operated for ...".
        # A setting, not a page an admin edits: it shows even on the error page of a database outage.
        self.PORTAL_OPERATOR = os.environ.get("PORTAL_OPERATOR", "").strip() or DEFAULT_PORTAL_OPERATOR
        self.DOCUMENT_STORE = document_store()
        # With DOCUMENT_STORE=s3://...: credentials and region come from boto3's usual places (AWS_ACCESS_KEY_ID,
        # AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, ~/.aws, an instance role); this names a non-AWS service.
        self.S3_ENDPOINT_URL = s3_endpoint_url()
        self.MAX_DOCUMENT_BYTES = whole_number("MAX_DOCUMENT_BYTES", 10 * 1024 * 1024, "a number of bytes")
        # Seconds a worker stays registered without a heartbeat (it sends one every quarter of this, even
        # mid-job): a killed worker is gone from Redis, and its job counted lost, within this time.
        self.WORKER_TTL = whole_number("WORKER_TTL", 60, "a number of seconds")
        self.VALIDATION_TIMEOUT = whole_number("VALIDATION_TIMEOUT", 600, "a number of seconds")  # then RQ stops a job
        # Validating for longer than this, with no job waiting for it: the sweeper queues it again.
        self.VALIDATION_STUCK_AFTER = whole_number("VALIDATION_STUCK_AFTER", 60, "a number of seconds", minimum=0)
        # A job still "started" after this many seconds is taken for lost (its worker killed): the sweeper
        # queues its applications again. Apart from VALIDATION_TIMEOUT, the limit RQ puts on the job itself.
        self.VALIDATION_LOST_AFTER = whole_number("VALIDATION_LOST_AFTER", self.VALIDATION_TIMEOUT,
                                                  "a number of seconds", minimum=0)
        # Wider than these is "too broad".
        self.MAX_PREFIX_V4 = whole_number("MAX_PREFIX_V4", DEFAULT_MAX_PREFIX_V4, "an IPv4 prefix length", 0, 32)
        self.MAX_PREFIX_V6 = whole_number("MAX_PREFIX_V6", DEFAULT_MAX_PREFIX_V6, "an IPv6 prefix length", 0, 128)
        # One CNIC or NTN holding more subscriptions than this (approved, pending and the one validated, across its
        # applications) gets the reviewers' subscription.many_per_holder warning: a freelancer has a phone or two.
        self.SUBSCRIPTIONS_PER_HOLDER_WARN = whole_number("SUBSCRIPTIONS_PER_HOLDER_WARN", 5,
                                                          "a number of subscriptions")
        self.APPROVAL_DAYS = whole_number("APPROVAL_DAYS", 365, "a number of days")  # an approval expires after it
        # 1: an application whose ISP has not confirmed the subscriber id cannot be batched, unless the answer is
        # CONFIRMATION_HOURS overdue and a reviewer overrides isp.pending with a reason (isp_confirmation_rule).
        self.REQUIRE_ISP_CONFIRMATION = whole_number("REQUIRE_ISP_CONFIRMATION", 0, "0 (off) or 1 (on)",
                                                     minimum=0, maximum=1) == 1
        self.CONFIRMATION_HOURS = whole_number("CONFIRMATION_HOURS", 24, "a number of hours")
        # The clean lane (services.review.clean_lane) offers the maker clean applications in batches of at most this
        # many; at most review.batches.MAX_BATCH, the most one batch holds.
        self.CLEAN_LANE_BATCH_SIZE = whole_number("CLEAN_LANE_BATCH_SIZE", 50, "a number of applications",
                                                  maximum=20_000)
        # The decision clock (services.decision_clock): a submitted application's decision is due DECISION_HOURS
        # working hours later, counted on WORKING_DAYS within WORKING_HOURS (Pakistan time), skipping the holidays
        # an admin lists; it pauses while the applicant owes information (needs_info).
        self.DECISION_HOURS = whole_number("DECISION_HOURS", 8, "a number of working hours", maximum=10_000)
        self.WORKING_DAYS = working_days()
        self.WORKING_HOURS = working_hours()
        # The mail queue's pauses (seconds) between tries while the SMTP server refuses or is away: about 10 hours.
        self.MAIL_RETRY_INTERVALS = seconds_list("MAIL_RETRY_INTERVALS", [30, 60, 300, 900, 1800, 3600] + [7200] * 4)
        # SMS codes: sent by an HTTP POST to SMS_URL (user:key@ in it is sent as HTTP basic auth), or written under
        # instance/sms/ without it. A code lives 10 minutes, so the retries are short: about 4 minutes in all.
        self.SMS_URL = sms_url()
        self.SMS_TIMEOUT = whole_number("SMS_TIMEOUT", 10, "a number of seconds")
        self.SMS_RETRY_INTERVALS = seconds_list("SMS_RETRY_INTERVALS", [5, 15, 30, 60, 120])
        # Webhook notices: seconds per try, then the waits between retries (backoff); then the delivery fails.
        self.WEBHOOK_TIMEOUT = whole_number("WEBHOOK_TIMEOUT", 10, "a number of seconds")
        self.WEBHOOK_RETRY_INTERVALS = seconds_list("WEBHOOK_RETRY_INTERVALS", [10, 60, 300, 900, 3600])
        # The Filter-Id the operators' RADIUS `users` feed gives each approved subscriber (their policy's name).
        self.RADIUS_FILTER_ID = radius_filter_id()
        # An ISP's poll that changes nothing (304) may be answered from what this web process learnt this many
        # seconds ago: the token's verdict and the latest version (app/api/not_modified.py). 0: always ask the database.
        # How long opening a database connection may wait while PostgreSQL restarts (app.system.database_restarts).
        self.DATABASE_CONNECT_WAIT = whole_number("DATABASE_CONNECT_WAIT", 10, "a number of seconds", minimum=0)
        self.POLL_CACHE_SECONDS = whole_number("POLL_CACHE_SECONDS", 5, "a number of seconds", minimum=0)
        self.TRUSTED_PROXY = trusted_proxy()
        # Fees (services.fees): a payment reference is valid this many days, then renewed by a new one.
        self.PAYMENT_REFERENCE_DAYS = whole_number("PAYMENT_REFERENCE_DAYS", 7, "a number of days")
        # The payment aggregator's callback: HMAC-SHA256 key shared with it (unset: every callback is refused, 403),
        # and how far its signed timestamp may be from our clock, in seconds (docs/payments.md).
        self.PAYMENT_CALLBACK_SECRET = os.environ.get("PAYMENT_CALLBACK_SECRET", "").strip() or None
        self.PAYMENT_CALLBACK_WINDOW = whole_number("PAYMENT_CALLBACK_WINDOW", 300, "a number of seconds")
        # Werkzeug refuses bodies past this with 413 before reading them; the document service then
        # applies the exact cap with a message naming the file.
        self.MAX_CONTENT_LENGTH = self.MAX_DOCUMENT_BYTES + 1024 * 1024
        # The web server takes bodies up to this (into a temporary file, never into memory), so that a
        # document sent far over the cap by a browser without JavaScript is still answered by the portal,
        # naming the file from the body's first bytes (web.applicant.oversized); past this it refuses before
        # reading, with the portal's page naming the limit (runtime.body_limit).
        self.MAX_REQUEST_BODY_BYTES = 4 * self.MAX_DOCUMENT_BYTES + 1024 * 1024


class TestConfig(Config):
    __test__ = False  # not a pytest test class, despite the name
    TESTING = True
    WTF_CSRF_ENABLED = False  # tests that exercise CSRF turn it back on themselves
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_PROFILE = "CHEAPEST"  # argon2's test profile: the suite creates hundreds of accounts

    def __init__(self, **overrides):
        """Overrides are config keys, e.g. TestConfig(SQLALCHEMY_DATABASE_URI=..., REDIS_URL=...)."""
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or "test-only-secret"
        for key, value in overrides.items():
            setattr(self, key, value)
        self.RATELIMIT_STORAGE_URI = limiter_storage(self.REDIS_URL)
