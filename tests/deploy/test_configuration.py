"""Wrong settings give one clear line naming the setting; secrets are generated once, privately."""
import os
import stat
import subprocess
import sys

import pytest

from app.config import (
    REPO_ROOT,
    Config,
    ConfigError,
    database_url,
    document_store,
    redis_url,
    s3_endpoint_url,
    s3_location,
    trusted_proxy,
)
from app.runtime.preflight import check_database, check_redis
from app.system.instance_keys import secret_key, signing_key_pem
from tests.conftest import flask_cli


def test_malformed_urls_name_the_setting(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(ConfigError, match="DATABASE_URL='not a url' is not a database URL"):
        database_url()
    monkeypatch.setenv("REDIS_URL", "http://localhost")
    with pytest.raises(ConfigError, match="REDIS_URL='http://localhost' is not a Redis URL"):
        redis_url()


def test_trusted_proxy_is_an_address_or_nothing(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXY", raising=False)
    assert trusted_proxy() is None
    monkeypatch.setenv("TRUSTED_PROXY", " 0:0::1 ")
    assert trusted_proxy() == "::1"  # as the web server spells the peer's address
    monkeypatch.setenv("TRUSTED_PROXY", "balancer.local")
    with pytest.raises(ConfigError, match="^TRUSTED_PROXY='balancer.local' is not an IP address; use"):
        trusted_proxy()


def test_plain_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"


def test_unreachable_services_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match=r"^DATABASE_URL: cannot connect to postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"):
        check_database("postgresql+psycopg://u:secret@127.0.0.1:1/x")
    with pytest.raises(ConfigError, match="^REDIS_URL: cannot reach redis://127.0.0.1:1/0"):
        check_redis("redis://127.0.0.1:1/0")


def test_worker_with_a_wrong_redis_url_prints_one_line(worker_env):
    env = {**worker_env, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run([sys.executable, "worker.py", "--burst"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("worker: REDIS_URL: cannot reach redis://127.0.0.1:1/0")
    assert "Traceback" not in result.stderr


def test_secrets_are_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("WHITELIST_SIGNING_KEY", raising=False)
    first, again = secret_key(tmp_path), secret_key(tmp_path)
    assert first == again and len(first) == 64
    pem = signing_key_pem(tmp_path)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----") and signing_key_pem(tmp_path) == pem
    for name in ("secret_key", "whitelist-signing-key.pem"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600


@pytest.mark.parametrize("name, value, says", [
    ("MAX_DOCUMENT_BYTES", "10MB", "MAX_DOCUMENT_BYTES='10MB' is not a number of bytes; use a whole number, 1 or more"),
    ("WORKER_TTL", "0", "WORKER_TTL='0' is not a number of seconds; use a whole number, 1 or more, e.g. WORKER_TTL=60"),
    ("VALIDATION_TIMEOUT", "-5", "VALIDATION_TIMEOUT='-5' is not a number of seconds"),
    ("MAX_PREFIX_V4", "33", "MAX_PREFIX_V4='33' is not an IPv4 prefix length; use a whole number, 0 to 32"),
    ("MAX_PREFIX_V6", "/48", "MAX_PREFIX_V6='/48' is not an IPv6 prefix length; use a whole number, 0 to 128"),
    ("APPROVAL_DAYS", "one year", "APPROVAL_DAYS='one year' is not a number of days"),
    ("POLL_CACHE_SECONDS", "1.5", "POLL_CACHE_SECONDS='1.5' is not a number of seconds; use a whole number, 0 or more"),
    ("WEBHOOK_RETRY_INTERVALS", "10, 1m", "WEBHOOK_RETRY_INTERVALS='10, 1m' is not a list of seconds"),
    ("WORKER_TTL", "9" * 5000, "WORKER_TTL='9999"),  # past int()'s own digit limit: still this one line
    ("REQUIRE_ISP_CONFIRMATION", "yes", "REQUIRE_ISP_CONFIRMATION='yes' is not 0 (off) or 1 (on); use a whole "
                                        "number, 0 to 1, e.g. REQUIRE_ISP_CONFIRMATION=0"),
    ("CONFIRMATION_HOURS", "0", "CONFIRMATION_HOURS='0' is not a number of hours; use a whole number, 1 or more"),
    ("CLEAN_LANE_BATCH_SIZE", "0", "CLEAN_LANE_BATCH_SIZE='0' is not a number of applications; use a whole number, "
                                   "1 to 20000, e.g. CLEAN_LANE_BATCH_SIZE=50"),
    ("CLEAN_LANE_BATCH_SIZE", "20001", "CLEAN_LANE_BATCH_SIZE='20001' is not a number of applications"),
])
def test_a_setting_that_is_not_a_number_names_itself(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        Config()
    assert str(refused.value).startswith(says)


def test_numeric_settings_take_numbers_and_fall_back_to_their_defaults(monkeypatch):
    monkeypatch.setenv("MAX_PREFIX_V4", " 24 ")
    monkeypatch.setenv("VALIDATION_TIMEOUT", "900")
    monkeypatch.setenv("POLL_CACHE_SECONDS", "0")
    monkeypatch.setenv("APPROVAL_DAYS", "")            # empty is unset
    monkeypatch.setenv("MAIL_RETRY_INTERVALS", "")     # set but empty: no retries
    monkeypatch.setenv("WEBHOOK_RETRY_INTERVALS", "5, 30,120")
    config = Config()
    assert (config.MAX_PREFIX_V4, config.VALIDATION_TIMEOUT, config.POLL_CACHE_SECONDS) == (24, 900, 0)
    assert config.VALIDATION_LOST_AFTER == 900  # follows VALIDATION_TIMEOUT unless set itself
    assert (config.APPROVAL_DAYS, config.MAIL_RETRY_INTERVALS, config.WEBHOOK_RETRY_INTERVALS) == (365, [], [5, 30, 120])
    assert (config.REQUIRE_ISP_CONFIRMATION, config.CONFIRMATION_HOURS) == (False, 24)
    assert config.CLEAN_LANE_BATCH_SIZE == 50
    monkeypatch.setenv("REQUIRE_ISP_CONFIRMATION", "1")
    monkeypatch.setenv("CONFIRMATION_HOURS", "48")
    assert (Config().REQUIRE_ISP_CONFIRMATION, Config().CONFIRMATION_HOURS) == (True, 48)


def test_the_worker_the_web_server_and_make_run_refuse_a_wrong_number_in_one_line(worker_env):
    env = {**worker_env, "WORKER_TTL": "a minute"}
    for command, prefix in ([[sys.executable, "worker.py", "--burst"], "worker: "],
                            [[sys.executable, "-m", "app.runtime.launcher"], "raasta: "],
                            [[sys.executable, "-m", "app.runtime.web_server", "--bind", "127.0.0.1:0"], "web: "]):
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (f"{prefix}WORKER_TTL='a minute' is not a number of seconds; "
                                         "use a whole number, 1 or more, e.g. WORKER_TTL=60")


def test_the_flask_cli_refuses_a_wrong_setting_in_one_line(worker_env):
    result = flask_cli({**worker_env, "MAX_PREFIX_V4": "/22"}, "whitelist", "publish")
    assert (result.returncode, result.stderr.strip()) == (1, "Error: MAX_PREFIX_V4='/22' is not an IPv4 prefix length; "
                                                             "use a whole number, 0 to 32, e.g. MAX_PREFIX_V4=22")


def test_the_web_server_refuses_a_wrong_process_count_in_one_line(worker_env):
    result = subprocess.run([sys.executable, "-m", "app.runtime.web_server", "--bind", "127.0.0.1:0"], cwd=REPO_ROOT,
                            env={**worker_env, "WEB_CONCURRENCY": "auto"}, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr.strip()) == (2, "web: WEB_CONCURRENCY='auto' is not a number of processes; "
                                                             "use a whole number, 1 to 64, e.g. WEB_CONCURRENCY=2")


def test_the_document_store_is_the_database_or_an_s3_bucket(monkeypatch):
    monkeypatch.delenv("DOCUMENT_STORE", raising=False)
    assert document_store() == "database"
    for given, kept in (("s3://raasta-docs/production/", "s3://raasta-docs/production"),
                        (" s3://raasta.docs-1/a/b ", "s3://raasta.docs-1/a/b"), ("s3://raasta-docs", "s3://raasta-docs")):
        monkeypatch.setenv("DOCUMENT_STORE", given)
        assert document_store() == kept
    assert s3_location("s3://raasta-docs/a/b/") == ("raasta-docs", "a/b")
    for wrong, message in (
            ("disk", "^DOCUMENT_STORE='disk' is not a document store; use DOCUMENT_STORE=database"),
            ("s3://", "^DOCUMENT_STORE='s3://': '' is not an S3 bucket name"),
            ("s3://Raasta_Docs/x", "^DOCUMENT_STORE='s3://Raasta_Docs/x': 'Raasta_Docs' is not an S3 bucket name "
                                   r"\(3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each "
                                   r"end\); use e.g. DOCUMENT_STORE=s3://raasta-documents/production$"),
            ("s3://raasta-docs/a//b", "^DOCUMENT_STORE='s3://raasta-docs/a//b': the prefix 'a//b' may hold only"),
            ("s3://raasta-docs/a b", "the prefix 'a b' may hold only letters"),
            ("s3://raasta-docs/../x", "the prefix '../x' may hold only")):
        monkeypatch.setenv("DOCUMENT_STORE", wrong)
        with pytest.raises(ConfigError, match=message):
            document_store()


def test_an_s3_endpoint_is_an_http_url(monkeypatch):
    monkeypatch.delenv("S3_ENDPOINT_URL", raising=False)
    assert s3_endpoint_url() is None
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    assert s3_endpoint_url() == "http://127.0.0.1:9000"
    monkeypatch.setenv("S3_ENDPOINT_URL", "minio:9000")
    with pytest.raises(ConfigError, match="^S3_ENDPOINT_URL='minio:9000' is not an http or https URL; use e.g. "):
        s3_endpoint_url()


def test_a_malformed_document_store_stops_the_cli_with_one_line(worker_env):
    result = flask_cli({**worker_env, "DOCUMENT_STORE": "s3://UPPER/x"}, "documents", "verify")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "DOCUMENT_STORE='s3://UPPER/x': 'UPPER' is not an S3 bucket name" in result.stderr
