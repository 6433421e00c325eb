"""GET /healthz: database, queue and a live worker; 503 when any is missing.

A worker is live while its registration in Redis is: RQ's own key, which expires WORKER_TTL seconds
after the last heartbeat (the worker beats every quarter of that, idle or mid-job). The time since
a worker's last job says nothing: an idle, healthy worker once made this page call the node dead.
"""
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
    try:
        alive = Worker.all(connection=queues.connection)  # expired registrations are not returned
    except Exception as exc:
        return f"queue unreachable: {type(exc).__name__}", 0
    ttl = current_app.config["WORKER_TTL"]
    return (None if alive else f"no worker registered (a worker re-registers every {ttl // 4} s)"), len(alive)


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
