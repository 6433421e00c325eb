"""GET /healthz: database, queue and a recent worker heartbeat; 503 when any is missing."""
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify
from rq import Worker
from sqlalchemy import text

from app.extensions import db, queues

bp = Blueprint("health", __name__)


def _check_database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any driver error means "not reachable"; report, never raise
        db.session.rollback()
        return f"database unreachable: {type(exc).__name__}"


def _check_queue() -> tuple[str | None, int]:
    try:
        queues.connection.ping()
    except Exception as exc:
        return f"queue unreachable: {type(exc).__name__}", 0
    now = datetime.now(timezone.utc)
    max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
    alive = [
        w for w in Worker.all(connection=queues.connection)
        if w.last_heartbeat and (now - w.last_heartbeat.replace(tzinfo=timezone.utc)).total_seconds() < max_age
    ]
    return (None if alive else "no worker heartbeat in the last %d s" % max_age), len(alive)


@bp.get("/healthz")
def healthz():
    database_problem = _check_database()
    queue_problem, workers = _check_queue()
    problems = [p for p in (database_problem, queue_problem) if p]
    body = {
        "status": "ok" if not problems else "unavailable",
        "version": current_app.config["VERSION"],
        "database": "ok" if not database_problem else database_problem,
        "queue": "ok" if not queue_problem else queue_problem,
        "workers": workers,
    }
    return jsonify(body), (200 if not problems else 503)
