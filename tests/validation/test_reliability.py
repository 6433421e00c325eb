"""Validation never gets stuck: retries, a visible failure state, the sweeper, re-validation, the warm register."""
import os
import signal
import subprocess
import sys
import time

from rq import Callback, Retry
from rq.job import Job
from sqlalchemy import update

from app.addresses import parse_entry
from app.choices import FindingCode, State
from app.config import REPO_ROOT
from app.extensions import queues
from app.jobs.validation import on_failure, validate_application, validate_applications
from app.models import AddressEntry, Application
from app.queues import VALIDATION
from app.services.national_register import Register
from app.services.transitions import move
from app.services.validation.retries import retry, revalidate_overlapping
from tests.validation.conftest import findings_of


def test_a_job_failing_every_retry_leaves_a_visible_state_that_an_admin_can_retry(db, make_application, run_worker):
    application = make_application(["39.32.12.0/24"])
    # A row that makes every attempt fail (start > end), standing in for a persistent fault.
    db.session.execute(update(AddressEntry).values(start=2, end=1))
    db.session.commit()
    job = queues.queue(VALIDATION).enqueue(validate_application, application.id, retry=Retry(max=2),
                                           on_failure=Callback(on_failure))
    run_worker()
    job.refresh()
    assert job.is_failed and job.retries_left == 0
    assert findings_of(db, application)[0] == State.VALIDATION_FAILED

    rng = parse_entry("39.32.12.0/24")
    db.session.execute(update(AddressEntry).values(start=rng.start, end=rng.end))
    retry(db.session.get(Application, application.id))
    db.session.commit()
    run_worker()
    assert findings_of(db, application)[0] == State.READY


def test_a_worker_killed_mid_job_loses_nothing(db, make_application, worker_env, run_worker):
    application = make_application([f"39.{32 + i // 256}.{i % 256}.0/24" for i in range(3000)])
    from app.services.validation.queue import enqueue_one

    enqueue_one(application)
    db.session.commit()
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env=worker_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    job = Job.fetch(application.validation_job_id, connection=queues.connection)
    deadline = time.monotonic() + 60
    while job.get_status() != "started" and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its scheduler process: no clean-up of any kind
    worker.wait()
    assert job.get_status() == "started"
    assert findings_of(db, application)[0] == State.VALIDATING

    # The next worker to start sweeps: the application has been validating longer than allowed.
    time.sleep(1.5)  # past the sweeping worker's (shortened) "lost after": the started job is lost
    result = subprocess.run([sys.executable, "worker.py", "--burst"], cwd=REPO_ROOT, timeout=180,
                            env={**worker_env, "VALIDATION_STUCK_AFTER": "0", "VALIDATION_LOST_AFTER": "1"},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert findings_of(db, application)[0] == State.READY


def test_a_killed_workers_job_counts_as_lost_once_its_registration_expires(app, db, make_application, worker_env,
                                                                            run_worker):
    """No time limit needed: RQ forgets a silent worker after WORKER_TTL, and its job is then lost."""
    from rq import Worker

    from app.jobs.validation import sweep_stuck_validations
    from app.services.validation.queue import enqueue_one

    application = make_application([f"39.{32 + i // 256}.{i % 256}.0/24" for i in range(3000)])
    enqueue_one(application)
    db.session.commit()
    env = {**worker_env, "WORKER_TTL": "4"}
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    job = Job.fetch(application.validation_job_id, connection=queues.connection)
    deadline = time.monotonic() + 60
    while job.get_status() != "started" and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 15
    while Worker.all(connection=queues.connection) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert Worker.all(connection=queues.connection) == []  # gone within WORKER_TTL
    assert job.get_status() == "started"  # RQ itself still thinks it runs
    app.config["VALIDATION_STUCK_AFTER"] = 0
    assert sweep_stuck_validations() == [application.id]
    run_worker()
    assert findings_of(db, application)[0] == State.READY


def test_approval_revalidates_overlapping_pending_applications(db, make_application, run_worker):
    winner = make_application(["39.32.12.0/24"], state=State.READY)
    other = make_application(["39.32.12.64/26"], state=State.READY)
    elsewhere = make_application(["39.32.200.0/24"], state=State.READY)
    move(winner, State.APPROVED)
    assert revalidate_overlapping(winner) == [other.id]
    db.session.commit()
    run_worker()
    assert findings_of(db, other)[0] == State.FLAGGED
    assert (FindingCode.OVERLAP_APPROVED, "error") in findings_of(db, other)[1]
    assert findings_of(db, elsewhere)[0] == State.READY


def test_register_follows_the_feed_without_a_rebuild(db, make_application):
    register = Register()
    register.refresh()
    base = register.base
    query = parse_entry("39.32.12.0/24")
    assert register.conflicts(query) == []
    application = make_application(["39.32.12.0/25"], state=State.DRAFT)
    move(application, State.VALIDATING)
    db.session.commit()
    register.refresh()
    assert register.base is base  # applied as a delta
    assert [(e.application_id, e.state) for e in register.conflicts(query)] == [(application.id, State.VALIDATING)]
    move(application, State.WITHDRAWN)
    db.session.commit()
    register.refresh()
    assert register.conflicts(query) == []


def test_batch_jobs_report_progress(db, make_application, run_worker):
    applications = [make_application([f"39.32.{i}.0/24"], ntn=f"{1000000 + i}-0") for i in range(3)]
    job = queues.queue(VALIDATION).enqueue(validate_applications, [a.id for a in applications])
    run_worker()
    job.refresh()
    assert job.meta["progress"] == {"applications": 3, "of": 3}
    assert job.return_value() == {a.id: State.READY for a in applications}


def test_the_sweeper_leaves_waiting_and_running_batches_alone(db, make_application, app):
    from app.jobs.validation import sweep_stuck_validations
    from app.services.validation.queue import enqueue_batch

    app.config["VALIDATION_STUCK_AFTER"] = 0
    applications = [make_application([f"39.32.{i}.0/24"]) for i in range(3)]
    enqueue_batch([a.id for a in applications])
    db.session.commit()
    assert queues.queue(VALIDATION).count == 1
    assert sweep_stuck_validations() == []  # its batch job is still waiting in the queue
    assert queues.queue(VALIDATION).count == 1
    queues.queue(VALIDATION).empty()  # the job is lost, e.g. with a flushed Redis
    assert sorted(sweep_stuck_validations()) == sorted(a.id for a in applications)
