"""A PostgreSQL restart costs a request at most a short wait; a request it cuts off gets a 503 with Retry-After.

The first test restarts a PostgreSQL cluster of its own (`pg_ctl restart -m fast`, as bench/bench_load.py's fault
does) while requests keep arriving: those arriving while it restarts wait for it (app.system.database_restarts)
and none fails. The second ends a request's connection under it (`pg_terminate_backend`, what a restart does to a
statement in flight): that request is answered 503 with Retry-After, in its language, not 500.

Runs where DATABASE_URL is PostgreSQL (the second pass of .ci/run), with the server's own binaries for the cluster.
"""
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from bench.load_services import PG_BIN, PrivatePostgres, recreate_database
from tests.conftest import RequestContextClient

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="PostgreSQL only: set DATABASE_URL=postgresql+psycopg://...")


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL's server binaries are not in {PG_BIN}")
    # Not under pytest's tmp_path, which PostgreSQL's own account (it refuses to run as root) cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="raasta-pg-restart-"))
    os.chmod(folder, 0o755)
    cluster = PrivatePostgres(folder)
    try:
        cluster.create()
        recreate_database(cluster.url)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _healthz_while_postgresql_is_down(cluster, services, tmp_path, down_for: float, **settings) -> tuple[str, float]:
    """Stop `cluster`, ask /healthz (its database check opens a connection), start the cluster `down_for` seconds
    later: what the check said and how long the request took."""
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=cluster.url, REDIS_URL=services.redis_url,
                                INSTANCE_DIR=tmp_path / "instance", **settings))
    app.test_client_class = RequestContextClient
    client = app.test_client()
    assert client.get("/healthz").get_json()["database"] == "ok"  # the pool holds a connection now
    cluster.stop(mode="fast")  # as a restart's first half does: every connection is closed
    answer = {}

    def ask() -> None:
        started = time.monotonic()
        answer["database"] = client.get("/healthz").get_json()["database"]
        answer["seconds"] = time.monotonic() - started

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(down_for)
    cluster.start()
    asker.join(timeout=30)
    with app.app_context():
        from app.extensions import db
        db.engine.dispose()
    return answer["database"], answer["seconds"]


def test_a_request_arriving_while_postgresql_restarts_waits_for_it(private_postgres, services, tmp_path):
    database, seconds = _healthz_while_postgresql_is_down(private_postgres, services, tmp_path, down_for=1.5)
    assert database == "ok"
    assert seconds >= 1.5  # it waited for the server to come back rather than failing


def test_the_wait_is_bounded_by_database_connect_wait(private_postgres, services, tmp_path):
    database, seconds = _healthz_while_postgresql_is_down(private_postgres, services, tmp_path, down_for=4,
                                                          DATABASE_CONNECT_WAIT=1)
    assert database == "database unreachable: OperationalError"
    assert 1 <= seconds < 3


def test_a_request_whose_connection_is_cut_gets_503_with_retry_after(app, db, services):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    started = threading.Event()

    def slow_query():
        db.session.execute(text("SELECT pg_advisory_lock(4242)"))  # marks the backend for the killer
        started.set()
        db.session.execute(text("SELECT pg_sleep(10)"))
        return "finished"

    app.add_url_rule("/test/slow-query", "slow_page", slow_query)
    app.add_url_rule("/api/v1/test/slow-query", "slow_api", slow_query)
    app.test_client_class = RequestContextClient
    client = app.test_client()
    killer = create_engine(services.database_url)

    def cut_off(path: str, **headers):
        """GET `path`, terminating its backend once the slow statement runs."""
        started.clear()

        def terminate() -> None:
            started.wait(timeout=10)
            with killer.begin() as connection:
                connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks "
                                        "WHERE locktype = 'advisory' AND objid = 4242"))

        thread = threading.Thread(target=terminate)
        thread.start()
        response = client.get(path, headers=headers)
        thread.join(timeout=10)
        return response

    try:
        page = cut_off("/test/slow-query", **{"Accept-Language": "ur"})
        api = cut_off("/api/v1/test/slow-query")
    finally:
        killer.dispose()
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "ڈیٹا بیس" in page.get_data(as_text=True)  # in the reader's language: the database was unavailable
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.get_json()["error"]["code"] == "unavailable"
    assert "Try again in a few seconds" in api.get_json()["error"]["message"]
