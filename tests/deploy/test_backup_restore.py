"""Backup and restore as docs/operations/backup-and-restore.md tells an operator to do it (issue 25).

Real state is built through the API and a real worker in a scratch database, dumped with `pg_dump -Fc` while the
portal is up, restored with `pg_restore` into a second fresh database, and checked by `flask` commands run, as on a
new host, with an empty instance/ folder, an empty Redis and only the two keys carried over.
"""
import hashlib
import io
import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.services.publication.audit_checkpoints import checkpoint_if_moved
from app.system.instance_keys import signing_key_pem
from app.transactions import committed
from tests.conftest import flask_cli

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="backup and restore is pg_dump and pg_restore: runs only with DATABASE_URL set to a PostgreSQL database")

FIRM = {"kind": "firm", "name": "Indus Soft (Pvt) Ltd", "ntn": "1234567-8", "city": "Lahore",
        "isp_name": "Nayatel", "isp_subscriber_id": "NT-998877"}
# A PDF whose bytes no other test uploads: the sha256 read back must be this document's.
CERTIFICATE = (b"%PDF-1.4\n1 0 obj <<>> endobj\n% backup and restore\n" + bytes(range(256)) * 64
               + b"trailer <<>>\n%%EOF\n")


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no +psycopg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _scratch_database(base_url: str, role: str) -> str:
    """A new empty database beside the suite's own (whose name carries the xdist worker's id, test_gw3), dropped first
    if a killed run left it."""
    base = make_url(base_url)
    name = f"{base.database}_backup_{role}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _run(*command: str) -> None:
    """pg_dump or pg_restore; missing tools fail the test (it must run in CI's PostgreSQL pass), never skip it."""
    assert shutil.which(command[0]), f"{command[0]} is not installed: this test needs the PostgreSQL client tools"
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"


@pytest.fixture
def scratch_databases(services):
    """source and restored: two fresh databases of this test's own, dropped afterwards."""
    urls = {role: _scratch_database(services.database_url, role) for role in ("source", "restored")}
    yield urls
    for url in urls.values():
        _drop_database(url)


@pytest.fixture
def app(services, scratch_databases, tmp_path):
    """This module's portal runs on the scratch source database, migrated as an operator does (`flask db upgrade`)."""
    instance = tmp_path / "source-host"
    migrated = flask_cli({**os.environ, "DATABASE_URL": scratch_databases["source"], "REDIS_URL": services.redis_url,
                          "RAASTA_INSTANCE_DIR": str(instance)}, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    Redis.from_url(services.redis_url).flushdb()
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=scratch_databases["source"], REDIS_URL=services.redis_url,
                                INSTANCE_DIR=instance))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _published_application(applicant_with, make_user, api, run_worker) -> tuple[object, object, int, int]:
    """An application with an uploaded document, submitted, validated by a real worker, batched and approved:
    whitelist version 1. Returns the applicant's and the approving admin's API clients, the application's id and the
    document's id."""
    applicant = applicant_with(FIRM)
    created = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client in Germany", "category": "company_vpn",
        "entries": ["39.32.12.0/24", "2400:adc0:100::/48"]})
    assert created.status_code == 201, created.json
    application_id = created.json["id"]
    uploaded = applicant.post(f"/api/v1/applications/{application_id}/documents",
                              data={"kind": "ntn_certificate", "file": (io.BytesIO(CERTIFICATE), "ntn.pdf")})
    assert uploaded.status_code == 201, uploaded.json
    assert applicant.post(f"/api/v1/applications/{application_id}/submit").status_code == 202
    run_worker()
    assert applicant.get(f"/api/v1/applications/{application_id}").json["state"] == "ready"
    maker, checker = api(make_user("reviewer")), api(make_user("admin"))
    batch = maker.post("/api/v1/batches", json={"application_ids": [application_id]}).json
    approved = checker.post(f"/api/v1/batches/{batch['id']}/approve")
    assert (approved.status_code, approved.json["whitelist_serial"]) == (200, 1), approved.json
    return applicant, checker, application_id, uploaded.json["id"]


