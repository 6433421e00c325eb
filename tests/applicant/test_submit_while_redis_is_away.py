"""A submission while Redis is away is accepted, and validated once Redis is back (issue 11.5).

The state change and its job are one transaction: the job waits as a row of the outbox until it is sent.
"""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.config import TestConfig
from app.models import Application, AuditEvent, OutboxJob
from app.models.types import utcnow
from app.services import job_outbox
from tests.conftest import RequestContextClient

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: every Redis call fails at once


def test_a_submission_while_redis_is_away_is_accepted_and_validated_once_it_is_back(app, db, applicant, submittable,
                                                                                     run_worker):
    away = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=CLOSED_PORT,
                                 INSTANCE_DIR=app.config["INSTANCE_DIR"], SECRET_KEY=app.config["SECRET_KEY"]))
    away.test_client_class = RequestContextClient
    response = away.test_client().post(f"/api/v1/applications/{submittable['id']}/submit", headers=applicant.headers)
    assert response.status_code == 202, response.json
    application = db.session.get(Application, submittable["id"])
    assert application.state == "validating"
    waiting = db.session.scalars(select(OutboxJob)).all()
    assert [(job.queue, job.function, job.args, job.job_id) for job in waiting if job.queue == "validation"] == [
        ("validation", "app.jobs.validation.validate_application", [application.id], application.validation_job_id)]

    # Redis is back (the test's own). A worker's sweeper sends what waited, then the worker validates it.
    db.session.execute(update(OutboxJob).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    run_worker()
    db.session.expire_all()
    assert db.session.get(Application, submittable["id"]).state == "ready"
    assert db.session.scalars(select(OutboxJob)).all() == []
    validated = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("application.%"))).all()
    assert validated.count("application.validating") == 1 and validated.count("application.ready") == 1


def test_jobs_are_sent_only_if_their_transaction_commits(app, db, make_user):
    from app.services.notifications import notify

    user = make_user()
    notify(user, "rolled back", "never sent")
    db.session.rollback()
    assert db.session.scalars(select(OutboxJob)).all() == []
    assert app.extensions["raasta.redis"].llen("rq:queue:mail") == 0

    notify(user, "committed", "sent after the commit")
    db.session.commit()
    assert db.session.scalars(select(OutboxJob)).all() == []  # sent, so gone from the outbox
    assert app.extensions["raasta.redis"].llen("rq:queue:mail") == 1


def test_the_sweeper_sends_only_rows_their_request_failed_to_send(app, db):
    db.session.add(OutboxJob(queue="mail", function="app.jobs.notifications.send_emails", args=[[1]], options={}))
    db.session.commit()  # as a request leaves it just before its own send
    assert job_outbox.send() == 0  # young: its request is sending it now
    db.session.execute(update(OutboxJob).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert job_outbox.send() == 1
    assert db.session.scalars(select(OutboxJob)).all() == []
    assert app.extensions["raasta.redis"].llen("rq:queue:mail") == 1


def test_sending_waits_its_turn_behind_another_writer_on_sqlite(app, db):
    """Workers write all the time: a send that meets another writer's lock waits for it (the busy timeout)
    and then sends, rather than leaving the job to the sweeper."""
    import threading
    import time

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's row locks skip, they do not refuse")
    db.session.add(OutboxJob(queue="mail", function="app.jobs.notifications.send_emails", args=[[1]], options={},
                             created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    holding, engine = threading.Event(), db.engine

    def another_writer():
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.exec_driver_sql("UPDATE job_outbox SET queue = queue")
            holding.set()
            time.sleep(0.5)
            connection.exec_driver_sql("COMMIT")

    writer = threading.Thread(target=another_writer)
    writer.start()
    assert holding.wait(5)
    assert job_outbox.send() == 1  # waited for the lock, then sent
    writer.join()
    assert app.extensions["raasta.redis"].llen("rq:queue:mail") == 1
