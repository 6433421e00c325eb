"""The RQ worker: `python worker.py [--burst]`.

A SimpleWorker runs jobs in this process (no fork per job), so a job's caches, such as the
overlap index, stay warm between jobs. Each job gets a fresh app context, hence a fresh
database session.
"""
import sys

from rq import SimpleWorker

from app import create_app
from app.config import ConfigError
from app.extensions import queues
from app.jobs.periodic import schedule_periodic_jobs
from app.preflight import check_database, check_redis
from app.queues import ALL_QUEUES


class AppContextWorker(SimpleWorker):
    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job, queue):
        with self.app.app_context():
            return super().perform_job(job, queue)


def main(argv: list[str]) -> int:
    try:
        app = create_app()
        check_database(app.config["SQLALCHEMY_DATABASE_URI"])
        check_redis(app.config["REDIS_URL"])
    except ConfigError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 2
    with app.app_context():
        connection = queues.connection
        worker = AppContextWorker([queues.queue(name) for name in ALL_QUEUES], connection=connection, app=app)
        schedule_periodic_jobs()  # e.g. a job lost with a killed worker is found by the next one to start
    worker.work(burst="--burst" in argv, with_scheduler=True, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
