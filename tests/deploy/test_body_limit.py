"""A body over the web server's own limit is refused unread, with the portal's page: waitress's answer was a
plain-text "Request Entity Too Large" (found by a new user uploading a large scan without JavaScript)."""
import os
import signal
import socket
import subprocess
import sys
import time

from app.config import REPO_ROOT, Config
from tests.deploy.test_make_run import _free_port, _get


def test_a_body_over_the_server_limit_gets_the_portals_page_naming_the_limit(worker_env):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}",
                               "--processes", "1", "--threads", "2"], cwd=REPO_ROOT, env=worker_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/sign-in")[0] != 200:
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.2)
        size = Config().MAX_REQUEST_BODY_BYTES + 1
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /applications/7/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: multipart/form-data; boundary=x\r\n"
                         + f"Content-Length: {size}\r\n\r\n".encode() + b"--x\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 413") and "content-type: text/html; charset=utf-8" in head.lower()
        assert "content-security-policy: default-src 'self'" in head.lower()
        assert "<h1>That file is too large</h1>" in body and "A document may be up to 10 MB" in body
        assert 'href="/applications/7#documents"' in body and "waitress" not in answer.decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
