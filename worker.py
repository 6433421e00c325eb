"""The RQ worker: `python worker.py [--burst]`.

A SimpleWorker runs jobs in this process (no fork per job), so a job's caches, such as the
overlap index, stay warm between jobs. Each job gets a fresh app context, hence a fresh
database session. While a job runs, a thread keeps the worker's registration alive (a
SimpleWorker sends no heartbeat of its own until the job ends): a worker that is killed
disappears from Redis within WORKER_TTL seconds, and the sweeper re-queues what it held.
"""
import os
import sys
import threading
from contextlib import contextmanager

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.utils import now

from app import create_app
from app.config import ConfigError
from app.extensions import queues
from app.jobs.periodic import schedule_periodic_jobs
from app.queues import ALL_QUEUES
from app.runtime.preflight import check_database, check_redis
from app.system.memory import limit_heap_growth


@contextmanager
def _heartbeats(worker: SimpleWorker, job, ttl: int):
    stop = threading.Event()

    def beat():
        while not stop.wait(ttl / 4):
            try:
                worker.heartbeat(ttl)
                job.heartbeat(now(), ttl, xx=True)
            except RedisError:
                pass  # Redis is away: the job's own calls will say so; keep beating when it is back

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class AppContextWorker(SimpleWorker):
    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app
        self._registering = threading.Lock()  # the heartbeat thread and the work loop both beat

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        """Beat, and first register again if Redis no longer knows this worker. A Redis restarted empty forgets
        every registration, and RQ registers a worker only at birth: /healthz then found no worker on any host
        and the load balancer took every host out, for good (bench_load.py --faults); the periodic jobs
        scheduled at start were gone too, so nothing re-queued the validations lost with the queues."""
        if pipeline is None:
            with self._registering:
                # Not the worker's own key: a finished job's statistics write it again after Redis was emptied.
                if not self.connection.sismember(self.redis_workers_keys, self.key):
                    self.log.warning("worker %s: Redis lost its registration (restarted empty?); registering again",
                                     self.name)
                    self.connection.delete(self.key)  # those statistics alone; register_birth refuses a live key
                    self.register_birth()
                    with self.app.app_context():
                        schedule_periodic_jobs()
        super().heartbeat(timeout, pipeline)

    def get_heartbeat_ttl(self, job) -> int:
        """RQ would register a running job's worker for the job's whole timeout plus a minute; our
        heartbeat thread renews it all along, so a killed worker is forgotten within WORKER_TTL."""
        return self.worker_ttl

    def perform_job(self, job, queue):
        with self.app.app_context(), _heartbeats(self, job, self.worker_ttl):
            return super().perform_job(job, queue)


def main(argv: list[str]) -> int:
    os.umask(0o077)  # mail and anything else the worker writes under instance/ stay private
    limit_heap_growth()  # the register's build scratch goes back to the system, not into a grown heap
    try:
        app = create_app()
        check_database(app.config["SQLALCHEMY_DATABASE_URI"])
        check_redis(app.config["REDIS_URL"])
    except ConfigError as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 2
    # The worker waits on BLPOP: its connection has no read timeout (the app's has a short one).
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    with app.app_context():
        worker = AppContextWorker([queues.queue(name) for name in ALL_QUEUES], connection=connection, app=app,
                                  worker_ttl=app.config["WORKER_TTL"])
        schedule_periodic_jobs()  # e.g. a job lost with a killed worker is found by the next one to start
    worker.work(burst="--burst" in argv, with_scheduler=True, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
