"""Wrong settings give one clear line naming the setting; secrets are generated once, privately."""
import os
import stat
import subprocess
import sys

import pytest

from app.config import REPO_ROOT, ConfigError, database_url, redis_url
from app.runtime.instance_keys import secret_key, signing_key_pem
from app.runtime.preflight import check_database, check_redis


def test_malformed_urls_name_the_setting(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(ConfigError, match="DATABASE_URL='not a url' is not a database URL"):
        database_url()
    monkeypatch.setenv("REDIS_URL", "http://localhost")
    with pytest.raises(ConfigError, match="REDIS_URL='http://localhost' is not a Redis URL"):
        redis_url()


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
