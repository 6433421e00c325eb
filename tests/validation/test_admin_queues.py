"""Admins see the queues, the workers and failed validations, and can send a failed one again."""
import re
import time

import pytest

from app.choices import State
from app.extensions import queues
from app.jobs.validation import validate_application
from app.models import Application
from app.queues import VALIDATION


def queue_row(page: str, queue: str) -> list[int]:
    """The numbers in the queues table's row of `queue`: not sent yet, waiting, running, lost, failed."""
    row = re.search(rf'<tr><td data-label="Queue">{queue}</td>(.*?)</tr>', page, re.S).group(1)
    return [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)]


def test_queue_page_shows_waiting_jobs_and_no_worker(login, make_user, make_application):
    application = make_application(["39.32.12.0/24"])
    queues.queue(VALIDATION).enqueue(validate_application, application.id)
    page = login(make_user(role="admin")).get("/admin/queues").text
    assert queue_row(page, "validation") == [0, 1, 0, 0, 0]
    assert "No worker is running" in page


def test_a_job_whose_worker_is_gone_shows_as_lost(login, make_user, make_application):
    from rq.registry import StartedJobRegistry

    application = make_application(["39.32.12.0/24"])
    queue = queues.queue(VALIDATION)
    job = queue.enqueue(validate_application, application.id)
    queue.remove(job)
    job.worker_name = "killed-worker"
    job.save()
    registry = StartedJobRegistry(queue=queue)  # what a SIGKILLed worker leaves behind: job id : execution id
    queues.connection.zadd(registry.key, {f"{job.id}:killed-execution": time.time() + 600})
    page = login(make_user(role="admin")).get("/admin/queues").text
    assert queue_row(page, "validation") == [0, 0, 0, 1, 0]
    assert "1 job was running on a worker" in page


def test_admin_retries_a_failed_validation(login, make_user, make_application, db, run_worker):
    application = make_application(["39.32.12.0/24"], state=State.VALIDATION_FAILED)
    client = login(make_user(role="admin"))
    assert f"Retry validation of #{application.id}" in client.get("/admin/queues").text
    page = client.post(f"/admin/applications/{application.id}/retry-validation", follow_redirects=True).text
    assert f"Validation of application {application.id} queued again." in page
    run_worker()
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.READY


@pytest.mark.parametrize("role", ["applicant", "reviewer", "isp"])
def test_only_admins_see_queues(login, make_user, role):
    assert login(make_user(role=role)).get("/admin/queues").status_code == 403


def test_jobs_not_yet_sent_to_redis_are_shown_with_what_happens_next(login, make_user, db):
    from app.models import OutboxJob

    db.session.add(OutboxJob(queue="mail", function="app.jobs.notifications.send_emails", args=[[1]], options={}))
    db.session.commit()  # as a request leaves it when Redis was away at its commit
    page = login(make_user(role="admin")).get("/admin/queues").text
    assert queue_row(page, "mail") == [1, 0, 0, 0, 0]
    assert "1 job is recorded but not yet sent" in page
