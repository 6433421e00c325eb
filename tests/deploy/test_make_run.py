"""`make run`'s launcher serves the portal on the embedded defaults, and Ctrl-C leaves no process behind."""
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

from app.config import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_launcher_serves_and_ctrl_c_stops_everything(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(RAASTA_INSTANCE_DIR=str(tmp_path / "instance"), PORT=str(port), WEB_CONCURRENCY="1")
    launcher = subprocess.Popen([sys.executable, "-m", "app.runtime.launcher"], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        status = 0
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.5)
            status, body = _get(base + "/healthz")
        assert status == 200, body
        status, page = _get(base + "/sign-in")
        assert status == 200 and "<h1>Sign in</h1>" in page
        assert (tmp_path / "instance" / "raasta.db").exists() and (tmp_path / "instance" / "redis.sock").exists()
        assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700
        for name in ("raasta.db", "secret_key", "whitelist-signing-key.pem"):
            path = tmp_path / "instance" / name
            assert not path.exists() or stat.S_IMODE(path.stat().st_mode) == 0o600, name
    finally:
        os.killpg(launcher.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = launcher.communicate(timeout=60)
    assert f"Raasta is running on {base}" in output
    # Redis is stopped after the worker and web have let go of it: a clean stop prints no traceback.
    assert "Traceback" not in output and "ConnectionError" not in output, output[-3000:]
    deadline = time.monotonic() + 15
    while _group_alive(launcher.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(launcher.pid), "a child of the launcher survived Ctrl-C"


def test_launcher_with_an_unreachable_database_says_which_setting(tmp_path):
    env = {**os.environ, "RAASTA_INSTANCE_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0",
           "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = subprocess.run([sys.executable, "-m", "app.runtime.launcher"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("raasta: DATABASE_URL: cannot connect to")
    assert "Traceback" not in result.stderr
