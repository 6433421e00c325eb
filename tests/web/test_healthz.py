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