def test_a_restored_dump_with_the_same_keys_verifies_and_serves_the_same_bytes(
        app, services, scratch_databases, applicant_with, make_user, api, run_worker, worker_env, tmp_path):
    applicant, admin, application_id, document_id = _published_application(applicant_with, make_user, api, run_worker)
    with committed():
        assert checkpoint_if_moved() is not None  # the hourly job's signed head, after the approval's own
    original_txt = flask_cli(worker_env, "whitelist", "export", "--format", "txt", text=False)
    assert original_txt.returncode == 0 and original_txt.stdout, original_txt.stderr

    # The backup: a dump taken while the portal is up, and the two keys (here generated into instance/).
    dump = tmp_path / "raasta.dump"
    _run("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={_libpq(scratch_databases['source'])}")
    signing_pem = signing_key_pem(app.config["INSTANCE_DIR"])

    # The restore: a fresh database, a new host with nothing in instance/ but the keys, an empty Redis.
    _run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(scratch_databases['restored'])}", str(dump))
    host = tmp_path / "restored-host"
    host.mkdir()
    (host / "whitelist-signing-key.pem").write_bytes(signing_pem)
    (host / "whitelist-signing-key.pem").chmod(0o600)
    Redis.from_url(services.redis_url).flushdb()
    restored_env = {**worker_env, "DATABASE_URL": scratch_databases["restored"], "RAASTA_INSTANCE_DIR": str(host)}
    restored_env.pop("WHITELIST_SIGNING_KEY", None)  # the key comes from the restored instance/ file
    for command in (("db", "upgrade"), ("audit", "verify"), ("documents", "verify"), ("whitelist", "verify")):
        result = flask_cli(restored_env, *command)
        assert result.returncode == 0, f"flask {' '.join(command)}: {result.stderr}"
    restored_txt = flask_cli(restored_env, "whitelist", "export", "--format", "txt", text=False)
    assert restored_txt.returncode == 0 and restored_txt.stdout == original_txt.stdout, restored_txt.stderr
    assert b"39.32.12.0/24\n" in restored_txt.stdout

    # Through the restored portal, with API tokens issued before the backup: the document's bytes, the signature.
    restored = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=scratch_databases["restored"],
                                     REDIS_URL=services.redis_url, INSTANCE_DIR=host,
                                     SECRET_KEY=app.config["SECRET_KEY"]))
    with restored.app_context():
        client = restored.test_client()
        document = client.get(f"/api/v1/applications/{application_id}/documents/{document_id}",
                              headers=applicant.headers)
        assert document.status_code == 200
        assert hashlib.sha256(document.data).hexdigest() == hashlib.sha256(CERTIFICATE).hexdigest()
        signature = client.get("/api/v1/whitelist/latest.txt.sig", headers=admin.headers)
        assert signature.status_code == 200
        _db.session.remove()
        _db.engine.dispose()
    public_key = load_pem_private_key(signing_pem, password=None).public_key()
    public_key.verify(signature.data, original_txt.stdout)  # raises InvalidSignature if not the published key's

    # A tampered copy: one audit row changed behind the database's append-only guard is named.
    engine = create_engine(scratch_databases["restored"])
    with engine.begin() as connection:
        seq = connection.scalar(text("SELECT seq FROM audit_events WHERE action = 'document.uploaded'"))
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # skips the append-only trigger
        connection.execute(text("UPDATE audit_events SET actor_name = 'someone else' WHERE seq = :seq"), {"seq": seq})
    engine.dispose()
    tampered = flask_cli(restored_env, "audit", "verify")
    assert tampered.returncode == 1
    assert f"Audit chain broken at event {seq}: its hash does not match its contents" in tampered.stderr


def test_a_restore_with_another_signing_key_fails_the_audit_check_before_anything_is_signed(
        app, scratch_databases, applicant_with, make_user, api, run_worker, worker_env, tmp_path):
    _published_application(applicant_with, make_user, api, run_worker)
    dump = tmp_path / "raasta.dump"
    _run("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={_libpq(scratch_databases['source'])}")
    _run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(scratch_databases['restored'])}", str(dump))
    other_key = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    wrong = {**worker_env, "DATABASE_URL": scratch_databases["restored"], "RAASTA_INSTANCE_DIR": str(tmp_path / "new"),
             "WHITELIST_SIGNING_KEY": other_key.decode()}
    result = flask_cli(wrong, "audit", "verify")
    assert result.returncode == 1
    assert "does not verify with this signing key: either WHITELIST_SIGNING_KEY is not the key" in result.stderr
