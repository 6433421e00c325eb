"""`make run` keeps the portal up when a worker or the embedded Redis dies (issue 11.4)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis

from app.config import REPO_ROOT
from tests.deploy.test_make_run import _free_port, _get, _group_alive


def _children(parent: int, marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if ppid == parent and marker in cmdline:
            found.append(int(proc.name))
    return found


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def test_a_killed_worker_and_a_killed_redis_are_started_again_and_nothing_queued_is_lost(tmp_path):
    port = _free_port()
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(RAASTA_INSTANCE_DIR=str(instance), PORT=str(port), WEB_CONCURRENCY="1")
    # Started as a shell starts a background job (`make run &`): with SIGINT ignored, which Python keeps
    # unless the launcher sets its own handler; the SIGINT at the end must stop it all the same.
    launcher = subprocess.Popen([sys.executable, "-m", "app.runtime.launcher"], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _get(base + "/healthz")[0] == 200, 90, "the portal starting")
        [worker] = _children(launcher.pid, "worker.py")
        os.kill(worker, signal.SIGKILL)
        status, page = _get(base + "/sign-in")
        assert status == 200 and "<h1>Sign in</h1>" in page  # the web does not go down with the worker
        _wait_for(lambda: [p for p in _children(launcher.pid, "worker.py") if p != worker], 15, "a new worker")

        redis = Redis(unix_socket_path=str(instance / "redis.sock"))
        redis.rpush("raasta:test:kept", "a queued job")
        time.sleep(1.5)  # the append-only file is written every second
        [redis_pid] = _children(launcher.pid, "redis-server") or [int(redis.info("server")["process_id"])]
        os.kill(redis_pid, signal.SIGKILL)
        _wait_for(lambda: _get(base + "/healthz")[0] == 200, 30, "healthz green after Redis restarted")
        assert Redis(unix_socket_path=str(instance / "redis.sock")).lrange("raasta:test:kept", 0, -1) == \
            [b"a queued job"]
    finally:
        os.killpg(launcher.pid, signal.SIGINT)
        try:
            output, _ = launcher.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)  # a failed test leaves nothing running
            raise
    assert "worker exited" in output and "redis exited" in output
    _wait_for(lambda: not _group_alive(launcher.pid), 15, "every child stopping")
