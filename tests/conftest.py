"""Layered fixtures: services (session) -> app (clean database per test) -> client, login, factories.

The suite runs on whatever DATABASE_URL and REDIS_URL say; without them it uses a SQLite file and
an embedded Redis of its own. Each test starts from a freshly migrated, empty database that other
processes (a real RQ worker) can see, so jobs are tested through a real worker, not mocks.

Under pytest-xdist (`make test` runs `-n`), each xdist worker gets a database and a Redis database of
its own: DATABASE_URL's database name with the worker's id appended (created when missing), and
REDIS_URL's database number plus the worker's index. Without xdist the URLs are used as given.
"""
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from flask.testing import FlaskClient
from redis import Redis
from redis.connection import parse_url
from sqlalchemy import MetaData, Table, create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import REPO_ROOT, ConfigError, TestConfig
from app.extensions import db as _db
from app.runtime import embedded_redis
from app.runtime.preflight import check_database, check_redis
from tests.s3_emulator import s3_emulator, s3_store  # noqa: F401  (fixtures for the S3 document store's tests)

PASSWORD = "correct horse battery staple"


def flask_cli(env: dict, *args: str, text: bool = True) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` as an operator runs it, in its own process (env: the worker_env fixture's)."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=text, timeout=120)


@dataclass
class Services:
    database_url: str | None  # None: a per-test copy of the migrated SQLite template
    sqlite_template: Path | None
    redis_url: str
    seed_rows: dict[str, list[dict]] | None = None  # PostgreSQL: what the migrations wrote, put back each test


def _migrate(database_url: str, instance: Path) -> None:
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, INSTANCE_DIR=instance,
                                REDIS_URL="redis://unused"))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        _db.engine.dispose()


REDIS_DATABASES = 16  # Redis's default `databases` setting


def _xdist_worker() -> tuple[str, int] | None:
    """("gw3", 3) inside a pytest-xdist worker, None in a plain run."""
    name = os.environ.get("PYTEST_XDIST_WORKER")
    return (name, int(name.removeprefix("gw"))) if name else None


def _check_superuser(url: str) -> None:
    """The suite creates a database per xdist process and empties tables with triggers off (_empty_postgres)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        superuser = connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    engine.dispose()
    if not superuser:
        raise ConfigError(f"DATABASE_URL: the test suite needs a PostgreSQL superuser (it creates a database per "
                          f"test process and empties tables with triggers off); "
                          f"{make_url(url).username or 'this role'} is not one")


def _worker_database(url: str, worker: str) -> str:
    """The xdist worker's own PostgreSQL database beside DATABASE_URL's, created on first use."""
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": own.database}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _worker_redis(url: str, index: int) -> str:
    """The xdist worker's own Redis database: REDIS_URL's number plus the worker's index."""
    number = int(parse_url(url).get("db", 0)) + index
    if number >= REDIS_DATABASES:
        pytest.exit(f"REDIS_URL {url}: xdist worker {index} would need Redis database {number}; "
                    f"use fewer workers (-n) or a lower database number", returncode=2)
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "db"]
    if parts.scheme == "unix":  # unix:///path/redis.sock?db=N
        return urlunsplit(parts._replace(query=urlencode([*query, ("db", number)])))
    return urlunsplit(parts._replace(path=f"/{number}", query=urlencode(query)))


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
            _check_superuser(database_url)
        if redis_url:
            check_redis(redis_url)
    except ConfigError as exc:
        pytest.exit(str(exc), returncode=2)
    worker = _xdist_worker()
    if worker and database_url:
        database_url = _worker_database(database_url, worker[0])
    if worker and redis_url:
        redis_url = _worker_redis(redis_url, worker[1])
    if not redis_url:
        socket_path = base / "redis.sock"
        redis_process = embedded_redis.start(socket_path)
        redis_url = embedded_redis.url(socket_path)
    template = seed_rows = None
    if database_url:
        _reset_postgres_schema(database_url)
        _migrate(database_url, base / "instance")
        seed_rows = _seed_rows(database_url)
    else:
        template = base / "template.db"
        _migrate(f"sqlite:///{template}", base / "instance")
    yield Services(database_url, template, redis_url, seed_rows)
    if redis_process:
        redis_process.terminate()
        redis_process.wait(timeout=10)


def _clean_database_url(services: Services, tmp_path: Path) -> str:
    if services.sqlite_template:
        path = tmp_path / "raasta.db"
        shutil.copyfile(services.sqlite_template, path)
        return f"sqlite:///{path}"
    _empty_postgres(services.database_url, services.seed_rows)
    return services.database_url


def _seed_rows(url: str) -> dict[str, list[dict]]:
    """The rows the migrations themselves write (the mobile operators), by table: a test starts with them, as
    it does on SQLite, whose per-test database is a copy of the migrated one."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        found = {table: [dict(row._mapping) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
                 for table in tables}
    engine.dispose()
    return {table: rows for table, rows in found.items() if rows}


def _empty_postgres(url: str, seed_rows: dict[str, list[dict]] | None = None) -> None:
    """Every row gone and every id counting from 1 again, as in a freshly migrated database (with the rows the
    migrations wrote put back, their ids counting on from theirs).

    DELETE, not TRUNCATE: truncating two dozen tables makes new files for each and took 0.4 s a test,
    deleting a test's few rows takes a few ms. The replica role skips the triggers for this transaction
    only: foreign keys (so the order does not matter) and the audit trail's append-only guard, which
    TRUNCATE does not fire either. setval() resets the ids without ALTER SEQUENCE's catalog writes.
    """
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.exec_driver_sql("; ".join(f'DELETE FROM "{table}"' for table in tables))
        connection.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                                "FROM pg_sequences WHERE schemaname = 'public'"))
        for table, rows in (seed_rows or {}).items():
            connection.execute(Table(table, MetaData(), autoload_with=connection).insert(), rows)
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                                    f'FROM "{table}"'))
    engine.dispose()


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
def applicant_with(make_user, api):
    """applicant_with(profile_json) -> an API client of a new applicant whose profile is saved through the API;
    `.user` is the User."""

    def make(profile: dict):
        user = make_user(role="applicant")
        client = api(user)
        response = client.put("/api/v1/profile", json=profile)
        assert response.status_code == 200, response.json
        client.user = user
        return client

    return make


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


@pytest.fixture
def make_applicant(db, make_user):
    """make_applicant(name="Indus Soft") -> a committed applicant with a firm profile."""
    from app.services.profiles import ProfileInput, save_profile

    def make(name: str = "Indus Soft (Pvt) Ltd", isp: str = "PTCL", subscriber: str = "PTCL-1"):
        user = make_user()
        save_profile(user, ProfileInput(kind="firm", name=name, city="Lahore", ntn="1234567-8",
                                        isp_name=isp, isp_subscriber_id=subscriber))
        db.session.commit()
        return user

    return make


@pytest.fixture
def approved_application(db, make_applicant):
    """approved_application(["39.32.0.0/24"], applicant=None) -> an approved application whose
    prefixes are in the approved space, as a batch approval leaves it (without the batch)."""
    from datetime import timedelta

    from app.addresses import parse_entry
    from app.choices import State
    from app.models import AddressEntry, Application, ApprovedPrefix
    from app.models.types import utcnow
    from app.services.publication import dirty

    def make(entries, applicant=None, category="company_vpn", days=365):
        applicant = applicant or make_applicant()
        now = utcnow()
        application = Application(applicant=applicant, purpose="test", category=category, state=State.APPROVED,
                                  submitted_at=now, validated_at=now, approved_at=now,
                                  expires_at=now + timedelta(days=days), decision_due_at=now + timedelta(hours=8))
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            entry = AddressEntry(position=position, input=text, version=rng.version, start=rng.start,
                                 end=rng.end, cidrs=rng.cidrs)
            application.entries.append(entry)
        db.session.add(application)
        db.session.flush()
        for entry in application.entries:
            for cidr in entry.cidrs:
                net = parse_entry(cidr)
                db.session.add(ApprovedPrefix(application_id=application.id, entry_id=entry.id,
                                              applicant_id=applicant.id, version=net.version, start=net.start,
                                              end=net.end, prefixlen=int(cidr.rsplit("/", 1)[1]), network=cidr))
                dirty.mark_spans([(net.version, net.start, net.end)])  # as approved_space.add does
        db.session.commit()
        return application

    return make


@pytest.fixture
def make_reviewable(db, make_applicant):
    """make_reviewable(["39.32.0.0/24"], state="ready", findings=[("code", "error")], applicant=None,
    submitted_at=None, decision_due_at=None) -> a committed application as validation leaves it: submitted,
    validated, with its findings (on the application, not on an entry), and a decision due time (by default 8 hours
    of wall-clock time after submission: in submission order whatever the hour the test runs; the clock's own
    tests submit through the API)."""
    from datetime import timedelta

    from app.addresses import parse_entry
    from app.choices import State
    from app.models import AddressEntry, Application, Finding
    from app.models.types import utcnow

    def make(entries, state=State.READY, findings=(), applicant=None, submitted_at=None, category="company_vpn",
             decision_due_at=None):
        applicant = applicant or make_applicant()
        now = utcnow()
        submitted_at = submitted_at or now
        application = Application(applicant=applicant, purpose="test", category=category, state=state,
                                  submitted_at=submitted_at, validated_at=now,
                                  decision_due_at=decision_due_at or submitted_at + timedelta(hours=8))
        for position, text in enumerate(entries):
            rng = parse_entry(text)
            application.entries.append(AddressEntry(position=position, input=text, version=rng.version,
                                                    start=rng.start, end=rng.end, cidrs=rng.cidrs))
        for code, severity in findings:
            application.findings.append(Finding(code=code, severity=severity, message=f"{code} ({severity})"))
        db.session.add(application)
        db.session.commit()
        return application

    return make


@pytest.fixture
def make_sponsor(db, make_user):
    """make_sponsor(name="P@SHA", approved=True) -> (sponsor, its sponsor user)."""
    import io

    from werkzeug.datastructures import FileStorage

    from app.choices import SponsorPaper, SponsorState
    from app.services.sponsors.papers import store_paper
    from app.services.sponsors.registry import create_sponsor_user, decide, update_details
    from tests.applicant.conftest import PDF

    counter = iter(range(1, 1000))

    def make(name: str | None = None, approved: bool = True):
        n = next(counter)
        user = create_sponsor_user(f"sponsor{n}@example.pk", PASSWORD, name or f"Sponsor {n}")
        sponsor = user.sponsor
        update_details(sponsor, f"SECP-{n}", "Ayesha Khan", "35202-1234567-1")
        for kind in SponsorPaper.ALL:
            store_paper(sponsor, kind, FileStorage(io.BytesIO(PDF + kind.encode()), f"{kind}.pdf"), user)
        if approved:
            decide(sponsor, SponsorState.APPROVED, None, make_user(role="reviewer"))
        db.session.commit()
        return sponsor, user

    return make
