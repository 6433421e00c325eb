"""Slow clients cannot freeze the site (issue 11.1).

The tester's attack: connections that announce a 100 kB body and trickle it. Against sync gunicorn
workers two such clients froze the site. Here 50 are held open against a single web process with
four threads, and /healthz and /sign-in still answer at once.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

from app.config import REPO_ROOT
from tests.deploy.test_make_run import _free_port, _get

SLOW_CLIENTS = 50


def _slow_client(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=")
    return sock


def _timed_get(url: str) -> tuple[float, int, str]:
    started = time.monotonic()
    status, body = _get(url)
    return time.monotonic() - started, status, body


def test_fifty_slow_bodies_leave_healthz_and_sign_in_served(worker_env):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}",
                               "--processes", "1", "--threads", "4"], cwd=REPO_ROOT, env=worker_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base, slow = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 60
        while _get(base + "/sign-in")[0] != 200:
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.2)
        slow = [_slow_client(port) for _ in range(SLOW_CLIENTS)]
        for sock in slow:  # each keeps trickling: the body is never finished
            sock.sendall(b"a")
        elapsed, status, body = _timed_get(base + "/healthz")
        assert elapsed < 1.0 and status in (200, 503) and "database" in json.loads(body)
        elapsed, status, body = _timed_get(base + "/sign-in")
        assert elapsed < 1.0 and status == 200 and "<h1>Sign in</h1>" in body
    finally:
        for sock in slow:
            sock.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def test_no_server_banner(worker_env):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}",
                               "--processes", "1"], cwd=REPO_ROOT, env=worker_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                    sock.sendall(b"GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    head = sock.recv(65536).split(b"\r\n\r\n")[0].decode()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert head.startswith("HTTP/1.1 200") and "\nserver:" not in head.lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
