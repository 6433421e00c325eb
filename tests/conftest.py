"""Layered fixtures: services (session) -> app (clean database per test) -> client, login, factories.

The suite runs on whatever DATABASE_URL and REDIS_URL say; without them it uses a SQLite file and
an embedded Redis of its own. Each test starts from a freshly migrated, empty database that other
processes (a real RQ worker) can see, so jobs are tested through a real worker, not mocks.
"""
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, inspect, text

from app import create_app, embedded_redis
from app.config import REPO_ROOT, ConfigError, TestConfig
from app.extensions import db as _db
from app.preflight import check_database, check_redis

PASSWORD = "correct horse battery staple"


@dataclass
class Services:
    database_url: str | None  # None: a per-test copy of the migrated SQLite template
    sqlite_template: Path | None
    redis_url: str


def _migrate(database_url: str, instance: Path) -> None:
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, INSTANCE_DIR=instance,
                                REDIS_URL="redis://unused"))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        _db.engine.dispose()


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def services(tmp_path_factory):
    base = tmp_path_factory.mktemp("services")
    redis_process = None
    redis_url = os.environ.get("REDIS_URL")
    database_url = os.environ.get("DATABASE_URL")
    try:
        if database_url:
            check_database(database_url)
        if redis_url:
            check_redis(redis_url)
    except ConfigError as exc:
        pytest.exit(str(exc), returncode=2)
    if not redis_url:
        socket_path = base / "redis.sock"
        redis_process = embedded_redis.start(socket_path)
        redis_url = embedded_redis.url(socket_path)
    template = None
    if database_url:
        _reset_postgres_schema(database_url)
        _migrate(database_url, base / "instance")
    else:
        template = base / "template.db"
        _migrate(f"sqlite:///{template}", base / "instance")
    yield Services(database_url, template, redis_url)
    if redis_process:
        redis_process.terminate()
        redis_process.wait(timeout=10)


def _clean_database_url(services: Services, tmp_path: Path) -> str:
    if services.sqlite_template:
        path = tmp_path / "raasta.db"
        shutil.copyfile(services.sqlite_template, path)
        return f"sqlite:///{path}"
    engine = create_engine(services.database_url)
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return services.database_url


@pytest.fixture
def app(services, tmp_path):
    Redis.from_url(services.redis_url).flushdb()
    config = TestConfig(
        SQLALCHEMY_DATABASE_URI=_clean_database_url(services, tmp_path),
        REDIS_URL=services.redis_url,
        INSTANCE_DIR=tmp_path / "instance",
    )
    app = create_app(config)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


class RequestContextClient(FlaskClient):
    """Each request gets its own app context, hence its own `g` and database session, as in production.

    Without this, requests would share the test's app context: the signed-in user cached in `g`
    would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = RequestContextClient
    return app.test_client()


@pytest.fixture
def make_user(db):
    """Factory: make_user(role="reviewer") -> a committed User with password PASSWORD."""
    from app.services.accounts import create_user

    counter = iter(range(1, 10_000))

    def make(role: str = "applicant", email: str | None = None, name: str = ""):
        n = next(counter)
        user = create_user(email or f"{role}{n}@example.pk", PASSWORD, role=role, name=name or f"{role.title()} {n}")
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """login(user): sign `user` in on the shared test client through the real sign-in form."""

    def sign_in(user):
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in


@pytest.fixture
def api(client, db):
    """api(user) -> a client whose requests carry a fresh bearer token for `user`."""
    from app.services.tokens import issue_token

    class ApiClient:
        def __init__(self, token: str):
            self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method):
            call = getattr(client, method)
            return lambda url, **kw: call(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def for_user(user):
        token = issue_token(user, "test")
        db.session.commit()
        return ApiClient(token)

    return for_user


@pytest.fixture
def worker_env(app):
    """Environment for a worker or CLI subprocess that shares this test's database and Redis."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "RAASTA_INSTANCE_DIR": str(app.config["INSTANCE_DIR"]),
        "SECRET_KEY": app.config["SECRET_KEY"],
    }


@pytest.fixture
def run_worker(worker_env):
    """Run a real RQ worker process in burst mode until the queues are empty."""

    def run(timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "worker.py", "--burst"], cwd=REPO_ROOT, env=worker_env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stderr
        return result

    return run
