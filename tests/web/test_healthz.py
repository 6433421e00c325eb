"""/healthz tells whether a worker is there to run jobs and whether the queue answers."""
import os
import signal
import subprocess
import sys
import time

from app.config import REPO_ROOT


def test_healthz_is_red_without_a_worker_and_green_with_one(client, worker_env):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "ok" and response.json["queue"].startswith("no worker registered")

    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env=worker_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.get("/healthz").status_code != 200:
            time.sleep(0.2)
        body = client.get("/healthz").json
        assert body["status"] == "ok" and body["workers"] == 1 and body["version"]
    finally:
        _stop(worker)


def _stop(worker: subprocess.Popen) -> None:
    """Stop the worker and its RQ scheduler process, whatever happens: once on a busy CI machine the worker
    outlived its SIGTERM by many minutes (its warm shutdown waits for the scheduler process it forked), and
    went on taking the jobs of the later tests that shared its database and Redis."""
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    else:
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # the scheduler process, if it outlived the worker
        except ProcessLookupError:
            pass


def test_healthz_reports_an_unreachable_queue(app, client, tmp_path):
    from redis import Redis

    app.extensions["raasta.redis"] = Redis(unix_socket_path=str(tmp_path / "nothing.sock"))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["queue"].startswith("queue unreachable")


def test_a_worker_registers_again_and_reschedules_its_periodic_jobs_after_redis_is_emptied(app, client,
                                                                                             worker_env):
    """Redis restarted empty (bench_load.py --faults): without registering again, /healthz stayed red on every host
    and the balancer kept them all out; the sweeper that re-queues lost validations was gone too."""
    from app.extensions import queues

    # WORKER_TTL 20: an idle worker beats every 5 s (RQ waits WORKER_TTL - 15 s on the queues between beats).
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env={**worker_env, "WORKER_TTL": "20"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert _until(lambda: client.get("/healthz").status_code == 200, 30), "the worker never registered"
        queues.connection.flushdb()  # what a Redis restarted without its data holds
        # Not asserted red in between: the worker's next beat (every 5 s) may already have registered it again.
        assert _until(lambda: client.get("/healthz").status_code == 200, 30), "the worker did not register again"
        assert client.get("/healthz").json["workers"] == 1
        scheduled = {key.decode() for key in queues.connection.keys("raasta:periodic:*")}
        assert any(key.endswith("sweep_stuck_validations") for key in scheduled), scheduled
    finally:
        _stop(worker)


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
