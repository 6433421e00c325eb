"""Admin → Queues: queue lengths, failed and lost jobs, workers, and validations that need a retry."""
from datetime import datetime, timezone

from flask import abort, redirect, render_template, url_for
from rq import Worker
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import select

from app.choices import State
from app.extensions import db, queues
from app.i18n import _
from app.models import Application
from app.queues import ALL_QUEUES
from app.services import job_outbox
from app.services.validation.retries import retry
from app.web.admin import admin_only, bp
from app.web.forms import ActionForm
from app.web.outcomes import commit_or_flash

FAILED_JOBS_SHOWN = 20


def _queue_rows() -> list[dict]:
    rows, unsent = [], job_outbox.waiting_by_queue()
    for name in ALL_QUEUES:
        queue = queues.queue(name)
        started = Job.fetch_many(StartedJobRegistry(queue=queue).get_job_ids(), connection=queues.connection)
        lost = sum(1 for job in started if job is not None and not queues.worker_registered(job.worker_name))
        rows.append({"name": name, "unsent": unsent.get(name, 0), "queued": queue.count,
                     "running": len(started) - lost, "lost": lost, "failed": FailedJobRegistry(queue=queue).count})
    return rows


def _failed_jobs() -> list[dict]:
    jobs = []
    for name in ALL_QUEUES:
        registry = FailedJobRegistry(queue=queues.queue(name))
        for job in Job.fetch_many(registry.get_job_ids(0, FAILED_JOBS_SHOWN - 1), connection=queues.connection):
            if job is None:
                continue
            reason = (job.latest_result().exc_string if job.latest_result() else "") or ""
            jobs.append({"id": job.id, "queue": name, "function": job.func_name.rsplit(".", 1)[-1],
                         "args": job.args, "ended_at": job.ended_at,
                         "reason": reason.strip().splitlines()[-1] if reason.strip() else _("unknown")})
    return jobs


def _workers() -> list[dict]:
    now = datetime.now(timezone.utc)
    return [{"name": w.name, "state": w.get_state(), "job": w.get_current_job_id(),
             "heartbeat_age": int((now - w.last_heartbeat.replace(tzinfo=timezone.utc)).total_seconds())
             if w.last_heartbeat else None,
             "done": w.successful_job_count, "failed": w.failed_job_count}
            for w in Worker.all(connection=queues.connection)]


@bp.get("/queues")
@admin_only
def queue_status():
    failed_validations = db.session.scalars(select(Application).where(
        Application.state == State.VALIDATION_FAILED).order_by(Application.submitted_at)).all()
    return render_template("admin/queues.html", queues=_queue_rows(), workers=_workers(),
                           failed_jobs=_failed_jobs(), failed_validations=failed_validations,
                           action_form=ActionForm())


@bp.post("/applications/<int:application_id>/retry-validation")
@admin_only
def retry_validation(application_id: int):
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if ActionForm().validate_on_submit():
        commit_or_flash(lambda: retry(application),
                        _("Validation of application %(id)s queued again.", id=application.id))
    return redirect(url_for("admin.queue_status"))

