"""The contract's CLI, run as a real `flask --app app` process."""
from sqlalchemy import select

from app.models import AuditEvent, User
from tests.conftest import flask_cli


def test_users_create_prints_the_id_and_tokens_create_prints_a_working_token(worker_env, db, client):
    result = flask_cli(worker_env, "users", "create", "ops@pta.gov.pk", "--role", "reviewer",
                       "--password", "a long enough phrase")
    assert result.returncode == 0, result.stderr
    user = db.session.scalar(select(User).where(User.email == "ops@pta.gov.pk"))
    assert result.stdout.strip() == str(user.id) and user.role == "reviewer"
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert (created.actor_name, created.data) == ("system", {"role": "reviewer"})

    result = flask_cli(worker_env, "tokens", "create", "ops@pta.gov.pk")
    token = result.stdout.strip()
    assert result.returncode == 0 and token.startswith("rst_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["email"] == "ops@pta.gov.pk"


def test_cli_refusals_are_one_clear_line(worker_env, make_user):
    make_user(email="taken@example.pk")
    duplicate = flask_cli(worker_env, "users", "create", "taken@example.pk", "--role", "admin",
                          "--password", "a long enough phrase")
    weak = flask_cli(worker_env, "users", "create", "new@example.pk", "--role", "admin", "--password", "short")
    role = flask_cli(worker_env, "users", "create", "new@example.pk", "--role", "boss", "--password", "x" * 12)
    nobody = flask_cli(worker_env, "tokens", "create", "nobody@example.pk")
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr and "Traceback" not in duplicate.stderr
    assert weak.returncode != 0 and "at least 10 characters" in weak.stderr
    assert role.returncode != 0 and "'boss' is not one of" in role.stderr
    assert nobody.returncode != 0 and "No account with email 'nobody@example.pk'" in nobody.stderr
